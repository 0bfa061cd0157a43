"""统一书号 (unified book number of books printed before ISBNs, e.g. 10019·1234): CNMARC 091 $a is read,
kept on pool records, found by a scan, and carried into the catalogue by the MARC import and by 扫描编目."""

import pytest
from django.urls import reverse

from catalog import importing, marc
from catalog.models import Record, SourceRecord
from catalog.sources import lookup, pool
from tests.catalog import marc_fixtures

HTMX = {"HTTP_HX_REQUEST": "true"}


def old_book(**over):
    """An old book of 1978: no ISBN, a 统一书号 in 091 (price in 091 $d), as union catalogues hold them."""
    fields = {"title": "小兵张嘎", "isbn": "", "unified": "10019.1234", "price": "0.32", "barcodes": ()}
    return marc_fixtures.cnmarc(**(fields | over))


@pytest.mark.parametrize(
    "text, number",
    [("10019.1234", "10019·1234"), ("统一书号：R7020-56", "R7020·56"), ("10019·1234", "10019·1234")],
)
def test_cnmarc_091_is_read_as_the_unified_number(text, number):
    [(_n, row)] = marc.read_rows(marc_fixtures.iso(old_book(unified=text)))
    assert row["unified_number"] == number and row["isbn"] == ""


def test_the_price_of_a_book_without_isbn_comes_from_091(db):
    [(_n, row)] = marc.read_rows(marc_fixtures.iso(old_book()))
    assert row["price"] == "0.32"


def test_a_scanned_unified_number_finds_the_pool_record(db):
    pool.pool_import(content=marc_fixtures.iso(old_book(), marc_fixtures.cnmarc()), name="联合目录 旧书")
    assert SourceRecord.objects.get(title="小兵张嘎").unified_number == "10019·1234"
    found = lookup.lookup_isbn("10019-1234")
    assert [(c.source, c.fields["title"]) for c in found.candidates] == [("pool", "小兵张嘎")]
    assert [r.title for r in pool.search_records("10019.1234")] == ["小兵张嘎"]


def test_the_unified_number_lookup_uses_its_index(db, django_assert_num_queries):
    pool.pool_import(content=marc_fixtures.iso(old_book()), name="旧书")
    with django_assert_num_queries(1):
        assert len(pool.lookup_unified_number("10019·1234")) == 1
    assert pool.lookup_unified_number("not one") == []


def test_the_marc_import_stores_the_unified_number_on_the_record(stacks):
    content = marc_fixtures.iso(old_book())
    rows = marc.read_rows(content)
    checked = importing.check_rows(rows, kind="cnmarc", filename="旧书.mrc", content=content, default_location=stacks)
    importing.run_import(checked)
    record = Record.objects.get()
    assert (record.unified_number, record.isbn, str(record.price)) == ("10019·1234", "", "0.32")


def test_a_second_file_with_the_same_unified_number_adds_copies_to_that_record(stacks, catalogue):
    existing = catalogue("小兵张嘎", "I287.45", unified_number="10019·1234", authors="徐光耀")
    content = marc_fixtures.iso(old_book(title="小兵张嘎（修订本）", barcodes=("C0000091",)))
    rows = marc.read_rows(content)
    checked = importing.check_rows(rows, kind="cnmarc", filename="旧书.mrc", content=content, default_location=stacks)
    assert [r.existing for r in checked.rows] == [existing]
    importing.run_import(checked)
    assert Record.objects.count() == 1 and existing.copies.filter(barcode="C0000091").exists()


def test_an_unreadable_091_is_said_on_the_preview_and_not_imported(stacks):
    content = marc_fixtures.iso(old_book(unified="见书名页"))
    rows = marc.read_rows(content)
    checked = importing.check_rows(rows, kind="cnmarc", filename="旧书.mrc", content=content, default_location=stacks)
    assert checked.ok and any("统一书号“见书名页”" in w for w in checked.rows[0].warnings)
    importing.run_import(checked)
    assert Record.objects.get().unified_number == ""


def test_scanning_a_unified_number_fills_the_form_and_confirming_keeps_it(client, librarian, stacks):
    pool.pool_import(content=marc_fixtures.iso(old_book()), name="联合目录 旧书")
    client.force_login(librarian)
    html = client.get(reverse("catalog:scan"), {"code": "10019.1234"}, **HTMX).content.decode()
    assert "联合目录 旧书" in html and 'name="unified_number" value="10019·1234"' in html
    assert 'name="title" value="小兵张嘎"' in html
    data = {
        "title": "小兵张嘎",
        "unified_number": "10019·1234",
        "clc": "I287.45",
        "language": "chi",
        "c-copies": "1",
        "c-location": stacks.pk,
        "c-source": "purchase",
    }
    client.post(reverse("catalog:scan_create"), data)
    assert Record.objects.get().unified_number == "10019·1234"


def test_an_isbn_scan_carries_the_unified_number_of_the_pool_record_too(client, librarian, stacks):
    book = marc_fixtures.cnmarc(title="闪闪的红星", isbn="978-7-5307-0018-1", unified="10019·2001", barcodes=())
    pool.pool_import(content=marc_fixtures.iso(book), name="重印本")
    client.force_login(librarian)
    html = client.get(reverse("catalog:scan"), {"code": "9787530700181"}, **HTMX).content.decode()
    assert 'name="unified_number" value="10019·2001"' in html


def test_the_record_pages_show_the_unified_number_of_an_old_book(client, librarian, catalogue):
    record = catalogue("小兵张嘎", "I287.45", unified_number="10019·1234")
    client.force_login(librarian)
    staff = client.get(reverse("catalog:record_staff", args=[record.pk])).content.decode()
    assert 'data-testid="record-unified-number">10019·1234<' in staff and 'data-testid="record-isbn"' not in staff
    public = client.get(reverse("catalog:record", args=[record.pk])).content.decode()
    assert 'data-testid="record-unified-number">10019·1234<' in public
