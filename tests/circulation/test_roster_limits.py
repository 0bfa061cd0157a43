"""Roster import: a clean preview always imports; odd workbooks and over-long names get a message."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from circulation.models import Reader
from circulation.services_pinyin import PINYIN_MAX, name_pinyin
from tests import xlsx_files


def _upload(content: bytes, name: str = "roster.xlsx"):
    buf = io.BytesIO(content)
    buf.name = name
    return buf


def _roster(rows) -> bytes:
    wb = Workbook()
    wb.active.append(["学号", "姓名", "性别", "年级", "班级"])
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def roster_client(client, librarian):
    client.force_login(librarian)
    return client


def test_a_long_name_imports_and_its_pinyin_fits_its_column(roster_client):
    name = "爽" * 35  # "shuang" × 35: the full spelling alone is longer than the pinyin column
    roster_client.post(reverse("circulation:roster_import"), {"file": _upload(_roster([["S1", name, "男", "3", "1"]]))})
    response = roster_client.post(reverse("circulation:roster_confirm"))
    assert response.status_code == 302
    reader = Reader.objects.get(student_number="S1")
    assert reader.name == name and len(reader.name_pinyin) <= PINYIN_MAX
    assert reader.name_pinyin.startswith("shuangshuang") and reader.name_pinyin.endswith(" " + "s" * 35)


def test_name_pinyin_never_exceeds_the_column():
    assert len(name_pinyin("庄" * 60)) <= PINYIN_MAX
    assert name_pinyin("张小明") == "zhangxiaoming zxm"


def test_a_name_longer_than_the_name_column_is_refused_by_row(roster_client):
    content = _roster([["S1", "甲", "男", "3", "1"], ["S2", "名" * 61, "女", "3", "1"]])
    body = roster_client.post(reverse("circulation:roster_import"), {"file": _upload(content)}).content.decode()
    assert "第 3 行" in body and "“姓名”超过 60 个字（现有 61 个）" in body
    roster_client.post(reverse("circulation:roster_confirm"))
    assert not Reader.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (xlsx_files.workbook(None), "这个 Excel 文件里没有工作表。"),
        (xlsx_files.workbook(xlsx_files.broken_sheet([["学号", "姓名"], ["S1", "甲"]], dimension=True)), "已损坏"),
        (xlsx_files.workbook(xlsx_files.broken_sheet([["学号", "姓名"], ["S1", "甲"]])), "无法读取这个文件"),
    ],
    ids=["no-sheet", "broken-sheet", "cut-off-sheet"],
)
def test_a_workbook_without_a_readable_sheet_gets_a_message(roster_client, content, message):
    response = roster_client.post(reverse("circulation:roster_import"), {"file": _upload(content)})
    assert response.status_code == 200 and message in response.content.decode()


def test_rows_over_the_cap_are_refused(roster_client, settings):
    settings.IMPORT_MAX_ROWS = 2
    content = _roster([[f"S{i}", f"学生{i}", "男", "3", "1"] for i in range(3)])
    body = roster_client.post(reverse("circulation:roster_import"), {"file": _upload(content)}).content.decode()
    assert "表格超过 2 行数据（第 4 行起超出）" in body


def test_a_file_over_the_size_cap_is_refused(roster_client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    body = roster_client.post(
        reverse("circulation:roster_import"), {"file": _upload(_roster([["S1", "甲", "男", "3", "1"]]))}
    ).content.decode()
    assert "文件太大" in body and "一次最多上传 0.000976562 MB" in body


@pytest.mark.parametrize("column", range(6))
def test_a_clean_preview_always_imports_whatever_one_column_holds(roster_client, column):
    """10,000 characters in any one column of the template: refused by the preview, or imported."""
    row = ["S1", "甲", "男", "3", "1", "小学"]
    row[column] = "长" * 10_000
    wb = Workbook()
    wb.active.append(["学号", "姓名", "性别", "年级", "班级", "学段"])
    wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    body = roster_client.post(reverse("circulation:roster_import"), {"file": _upload(buf.getvalue())}).content
    response = roster_client.post(reverse("circulation:roster_confirm"))
    assert response.status_code == 302
    if "第 2 行" in body.decode():
        assert not Reader.objects.exists()
    else:
        assert Reader.objects.get(student_number="S1").name == row[1]
