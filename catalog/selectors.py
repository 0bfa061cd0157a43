"""Read-side queries of the catalogue shared by views, exports and the benchmark."""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, F, Func, IntegerField, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from catalog import clc, textsearch
from catalog.models import Copy, CopyStatus, ReaderLevel, Record

PAGE_SIZE = 20


class TsMatch(Func):
    """`document @@ query` (the query is a tsquery literal made by catalog.textsearch)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def in_collection(qs=None):
    """Copies still in the collection (withdrawn and lost copies stay in history only)."""
    return (qs if qs is not None else Copy.objects.all()).filter(withdrawn_on__isnull=True)


@dataclass
class SearchResult:
    query: str
    total: int = 0
    page: int = 1
    pages: int = 0
    records: list = field(default_factory=list)
    facets: dict = field(default_factory=dict)
    searched: bool = False


def records_matching(q: str):
    """Records whose search document matches the query ('' matches nothing)."""
    tsquery = textsearch.build_query(q)
    if not tsquery:
        return Record.objects.none()
    return Record.objects.filter(TsMatch(F("search_document"), RawSQL("%s::tsquery", [tsquery])))


def _filtered(base, *, clc_base="", level="", location=None, available=False):
    qs = base
    if clc_base:
        qs = qs.filter(clc_base=clc_base)
    if level:
        qs = qs.filter(reader_level=level)
    if location:
        qs = qs.filter(Exists(in_collection().filter(record=OuterRef("pk"), location_id=location)))
    if available:
        qs = qs.filter(
            Exists(Copy.objects.filter(record=OuterRef("pk"), status=CopyStatus.ON_SHELF, location__is_lendable=True))
        )
    return qs


def opac_search(
    q: str, *, clc_base: str = "", level: str = "", location=None, available=False, page: int = 1
) -> SearchResult:
    """The OPAC: matches, ranked with exact title, then title prefix, then title containing the query first.

    Queries (constant in the data size): count, one page with availability, three facet queries
    (plus the school row of the page context: 6 for a search page).
    """
    q = (q or "").strip()[:100]
    result = SearchResult(query=q)
    base = records_matching(q)
    if not q or not textsearch.build_query(q):
        return result
    result.searched = True
    qs = _filtered(base, clc_base=clc_base, level=level, location=location, available=available)
    result.total = qs.count()
    result.pages = max(1, -(-result.total // PAGE_SIZE))
    result.page = min(max(1, page), result.pages)
    norm = textsearch.normalize(q)
    isbn13 = textsearch.as_isbn13(q)
    rank = Case(
        When(title_normalized=norm, then=Value(0)),
        When(title_normalized__startswith=norm, then=Value(1)),
        When(title_normalized__contains=norm, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    if isbn13:
        rank = Value(0, output_field=IntegerField())
    start = (result.page - 1) * PAGE_SIZE
    rows = (
        qs.annotate(
            rank=rank,
            available=Count("copies", filter=Q(copies__status=CopyStatus.ON_SHELF, copies__location__is_lendable=True)),
            held=Count("copies", filter=Q(copies__withdrawn_on__isnull=True)),
        )
        .order_by("rank", "-pub_year", "title_normalized", "pk")
        .only(
            "pk",
            "title",
            "other_title",
            "volume",
            "series",
            "authors",
            "publisher",
            "pub_year",
            "call_number",
            "isbn",
            "clc_base",
            "reader_level",
        )
    )
    result.records = list(rows[start : start + PAGE_SIZE])
    result.facets = facets(base, clc_base=clc_base, level=level, location=location, available=available)
    return result


def facets(base, *, clc_base="", level="", location=None, available=False) -> dict:
    """Counts for each facet value, each computed with the other facets' filters applied."""
    by_class = dict(
        _filtered(base, level=level, location=location, available=available)
        .values_list("clc_base")
        .annotate(n=Count("pk"))
        .values_list("clc_base", "n")
    )
    by_level = dict(
        _filtered(base, clc_base=clc_base, location=location, available=available)
        .values_list("reader_level")
        .annotate(n=Count("pk"))
        .values_list("reader_level", "n")
    )
    records = _filtered(base, clc_base=clc_base, level=level, available=available)
    by_location = list(
        in_collection()
        .filter(record__in=records.values("pk"))
        .values_list("location_id", "location__name")
        .annotate(n=Count("record_id", distinct=True))
        .values_list("location_id", "location__name", "n")
    )
    return {
        "clc_base": [(code, clc.BASE_CLASSES.get(code, code), n) for code, n in sorted(by_class.items()) if code],
        "level": [(value, label, by_level[value]) for value, label in ReaderLevel.choices if by_level.get(value)],
        "location": sorted(by_location, key=lambda item: (-item[2], item[1])),
    }


def record_copies(record: Record) -> list[Copy]:
    """Copies of a record in shelf order, with location and (for lent copies) the due date: 2 queries."""
    from circulation.models import Loan

    copies = list(in_collection(record.copies.select_related("location")).order_by("location__position", "barcode"))
    lent = [c.pk for c in copies if c.status == CopyStatus.ON_LOAN]
    due = {}
    if lent:
        due = dict(Loan.objects.filter(copy_id__in=lent, returned_at__isnull=True).values_list("copy_id", "due_date"))
    for c in copies:
        c.due_date = due.get(c.pk)
    return copies


def shelf_order(qs):
    return qs.order_by(Collate("shelf_key", "C"), "pk")
