"""A record's page: its cover, "readers of this book also borrowed" (anonymous, at least three
readers) and the other books of its series."""

from datetime import timedelta

from django.utils import timezone

from reading import selectors
from tests.reading.conftest import lend, pupil


def readers_of(record, *names):
    readers = [pupil(name) for name in names]
    for reader in readers:
        lend(record, reader)
    return readers


def test_also_borrowed_needs_three_readers(book):
    a, b = book("西游记"), book("水浒传")
    readers = readers_of(a, "甲", "乙")
    for reader in readers:
        lend(b, reader)
    assert selectors.also_borrowed(a) == []


def test_also_borrowed_shows_books_two_of_the_readers_borrowed(book):
    a, shared, single = book("西游记"), book("水浒传"), book("三国演义")
    first, second, _third = readers_of(a, "甲", "乙", "丙")
    lend(shared, first)
    lend(shared, second)
    lend(single, first)  # one reader's book would tell what that pupil reads
    assert [r.title for r in selectors.also_borrowed(a)] == ["水浒传"]


def test_also_borrowed_comes_from_the_books_most_recent_readers(book, monkeypatch):
    monkeypatch.setattr(selectors, "ALSO_RECENT_READERS", 3)
    a, old_taste, new_taste = book("西游记"), book("水浒传"), book("三国演义")
    today = timezone.localdate()
    early = [pupil(name) for name in ("甲", "乙", "丙")]
    late = [pupil(name) for name in ("丁", "戊", "己")]
    for reader in early:
        lend(a, reader, day=today - timedelta(days=300))
        lend(old_taste, reader, day=today - timedelta(days=290))
    for reader in late:
        lend(a, reader, day=today - timedelta(days=20))
    for reader in late[:2]:
        lend(new_taste, reader, day=today - timedelta(days=10))
    assert [r.title for r in selectors.also_borrowed(a)] == ["三国演义"]


def test_the_record_page_shows_also_borrowed_without_names(client, book):
    a, shared = book("西游记"), book("水浒传")
    first, second, _third = readers_of(a, "张小明", "李小红", "王小刚")
    lend(shared, first)
    lend(shared, second)
    page = client.get(f"/record/{a.pk}/").content.decode()
    assert 'data-testid="shelf-also"' in page and "水浒传" in page
    assert "张小明" not in page


def test_the_record_page_shows_the_cover_and_the_same_series(client, book):
    one = book("哈利·波特与魔法石", series="哈利·波特", volume="1")
    two = book("哈利·波特与密室", series="哈利·波特", volume="2")
    book("小王子")
    page = client.get(f"/record/{one.pk}/").content.decode()
    assert f"/record/{one.pk}/cover/" in page
    assert 'data-testid="shelf-series"' in page and f"/record/{two.pk}/" in page
    assert "小王子" not in page


def test_a_record_without_series_or_readers_shows_no_empty_shelves(client, book):
    rec = book("小王子")
    page = client.get(f"/record/{rec.pk}/").content.decode()
    assert "shelf-also" not in page and "shelf-series" not in page
