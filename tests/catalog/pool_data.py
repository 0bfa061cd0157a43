"""Books in the pool (书目数据源) for the 扫描编目 tests: small CNMARC records of our own,
one pool file per supplier name."""

from collections import defaultdict

from pymarc import Field, Indicators, Subfield
from pymarc import Record as MarcRecord

from catalog.sources import pool

DEFAULT_FILE = "书商 2026 秋季 MARC"


def _f(tag, *pairs, ind=(" ", " ")):
    return Field(tag, Indicators(*ind), [Subfield(code, value) for code, value in pairs if value])


def cnmarc(book: dict) -> MarcRecord:
    m = MarcRecord(force_utf8=True, leader="00000nam0 2200000   450 ")
    m.add_field(_f("010", ("a", book["isbn"]), ("d", book.get("price", "CNY20.00"))))
    m.add_field(_f("101", ("a", book.get("language", "chi")), ind=("0", " ")))
    m.add_field(_f("200", ("a", book["title"]), ("f", book.get("authors", "曹文轩")), ind=("1", " ")))
    m.add_field(_f("210", ("a", "南京"), ("c", book.get("publisher", "天天出版社")), ("d", "2016")))
    m.add_field(_f("215", ("a", "300页")))
    m.add_field(_f("690", ("a", book.get("clc", "I287.45")), ("v", "5")))
    m.add_field(_f("701", ("a", book.get("authors", "曹文轩")), ("4", "著"), ind=(" ", "0")))
    return m


def put_in_pool(books: list[dict]) -> None:
    """Put the books into the pool through its import, one file per `file` name (default: a supplier's)."""
    files = defaultdict(list)
    for book in books:
        files[book.get("file", DEFAULT_FILE)].append(cnmarc(book))
    for name, records in files.items():
        pool.pool_import(content=b"".join(r.as_marc() for r in records), name=name)
