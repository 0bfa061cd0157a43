"""Excel and MARC import: preview with per-row problems, all or nothing, idempotent; exports."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pymarc import MARCReader

from catalog import excel, importing, marc
from catalog.exceptions import ImportRejected
from catalog.models import Copy, ImportLog, Record
from tests.catalog import marc_fixtures

HEADERS = [
    "题名",
    "著者",
    "出版者",
    "出版年",
    "定价",
    "ISBN",
    "中图法分类号",
    "复本数",
    "登记号",
    "馆藏地点",
    "适读对象",
    "来源",
]


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = [
    ["草房子", "曹文轩", "天天出版社", 2016, 25, "9787544800013", "I287.45", 2, "", "书库", "高年级", "采购"],
    ["昆虫记", "[法]法布尔", "人民教育出版社", 2018, 32.5, "", "Q96-49", 1, "E0000009", "", "中年级", "捐赠"],
]


def check(content, stacks, kind="excel"):
    rows = excel.read_rows(content) if kind == "excel" else marc.read_rows(content)
    return importing.check_rows(rows, kind=kind, filename="f", content=content, default_location=stacks)


def test_template_has_chinese_headers_and_reads_back(stacks):
    content = excel.template_bytes()
    ws = load_workbook(BytesIO(content)).active
    assert [c.value for c in ws[1]][:3] == ["题名", "其他题名", "丛编"]
    checked = check(content, stacks)
    assert checked.ok and checked.rows[0].data["isbn"] == "9787020002207"


def test_good_sheet_imports_records_and_copies(stacks, librarian):
    log = importing.run_import(check(xlsx(GOOD), stacks), by=librarian)
    assert (log.records_created, log.copies_created) == (2, 3)
    grass = Record.objects.get(title="草房子")
    assert (grass.call_number, grass.reader_level, grass.price) == ("I287.45/1", "upper", 25)
    assert Copy.objects.get(barcode="E0000009").source == "donation"
    assert grass.copies.count() == 2 and grass.search_document is not None


def test_problems_are_listed_per_row_and_nothing_is_written(stacks):
    rows = GOOD + [
        ["", "某人", "", "", "", "", "I287", 1, "", "", "", ""],
        ["坏书", "某人", "", "", "abc", "978-7-02-000220-8", "L1", 1, "", "火星", "", ""],
        ["重复登记号", "某人", "", "", "", "", "I287", 1, "E0000009", "", "", ""],
    ]
    checked = check(xlsx(rows), stacks)
    problems = {r.number: " ".join(r.problems) for r in checked.problem_rows}
    assert set(problems) == {4, 5, 6}
    assert "缺少题名" in problems[4]
    assert "校验位" in problems[5] and "基本大类 L" in problems[5] and "火星" in problems[5] and "abc" in problems[5]
    assert "与第 3 行重复" in problems[6]
    with pytest.raises(ImportRejected):
        importing.run_import(checked)
    assert not Record.objects.exists() and not ImportLog.objects.exists()


def test_the_same_file_twice_imports_once(stacks):
    content = xlsx(GOOD)
    importing.run_import(check(content, stacks))
    again = check(content, stacks)
    assert again.already is not None and not again.ok
    with pytest.raises(ImportRejected):
        importing.run_import(again)
    assert Record.objects.count() == 2 and Copy.objects.count() == 3


def test_a_changed_file_with_the_same_books_reuses_records_and_skips_known_barcodes(stacks):
    importing.run_import(check(xlsx(GOOD), stacks))
    resaved = xlsx(GOOD + [["城南旧事", "林海音", "", "", "", "", "I246.5", 1, "", "", "", ""]])
    checked = check(resaved, stacks)
    assert [r.existing is not None for r in checked.rows] == [True, True, False]
    log = importing.run_import(checked)
    assert (log.records_created, log.records_matched) == (1, 2)
    assert Record.objects.count() == 3
    assert Copy.objects.filter(barcode="E0000009").count() == 1


def test_not_an_excel_file_is_refused(db):
    with pytest.raises(ImportRejected):
        excel.read_rows(b"not a spreadsheet")


def test_cnmarc_import_maps_fields_and_holdings(stacks):
    content = marc_fixtures.iso(marc_fixtures.cnmarc())
    checked = check(content, stacks, kind="cnmarc")
    assert checked.ok, [r.problems for r in checked.rows]
    importing.run_import(checked)
    rec = Record.objects.get()
    assert (rec.title, rec.other_title, rec.authors, rec.publisher, rec.pub_place, rec.pub_year) == (
        "小橘灯",
        "冰心儿童文学选",
        "冰心",
        "新蕾出版社",
        "天津",
        2015,
    )
    assert (rec.isbn, rec.clc, rec.call_number, str(rec.price), rec.series) == (
        "9787530700181",
        "I286.5",
        "I286.5/9",
        "18.00",
        "百年百部中国儿童文学经典书系",
    )
    assert sorted(rec.copies.values_list("barcode", flat=True)) == ["C0000001", "C0000002"]


def test_marc21_import_strips_isbd_punctuation(stacks):
    content = marc_fixtures.iso(marc_fixtures.marc21())
    importing.run_import(check(content, stacks, kind="marc21"))
    rec = Record.objects.get()
    assert (rec.title, rec.authors, rec.publisher, rec.pub_year, rec.edition, rec.clc, rec.language) == (
        "Charlotte's web",
        "White, E. B",
        "Foreign Language Press",
        2019,
        "2nd ed",
        "I712.84",
        "eng",
    )
    assert rec.copies.get().barcode == "M0000001" and rec.call_number == "I712.84/3"


def test_a_broken_record_is_reported_by_number_and_blocks_the_import(stacks):
    good = marc_fixtures.cnmarc().as_marc()
    body = b"garbage\x1e\x1d"
    broken = f"{24 + len(body):05d}nam0 2200025   450 ".encode() + body
    no_title = marc_fixtures.cnmarc(title="", isbn="", barcodes=("C0000005",)).as_marc()
    checked = check(good + broken + no_title, stacks, kind="cnmarc")
    numbers = [r.number for r in checked.problem_rows]
    assert numbers == [2, 3]
    with pytest.raises(ImportRejected):
        importing.run_import(checked)
    assert not Record.objects.exists()


def test_a_gbk_cnmarc_file_is_read_as_such(stacks):
    """Chinese suppliers often send GBK (GB18030) files: detected, and the Chinese text comes out right."""
    first = marc_fixtures.iso_encoded(marc_fixtures.cnmarc(), "gb18030")
    second = marc_fixtures.iso_encoded(
        marc_fixtures.cnmarc(title="草房子", isbn="978-7-5346-1213-8", barcodes=("C0000003",)), "gb18030"
    )
    second = second[:9] + b"a" + second[10:]  # some files wrongly claim Unicode in leader/09
    content = first + second
    assert marc.detect_encoding(content) == "gb18030"
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    checked = check(content, stacks, kind="cnmarc")
    assert checked.ok, [r.problems for r in checked.rows]
    importing.run_import(checked)
    rec = Record.objects.get(title="小橘灯")
    assert (rec.other_title, rec.publisher, rec.pub_place, rec.series) == (
        "冰心儿童文学选",
        "新蕾出版社",
        "天津",
        "百年百部中国儿童文学经典书系",
    )
    assert Record.objects.get(isbn="9787534612138").copies.get().barcode == "C0000003"


def test_utf8_files_stay_utf8_and_the_encoding_can_be_forced(stacks):
    utf8 = marc_fixtures.iso(marc_fixtures.cnmarc())
    assert marc.detect_encoding(utf8) == "utf-8"
    assert marc.detect_encoding(b"plain ascii") == "utf-8"
    # Read with the wrong character set on purpose, the title is garbled, not silently "fixed".
    [(_, row)] = marc.read_rows(marc_fixtures.iso_encoded(marc_fixtures.cnmarc(), "gb18030"), encoding="utf-8")
    assert row["title"] != "小橘灯"
    [(_, row)] = marc.read_rows(marc_fixtures.iso_encoded(marc_fixtures.cnmarc(), "gb18030"), encoding="gb18030")
    assert row["title"] == "小橘灯"


def test_marc_import_page_shows_the_detected_encoding_and_imports(client, librarian, stacks):
    client.force_login(librarian)
    content = marc_fixtures.iso_encoded(marc_fixtures.cnmarc(), "gb18030")
    upload = SimpleUploadedFile("gbk.iso", content)
    html = client.post(reverse("catalog:import_marc"), {"file": upload, "location": stacks.pk}).content.decode()
    assert "字符编码：GB18030 / GBK（自动识别）" in html and "小橘灯" in html
    assert 'name="encoding" value="gb18030"' in html
    sha = importing.file_hash(content)
    client.post(
        reverse("catalog:import_marc"),
        {"sha": sha, "filename": "gbk.iso", "location": stacks.pk, "flavour": "auto", "encoding": "gb18030"},
    )
    assert Record.objects.get().title == "小橘灯"


def test_marc_file_that_is_not_iso2709_is_refused(db):
    with pytest.raises(ImportRejected):
        marc.read_rows(b"hello, this is a text file and not MARC at all")


def test_marc21_export_reads_back(client, librarian, catalogue):
    rec = catalogue(
        "西游记",
        "I242.4",
        isbn="9787020002207",
        authors="吴承恩；李卓吾评",
        publisher="人民文学出版社",
        pub_year=2019,
        copies=2,
    )
    client.force_login(librarian)
    response = client.post(reverse("catalog:export_marc"), {"ids": str(rec.pk)})
    records = list(MARCReader(response.content, to_unicode=True, force_utf8=True))
    assert len(records) == 1
    r = records[0]
    assert r["245"]["a"] == "西游记" and r["020"]["a"] == "9787020002207" and r["084"]["a"] == "I242.4"
    assert len(r.get_fields("852")) == 2 and r["100"]["a"] == "吴承恩"


def test_excel_export_has_titles_and_copies_sheets_and_neutralises_formulas(client, librarian, catalogue):
    catalogue("=cmd|' /C calc'!A0", "I287.5", copies=1, price=Decimal("9.27"))
    client.force_login(librarian)
    wb = load_workbook(BytesIO(client.get(reverse("catalog:export_excel")).content))
    assert wb.sheetnames == ["书目", "复本"]
    title = wb["书目"]["B2"]
    # Shown as typed (no apostrophe), stored as text, and kept as text when edited in Excel.
    assert (title.value, title.data_type, title.quotePrefix) == ("=cmd|' /C calc'!A0", "s", True)
    assert (wb["书目"]["J2"].value, wb["书目"]["J2"].data_type) == (9.27, "n")
    assert wb["复本"]["A2"].value == "A0000001"


def test_import_view_preview_then_confirm(client, librarian, stacks):
    client.force_login(librarian)
    # Built once: a workbook records the time it was saved, so a second build may differ.
    content = xlsx(GOOD)
    upload = SimpleUploadedFile("books.xlsx", content)
    html = client.post(reverse("catalog:import_excel"), {"file": upload, "location": stacks.pk}).content.decode()
    assert "将新建书目 2 种，新增复本 3 册" in html and not Record.objects.exists()
    sha = importing.file_hash(content)
    response = client.post(
        reverse("catalog:import_excel"), {"sha": sha, "filename": "books.xlsx", "location": stacks.pk}
    )
    assert response.status_code == 302 and Record.objects.count() == 2
    assert ImportLog.objects.get().created_by == librarian


def test_import_view_with_problems_offers_no_import_button(client, librarian, stacks):
    client.force_login(librarian)
    upload = SimpleUploadedFile("bad.xlsx", xlsx([["", "", "", "", "", "", "", 1, "", "", "", ""]]))
    html = client.post(reverse("catalog:import_excel"), {"file": upload}).content.decode()
    assert "存在问题" in html and "import-confirm" not in html


def test_marc_import_view_access(client, assistant, db):
    url = reverse("catalog:import_marc")
    assert client.get(url).status_code == 302
    client.force_login(assistant)
    assert client.get(url).status_code == 403


def test_export_marc_needs_post(client, librarian, db):
    client.force_login(librarian)
    assert client.get(reverse("catalog:export_marc")).status_code == 405


def test_marc21_export_of_a_batch_and_of_a_class_prefix(client, librarian, catalogue, stacks):
    from datetime import date

    from catalog import services

    batch = services.batch_create(received_on=date(2025, 9, 1))
    services.copies_add(record=catalogue("草房子", "I287.45", copies=0), count=1, location=stacks, batch=batch)
    catalogue("计算机", "TP3")
    client.force_login(librarian)
    by_batch = list(
        MARCReader(client.post(reverse("catalog:export_marc"), {"batch": batch.pk}).content, force_utf8=True)
    )
    by_class = list(MARCReader(client.post(reverse("catalog:export_marc"), {"clc": "tp"}).content, force_utf8=True))
    assert [r["245"]["a"] for r in by_batch] == ["草房子"] and [r["245"]["a"] for r in by_class] == ["计算机"]
    response = client.post(reverse("catalog:export_marc"), {}, follow=True)
    assert "请选择要导出的书目" in response.content.decode()


def test_numeric_cells_are_read_as_text(stacks):
    content = xlsx(
        [[1984, 2020, "出版社", 2020, 30, "", "I561.45", 1, "", "", "", ""]],
        headers=["题名", "页数", *HEADERS[2:]],
    )
    importing.run_import(check(content, stacks))
    rec = Record.objects.get()
    assert (rec.title, rec.pages) == ("1984", "2020")
