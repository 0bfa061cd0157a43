"""Imports that cannot hurt the server: a clean preview always imports, odd files get a message,
caps on size and rows, and uploads kept privately and removed after use."""

import os
import stat
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog import excel, importing, marc
from catalog.exceptions import ImportRejected
from catalog.models import Copy, ImportLog, Record
from library import uploads
from tests import xlsx_files
from tests.catalog import marc_fixtures
from tests.catalog.test_import import GOOD, HEADERS, check, xlsx


@pytest.fixture(autouse=True)
def private_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def problems_of(checked) -> dict[int, str]:
    return {r.number: " ".join(r.problems) for r in checked.problem_rows}


def test_excel_values_longer_than_their_columns_are_refused_in_the_preview(stacks):
    long_row = ["题" * 301, "某人", "出" * 201, "", "", "", "I287", 1, "", "", "", ""]
    pages = ["草房子", "曹文轩", "", "", "", "", "I287", 1, "", "", "", "", "页" * 61]
    content = xlsx(GOOD + [long_row] + [pages], headers=[*HEADERS, "页数"])
    checked = check(content, stacks)
    problems = problems_of(checked)
    assert set(problems) == {4, 5}
    assert "“题名”超过 300 个字（现有 301 个）" in problems[4] and "“出版者”超过 200 个字" in problems[4]
    assert "“页数”超过 60 个字（现有 61 个）" in problems[5]
    with pytest.raises(ImportRejected):
        importing.run_import(checked)
    assert not Record.objects.exists() and not ImportLog.objects.exists()


def test_a_price_too_large_for_its_column_is_refused(stacks):
    checked = check(xlsx([["草房子", "曹文轩", "", "", 123456789, "", "I287", 1, "", "", "", ""]]), stacks)
    assert "定价“123456789”太大" in problems_of(checked)[2]


def test_the_preview_page_names_the_row_and_column_and_offers_no_import(client, librarian, stacks):
    client.force_login(librarian)
    content = xlsx([["题" * 301, "某人", "", "", "", "", "I287", 1, "", "", "", ""]])
    html = client.post(
        reverse("catalog:import_excel"), {"file": SimpleUploadedFile("long.xlsx", content), "location": stacks.pk}
    ).content.decode()
    assert "“题名”超过 300 个字" in html and "<td>2</td>" in html and "import-confirm" not in html


def test_marc_records_with_a_nul_byte_or_a_huge_title_are_refused_by_record_number(stacks):
    nul = marc_fixtures.cnmarc(title="小橘\x00灯", isbn="", barcodes=("C0000011",))
    huge = marc_fixtures.marc21(title="长" * 3000, isbn="", barcode="M0000012")
    checked = check(marc_fixtures.iso(marc_fixtures.cnmarc(), nul, huge), stacks, kind="marc")
    problems = problems_of(checked)
    assert set(problems) == {2, 3}
    assert "“题名”含有无法保存的空字符（NUL）" in problems[2]
    assert "“题名”超过 300 个字（现有 3000 个）" in problems[3]
    with pytest.raises(ImportRejected):
        importing.run_import(checked)
    assert not Record.objects.exists() and not Copy.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (xlsx_files.workbook(None), "这个 Excel 文件里没有工作表。"),
        (xlsx_files.workbook(xlsx_files.broken_sheet([["题名"], ["草房子"]], dimension=True)), "已损坏"),
        (xlsx_files.workbook(xlsx_files.broken_sheet([["题名"], ["草房子"]])), "无法读取这个文件"),
    ],
    ids=["no-sheet", "broken-sheet", "cut-off-sheet"],
)
def test_a_workbook_without_a_readable_sheet_gets_a_message(client, librarian, stacks, content, message):
    with pytest.raises(ImportRejected, match=message):
        excel.read_rows(content)
    client.force_login(librarian)
    response = client.post(reverse("catalog:import_excel"), {"file": SimpleUploadedFile("x.xlsx", content)})
    assert response.status_code == 200 and message in response.content.decode()


def test_a_million_empty_rows_below_the_books_cost_nothing_and_the_books_import(client, librarian, stacks):
    header, *rows = [["题名", "中图法分类号", "复本数"], ["草房子", "I287.45", 1], ["昆虫记", "Q96", 1]]
    content = xlsx_files.workbook(xlsx_files.sheet([header, *rows], empty_rows=1_000_000, numbered=False))
    client.force_login(librarian)
    html = client.post(
        reverse("catalog:import_excel"), {"file": SimpleUploadedFile("big.xlsx", content), "location": stacks.pk}
    ).content.decode()
    assert "将新建书目 2 种，新增复本 2 册" in html and "import-confirm" in html


def test_rows_over_the_cap_are_refused_on_the_preview_page(client, librarian, stacks, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = xlsx([GOOD[0][:]] + [[f"书{i}", "", "", "", "", "", "I287", 1, "", "", "", ""] for i in range(4)])
    client.force_login(librarian)
    html = client.post(reverse("catalog:import_excel"), {"file": SimpleUploadedFile("many.xlsx", content)}).content
    assert "表格超过 3 行数据（第 5 行起超出）" in html.decode()
    assert not uploads.folder().exists() or not any(uploads.folder().iterdir())


def test_a_marc_file_over_the_record_cap_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 2
    content = marc_fixtures.iso(*(marc_fixtures.cnmarc(barcodes=(f"C000000{i}",)) for i in range(3)))
    with pytest.raises(ImportRejected, match="文件超过 2 条记录"):
        marc.read_rows(content)


def test_a_file_over_the_size_cap_is_refused_before_reading(client, librarian, stacks, settings):
    settings.IMPORT_MAX_BYTES = 2048
    client.force_login(librarian)
    for url in ("catalog:import_excel", "catalog:import_marc"):
        response = client.post(reverse(url), {"file": SimpleUploadedFile("big.bin", b"x" * 4096)})
        assert "文件太大（0.0 MB），一次最多上传 0.00195312 MB" in response.content.decode()


def _preview(client, stacks, content=None):
    content = content or xlsx(GOOD)
    client.post(
        reverse("catalog:import_excel"), {"file": SimpleUploadedFile("books.xlsx", content), "location": stacks.pk}
    )
    return importing.file_hash(content)


def test_a_previewed_upload_is_kept_privately_and_removed_after_the_import(client, librarian, stacks):
    client.force_login(librarian)
    sha = _preview(client, stacks)
    kept = uploads.folder() / f"{sha}.bin"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(uploads.folder().stat().st_mode) == 0o700
    assert stat.S_IMODE(uploads.folder().parent.stat().st_mode) == 0o700
    client.post(reverse("catalog:import_excel"), {"sha": sha, "filename": "books.xlsx", "location": stacks.pk})
    assert Record.objects.count() == 2 and not kept.exists()


def test_cancelling_a_preview_removes_the_upload(client, librarian, stacks):
    client.force_login(librarian)
    sha = _preview(client, stacks)
    response = client.post(reverse("catalog:import_excel"), {"sha": sha, "cancel": "1"}, follow=True)
    assert "已取消导入" in response.content.decode()
    assert not (uploads.folder() / f"{sha}.bin").exists() and not Record.objects.exists()


def test_uploads_older_than_a_day_are_removed_on_the_next_upload(client, librarian, stacks):
    client.force_login(librarian)
    old_sha = _preview(client, stacks)
    old = uploads.folder() / f"{old_sha}.bin"
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    new_sha = _preview(client, stacks, xlsx(GOOD[:1]))
    assert not old.exists() and (uploads.folder() / f"{new_sha}.bin").exists()


def test_the_daily_chore_removes_uploads_older_than_a_day(client, librarian, stacks):
    client.force_login(librarian)
    sha = _preview(client, stacks)
    kept = uploads.folder() / f"{sha}.bin"
    an_hour_ago, two_days_ago = time.time() - 3600, time.time() - 2 * 24 * 3600
    os.utime(kept, (an_hour_ago, an_hour_ago))
    uploads.purge_stale()
    assert kept.exists()
    os.utime(kept, (two_days_ago, two_days_ago))
    other = Client()  # a fresh site process: its first signed-in request of the day runs the chore
    other.force_login(librarian)
    other.get(reverse("catalog:manage"))
    assert not kept.exists()


def test_a_value_the_database_refuses_at_import_time_rolls_everything_back(stacks):
    """The last line of defence, should a limit ever be missed by the preview: a message, no rows."""
    checked = check(xlsx(GOOD), stacks)
    checked.rows[1].data["edition"] = "版" * 101  # bypasses the preview, as a missed check would
    with pytest.raises(ImportRejected, match="数据库拒绝了文件中的某个值"):
        importing.run_import(checked)
    assert not Record.objects.exists() and not Copy.objects.exists() and not ImportLog.objects.exists()


@pytest.mark.parametrize("column", [header for header, _key, _example in excel.COLUMNS])
def test_a_clean_preview_always_imports_whatever_one_column_holds(stacks, column):
    """10,000 characters in any one column of the template: refused by the preview, or imported."""
    headers = [header for header, _key, _example in excel.COLUMNS]
    row = ["草房子" if h == "题名" else "I287.45" if h == "中图法分类号" else "" for h in headers]
    row[headers.index(column)] = "长" * 10_000
    checked = check(xlsx([row], headers=headers), stacks)
    if checked.ok:
        importing.run_import(checked)
        assert Record.objects.count() == 1
    else:
        assert checked.problem_rows[0].number == 2 and checked.problem_rows[0].problems
        assert not Record.objects.exists()
