"""MARC import of files as they really come (issue #11): each defect seen with real records, with a
small fixture of our own (tests/catalog/fixtures/, made by make_fixtures.py)."""

import pytest
from django.urls import reverse

from catalog import importing, marc
from catalog.models import Copy, ImportLog, Record, SourceRecord
from tests.catalog import marc_fixtures
from tests.catalog.fixtures.make_fixtures import read


def check(content, stacks, *, encoding="auto", classes=None):
    rows = marc.read_rows(content, encoding=encoding)
    return importing.check_rows(
        rows, kind="marc21", filename="f.mrc", content=content, default_location=stacks, classes=classes
    )


def test_a_marc21_record_without_008_is_read(stacks):
    [(_n, first), (_m, second)] = marc.read_rows(read("marc21-marc8.mrc"))
    assert first["language"] == "fre" and second["language"] == "chi"  # no 008: the default
    assert second["title"] == "Café au lait"


def test_our_own_marc21_export_imports_back(client, librarian, catalogue, stacks):
    rec = catalogue("西游记", "I242.4", isbn="9787020002207", authors="吴承恩", publisher="人民文学出版社", copies=1)
    client.force_login(librarian)
    exported = client.post("/catalog/export/marc/", {"ids": str(rec.pk)}).content
    assert b"008" not in exported[24:200]  # our export writes no 008 field
    Copy.objects.all().delete()
    Record.objects.all().delete()
    checked = check(exported, stacks)
    assert checked.ok and checked.new_records == 1
    importing.run_import(checked)
    back = Record.objects.get()
    assert (back.title, back.isbn, back.clc, back.authors) == ("西游记", "9787020002207", "I242.4", "吴承恩")


def test_marc8_is_detected_and_accents_stay_correct(stacks):
    content = read("marc21-marc8.mrc")
    assert marc.detect_encoding(content) == "marc8"
    titles = [row["title"] for _n, row in marc.read_rows(content)]
    assert titles == ["L'étranger", "Café au lait"]


def test_the_encoding_chosen_on_the_form_wins(stacks):
    [(_n, row), _second] = marc.read_rows(read("marc21-marc8.mrc"), encoding="gb18030")
    assert row["title"] != "L'étranger"  # read as GB18030 on purpose: the librarian's choice is used


def test_non_sorting_markers_are_stripped_from_titles(stacks):
    gb = {row["isbn"]: row["title"] for _n, row in marc.read_rows(read("cnmarc-gb18030.mrc"))}
    assert gb["978-7-5346-1213-8"] == "The little prince"
    utf8 = [row["title"] for _n, row in marc.read_rows(read("marc21-shared-isbn.mrc"))]
    assert utf8[2] == "The bronze and sunflower"


def test_raw_0x88_0x89_bytes_in_a_utf8_file_are_stripped_too(db):
    record = marc_fixtures.cnmarc(title="XXThe YYlittle prince").as_marc()
    content = record.replace(b"XX", b"\x88").replace(b"YY", b"\x89")
    content = f"{len(content) - 2:05d}".encode() + content[5:]
    assert marc.detect_encoding(content) == "utf-8"
    [(_n, row)] = marc.read_rows(content)
    assert row["title"] == "The little prince"


@pytest.mark.parametrize("tail", [b"\n", b"\r\n", b"\x1a", b"  \n\n"])
def test_whitespace_after_the_last_record_is_not_a_record(stacks, tail):
    content = marc_fixtures.iso(marc_fixtures.marc21()) + tail
    checked = check(content, stacks)
    assert [r.number for r in checked.rows] == [1] and checked.ok


def test_records_with_the_same_isbn_are_not_merged(stacks):
    checked = check(read("marc21-shared-isbn.mrc"), stacks)
    assert checked.ok and checked.new_records == 3
    assert any("与第 1 条 ISBN 相同" in w for w in checked.rows[1].warnings)
    log = importing.run_import(checked)
    assert log.records_created == checked.new_records == 3
    prices = dict(Record.objects.filter(isbn="9787534612138").values_list("title", "price"))
    assert {str(v) for v in prices.values()} == {"25.00", "9.90"}
    assert set(Record.objects.values_list("book_number", flat=True)) == {"1", "2", "3"}


def test_a_book_number_the_class_already_uses_is_replaced_and_said(stacks, catalogue):
    catalogue("别的书", "I287.45", book_number="2")
    checked = check(read("marc21-shared-isbn.mrc"), stacks)
    assert any("种次号 2 在 I287.45 类中已被使用" in w for w in checked.rows[1].warnings)
    importing.run_import(checked)
    numbers = sorted(Record.objects.filter(clc="I287.45").values_list("book_number", flat=True), key=int)
    assert len(numbers) == len(set(numbers)) == 4


def test_a_broken_record_is_named_in_chinese_with_its_number_and_field(stacks):
    good = marc_fixtures.marc21().as_marc()
    bad_leader = b"004Z" + good[4:]
    bad_directory = good[:24] + b"020004Z" + good[31:]
    checked = check(good + bad_leader + bad_directory, stacks)
    messages = [p for r in checked.rows for p in r.problems]
    assert messages[0].startswith("第 2 条记录无法解析") and "记录长度“004Z" in messages[0]
    assert messages[1].startswith("第 3 条记录无法解析") and "字段 020 的长度“004Z”不是数字" in messages[1]
    assert not any("invalid literal" in m or "int()" in m for m in messages)


def test_a_bad_value_names_record_and_field(stacks):
    content = marc_fixtures.iso(marc_fixtures.marc21(), marc_fixtures.marc21(isbn="9787020002208", barcode="M2"))
    [problem] = check(content, stacks).rows[1].problems
    assert problem.startswith("第 2 条记录，字段 020$a：") and "校验位" in problem


def test_marcxml_is_read(stacks):
    checked = check(read("marc21.xml"), stacks)
    assert [r.data["title"] for r in checked.rows] == ["青铜葵花", "细米"] and checked.ok
    importing.run_import(checked)
    assert Record.objects.count() == 2


def test_a_record_without_a_class_does_not_refuse_the_file(stacks):
    content = read("cnmarc-gb18030.mrc")
    checked = importing.check_rows(
        marc.read_rows(content), kind="cnmarc", filename="新蕾.mrc", content=content, default_location=stacks
    )
    assert checked.ok and [r.number for r in checked.needing_class] == [3]
    assert checked.new_records == 2 and [r.number for r in checked.pooled] == [3]
    log = importing.run_import(checked)
    assert (log.records_created, log.records_pooled) == (2, 1)
    pooled = SourceRecord.objects.get()
    assert pooled.title == "寄小读者" and pooled.file.name == "新蕾.mrc（未分类记录）"


def test_the_workbench_counts_the_records_an_import_put_in_the_pool(client, librarian, stacks):
    content = read("cnmarc-gb18030.mrc")
    checked = importing.check_rows(
        marc.read_rows(content), kind="cnmarc", filename="新蕾.mrc", content=content, default_location=stacks
    )
    importing.run_import(checked, by=librarian)
    assert SourceRecord.objects.get().file.flavour == "cnmarc"  # not "mixed": the file was CNMARC
    client.force_login(librarian)
    html = client.get(reverse("catalog:manage")).content.decode()
    assert "新书目 2，已有 0，新复本 0，放入书目数据源 1" in html


def test_a_class_typed_on_the_preview_imports_the_record(stacks):
    content = read("cnmarc-gb18030.mrc")
    checked = importing.check_rows(
        marc.read_rows(content),
        kind="cnmarc",
        filename="f",
        content=content,
        default_location=stacks,
        classes={3: "i286.5"},
    )
    assert checked.new_records == 3 and not checked.pooled
    importing.run_import(checked)
    assert Record.objects.get(title="寄小读者").clc == "I286.5" and not SourceRecord.objects.exists()


def test_a_wrong_class_typed_on_the_preview_is_a_problem_of_that_record(stacks):
    content = read("cnmarc-gb18030.mrc")
    checked = importing.check_rows(
        marc.read_rows(content),
        kind="cnmarc",
        filename="f",
        content=content,
        default_location=stacks,
        classes={3: "乱码"},
    )
    assert not checked.ok and checked.problem_rows[0].problems[0].startswith("第 3 条记录，字段 690$a：")
    assert not ImportLog.objects.exists()


def test_excel_rows_of_the_same_book_share_a_record_and_the_preview_says_so(stacks):
    from catalog import excel
    from tests.catalog.test_import import xlsx

    row = ["草房子", "曹文轩", "天天出版社", 2016, 25, "9787544800013", "I287.45", 1, "", "书库", "高年级", "采购"]
    content = xlsx([row, row])
    checked = importing.check_rows(
        excel.read_rows(content), kind="excel", filename="f", content=content, default_location=stacks
    )
    assert checked.new_records == 1 and checked.rows[1].merged_into == 2
    assert "与第 2 行是同一种书" in checked.rows[1].warnings[0]
    log = importing.run_import(checked)
    assert (log.records_created, log.copies_created) == (1, 2)
