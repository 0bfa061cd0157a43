"""The source pool (书目数据源): files go in without holdings, and answer ISBN and title look-ups."""

import pytest

from catalog.exceptions import CatalogError
from catalog.models import Copy, Record, SourceFile, SourceRecord
from catalog.sources import pool
from tests.catalog import marc_fixtures
from tests.catalog.fixtures.make_fixtures import read


def test_a_pool_import_holds_records_without_holdings(librarian):
    source = pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="新蕾 2026 春季书目", by=librarian)
    assert source.record_count == 3
    assert (source.encoding, source.flavour, source.uploaded_by) == ("gb18030", "cnmarc", librarian)
    assert Record.objects.count() == 0 and Copy.objects.count() == 0
    titles = list(SourceRecord.objects.filter(file=source).values_list("title", flat=True))
    assert titles == ["小橘灯", "The little prince", "寄小读者"]


def test_lookup_isbn_answers_with_candidates_that_name_their_file(db):
    source = pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="新蕾书目")
    [candidate] = pool.lookup_isbn("7-5307-0018-9")  # the ISBN-10 of 9787530700181
    record = SourceRecord.objects.get(isbn13="9787530700181")
    assert (candidate.source, candidate.label, candidate.record_id) == ("pool", "新蕾书目", record.pk)
    assert candidate.fields["title"] == "小橘灯" and candidate.fields["clc"] == "I286.5"
    assert candidate.marc == read("cnmarc-gb18030.mrc")[: len(candidate.marc)]
    assert source.records.count() == 3


def test_lookup_isbn_lists_every_file_that_has_the_book_newest_first(db):
    pool.pool_import(content=read("cnmarc-gb18030.mrc"), name="旧书目")
    pool.pool_import(content=marc_fixtures.iso(marc_fixtures.cnmarc(price="CNY20.00")), name="新书目")
    assert [c.label for c in pool.lookup_isbn("9787530700181")] == ["新书目", "旧书目"]
    assert pool.lookup_isbn("not an isbn") == [] and pool.lookup_isbn("9787530700182") == []


def test_search_finds_by_part_of_the_title_or_by_isbn(db):
    pool.pool_import(content=read("marc21-shared-isbn.mrc"), name="苏少")
    assert {c.fields["title"] for c in pool.search("草房")} == {"草房子", "草房子 [电子资源]"}
    assert len(pool.search("978-7-5346-1213-8")) == 2
    assert pool.search("") == []


def test_the_same_file_goes_into_the_pool_once(db):
    pool.pool_import(content=read("marc21.xml"), name="a")
    with pytest.raises(CatalogError):
        pool.pool_import(content=read("marc21.xml"), name="b")
    assert SourceFile.objects.count() == 1


def test_unreadable_records_are_skipped_and_listed_in_chinese(db):
    good = marc_fixtures.cnmarc().as_marc()
    broken = b"004Z" + good[4:]
    source = pool.pool_import(content=good + broken, name="f")
    assert source.record_count == 1 and source.skipped_count == 1
    [(number, message)] = source.summary.skipped
    assert number == 2 and "记录长度" in message and "invalid literal" not in message


def test_a_file_without_any_readable_record_leaves_nothing(db):
    with pytest.raises(CatalogError):
        pool.pool_import(content=b"0000" + b"x" * 40 + b"\x1d", name="f")
    assert not SourceFile.objects.exists()


def test_deleting_a_file_removes_its_records_only(db):
    first = pool.pool_import(content=read("marc21.xml"), name="a")
    second = pool.pool_import(content=read("marc21-shared-isbn.mrc"), name="b")
    assert pool.pool_file_delete(source_file=first) == 2
    assert list(SourceRecord.objects.values_list("file_id", flat=True).order_by().distinct()) == [second.pk]


def test_the_pool_import_command(db, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "dump.xml"
    path.write_bytes(read("marc21.xml"))
    out = StringIO()
    call_command("pool_import", str(path), "--origin", "联合目录", stdout=out)
    assert "2 records put into the pool as “dump.xml”" in out.getvalue()
    assert SourceFile.objects.get().origin == "联合目录"
