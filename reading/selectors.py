"""Reads of the reading app for the public pages: shelves, rankings, also-borrowed, series."""

from datetime import date, datetime, time

from django.db.models import Count, Max, Q
from django.utils import timezone

from catalog.models import Record
from circulation.models import Loan, SchoolClass, school_year_of
from reading.models import PopularBook, ReadingList, Stage

SHELF_SIZE = 12
COVER_FIELDS = ("id", "title", "volume", "authors", "clc_base", "cover", "updated_at")
# "Readers of this book also borrowed" shows only books of a record at least this many readers
# borrowed, and only books at least two of them borrowed: no single pupil's reading shows.
ALSO_MIN_READERS = 3
ALSO_MIN_SHARED = 2
# ... drawn from the book's most recent readers only: a much-borrowed book's page stays quick (its
# readers' other loans are what the query groups) and shows what its readers borrow now.
ALSO_RECENT_READERS = 24


def new_arrivals(limit: int = SHELF_SIZE) -> list[Record]:
    """The newest records with a copy in the collection (the pk index; no join over the copies)."""
    return list(Record.objects.exclude(location_ids=[]).order_by("-pk").only(*COVER_FIELDS)[:limit])


def popular(*, stage: str = "", grade: int | None = None) -> list[PopularBook]:
    return list(
        PopularBook.objects.filter(stage=stage, grade=grade)
        .select_related("record")
        .only("rank", "loans", *(f"record__{f}" for f in COVER_FIELDS))
        .order_by("rank")
    )


def ranked_grades() -> list[tuple[str, int]]:
    """The (stage, grade) pairs that have a ranking, in school order."""
    order = {s: i for i, s in enumerate(Stage.values)}
    pairs = PopularBook.objects.exclude(stage="").values_list("stage", "grade").distinct()
    return sorted(pairs, key=lambda p: (order.get(p[0], 9), p[1]))


def featured_list(kind: str) -> ReadingList | None:
    return ReadingList.objects.filter(kind=kind, featured=True).order_by("-updated_at", "-pk").first()


def list_items(reading_list: ReadingList, *, held_only: bool = False):
    items = reading_list.items.select_related("record").order_by("position", "pk")
    if held_only:
        items = items.filter(record__isnull=False)
    return items


def also_borrowed(record: Record, limit: int = 8) -> list[Record]:
    """Books borrowed by readers who borrowed this one (pupils never named; see ALSO_MIN_*)."""
    borrowers = (
        Loan.objects.filter(copy__record=record)
        .values_list("reader_id", "anonymous_borrower_id")
        .annotate(last=Max("checked_out_at"))
        .order_by("-last")[:ALSO_RECENT_READERS]
    )
    reader_ids = {r for r, _a, _last in borrowers if r}
    anonymous_ids = {a for _r, a, _last in borrowers if a}
    if len(reader_ids) + len(anonymous_ids) < ALSO_MIN_READERS:
        return []
    rows = (
        Loan.objects.filter(Q(reader_id__in=reader_ids) | Q(anonymous_borrower_id__in=anonymous_ids))
        .exclude(copy__record=record)
        .values("copy__record_id")
        .annotate(readers=Count("reader_id", distinct=True) + Count("anonymous_borrower_id", distinct=True))
        .filter(readers__gte=ALSO_MIN_SHARED)
        .order_by("-readers", "copy__record_id")[:limit]
    )
    return records_in_order([row["copy__record_id"] for row in rows])


def same_series(record: Record, limit: int = 12) -> list[Record]:
    if not record.series.strip():
        return []
    return list(
        Record.objects.filter(series=record.series)
        .exclude(pk=record.pk)
        .order_by("volume", "title_normalized", "pk")
        .only(*COVER_FIELDS)[:limit]
    )


def records_in_order(pks: list[int]) -> list[Record]:
    found = Record.objects.only(*COVER_FIELDS).in_bulk(pks)
    return [found[pk] for pk in pks if pk in found]


def class_list_progress(school_class: SchoolClass, reading_list: ReadingList, today: date) -> list[tuple]:
    """(item, pupils of the class who borrowed it this school year) for each book of a list."""
    year_start = date(school_year_of(today), 8, 1)
    since = timezone.make_aware(datetime.combine(year_start, time.min))
    items = list(list_items(reading_list))
    record_ids = [item.record_id for item in items if item.record_id]
    counts = dict(
        Loan.objects.filter(school_class=school_class, checked_out_at__gte=since, copy__record_id__in=record_ids)
        .values("copy__record_id")
        .annotate(n=Count("reader_id", distinct=True) + Count("anonymous_borrower_id", distinct=True))
        .values_list("copy__record_id", "n")
    )
    return [(item, counts.get(item.record_id, 0) if item.record_id else None) for item in items]
