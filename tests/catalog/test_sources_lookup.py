"""The source lookup behind 扫描编目: the code scanned (ISBN-10/13, 统一书号), the school's own
catalogue first, then the pool, then Z39.50; which source fills the form; what differs."""

import pytest

from catalog import services
from catalog.models import Z3950Target
from catalog.sources import local, lookup
from catalog.sources.candidate import Candidate
from tests.catalog.pool_data import put_in_pool


@pytest.mark.parametrize(
    "code, isbn, unified",
    [
        ("7-02-000220-X", "9787020002207", ""),
        ("978-7-02-000220-7", "9787020002207", ""),
        ("10019·1234", "", "10019·1234"),
        ("7020.1234", "", "7020·1234"),
        ("R7020-56", "", "R7020·56"),
    ],
)
def test_the_scanned_code_is_read_as_isbn_13_or_unified_number(code, isbn, unified):
    assert lookup.parse_code(code)[:2] == (isbn, unified)


@pytest.mark.parametrize("code", ["", "978-7-02-000220-8", "abc"])
def test_a_code_that_is_neither_gets_a_chinese_message(code, db):
    found = lookup.lookup_isbn(code)
    assert found.problem and not found.candidates


def test_the_own_catalogue_answers_first_with_its_record(catalogue):
    rec = catalogue("西游记", "I242.4", isbn="9787020002207", authors="吴承恩", price="39.80")
    found = lookup.lookup_isbn("7-02-000220-X")
    assert [(c.source, c.label, c.record_id) for c in found.local] == [("local", "本馆书目", rec.pk)]
    assert found.filled_from.fields["title"] == "西游记" and found.filled_from.fields["price"] == "39.80"
    assert not found.z3950_searched  # found here: the union catalogue is not asked


def test_an_old_book_is_found_by_its_unified_number(catalogue):
    rec = catalogue("林海雪原", "I247.5", unified_number="10019·1234")
    assert services.unified_number_normalize("10019.1234") == "10019·1234"
    assert [c.record_id for c in lookup.lookup_isbn("10019.1234").local] == [rec.pk]


def test_the_local_lookup_is_one_query(catalogue, django_assert_num_queries):
    catalogue("西游记", "I242.4", isbn="9787020002207")
    with django_assert_num_queries(1):
        assert len(local.lookup_isbn("9787020002207")) == 1


def test_the_pool_answers_after_the_own_catalogue(catalogue):
    put_in_pool([{"title": "草房子", "isbn": "9787544800013"}])
    found = lookup.lookup_isbn("978-7-5448-0001-3")
    assert [(c.source, c.label) for c in found.candidates] == [("pool", "书商 2026 秋季 MARC")]
    assert found.filled_from.fields["title"] == "草房子" and not found.z3950_searched


def test_z3950_is_searched_when_nothing_else_answers_or_when_asked(catalogue, zebra_server):
    target = zebra_server.target("cnmarc", name="测试联合目录")
    target.save()
    found = lookup.lookup_isbn("9787020042494")  # 小王子: only the Z39.50 server has it
    assert found.z3950_searched and [(c.source, c.fields["title"]) for c in found.candidates] == [("z3950", "小王子")]
    catalogue("西游记", "I242.4", isbn="9787020002207")
    assert not lookup.lookup_isbn("9787020002207").z3950_searched
    asked = lookup.lookup_isbn("9787020002207", z3950=True)
    assert [c.source for c in asked.candidates] == ["local", "z3950"]


def test_a_z3950_server_that_is_down_is_a_message(db, closed_port):
    Z3950Target.objects.create(name="市馆联合目录", host="127.0.0.1", port=closed_port, database="x", timeout=2)
    found = lookup.lookup_isbn("9787544800013")
    assert found.z3950_searched and not found.candidates
    assert len(found.errors) == 1 and found.errors[0].startswith("市馆联合目录：")


def test_differences_between_sources_are_listed_per_field():
    found = lookup.Lookup(
        query="9787544800013",
        isbn="9787544800013",
        candidates=[
            Candidate("pool", "书商 2026 秋", {"title": "草房子", "publisher": "天天出版社", "price": "25.00"}),
            Candidate("z3950", "国家图书馆", {"title": "草房子 ", "publisher": "江苏少年儿童出版社", "price": ""}),
        ],
    )
    assert found.filled_from.label == "书商 2026 秋"
    assert [(d.name, d.values) for d in found.differences] == [
        ("publisher", [(0, "天天出版社"), (1, "江苏少年儿童出版社")])
    ]
