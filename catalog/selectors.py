"""Read-side queries of the catalogue shared by views, exports and the benchmark."""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

from catalog import clc, hooks, textsearch
from catalog.models import Copy, CopyStatus, CopyStatusChange, Location, ReaderLevel, Record

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
        qs = qs.filter(location_ids__contains=[location])
    if available:
        qs = qs.filter(
            Exists(Copy.objects.filter(record=OuterRef("pk"), status=CopyStatus.ON_SHELF, location__is_lendable=True))
        )
    return qs


RESULT_FIELDS = [
    "pk",
    "title",
    "other_title",
    "volume",
    "edition",
    "series",
    "authors",
    "publisher",
    "pub_year",
    "call_number",
    "isbn",
    "clc_base",
    "reader_level",
    "updated_at",  # the cover's URL carries it (catalog.templatetags.covers)
]


SEARCH_SQL = """
WITH m AS MATERIALIZED (
    SELECT r.id, r.clc_base, r.reader_level, r.location_ids, r.title_normalized, r.pub_year
    FROM catalog_record r
    WHERE r.search_document @@ %(tsquery)s::tsquery
      AND (NOT %(available)s OR EXISTS (
          SELECT 1 FROM catalog_copy c JOIN catalog_location l ON l.id = c.location_id
          WHERE c.record_id = r.id AND c.status = 'on_shelf' AND l.is_lendable))
)
SELECT 0, clc_base, reader_level, location_ids, count(*), NULL::bigint
FROM m GROUP BY clc_base, reader_level, location_ids
UNION ALL
(SELECT 1, NULL, NULL, NULL, NULL, id FROM m
 WHERE (%(clc_base)s = '' OR clc_base = %(clc_base)s)
   AND (%(level)s = '' OR reader_level = %(level)s)
   AND (%(location)s::bigint IS NULL OR location_ids @> ARRAY[%(location)s::bigint])
 ORDER BY CASE WHEN %(isbn)s THEN 0
               WHEN title_normalized = %(norm)s THEN 0
               WHEN title_normalized LIKE %(prefix)s THEN 1
               WHEN title_normalized LIKE %(contains)s THEN 2
               ELSE 3 END,
          pub_year DESC NULLS LAST, title_normalized, id
 LIMIT %(limit)s OFFSET %(offset)s)
"""


def _search_pass(params: dict, page: int) -> tuple[list, list]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(SEARCH_SQL, {**params, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
        rows = cur.fetchall()
    groups = [(code, lv, list(locs or []), n) for kind, code, lv, locs, n, _id in rows if kind == 0]
    ids = [pk for kind, _c, _l, _locs, _n, pk in rows if kind == 1]
    return groups, ids


def opac_search(
    q: str, *, clc_base: str = "", level: str = "", location=None, available=False, page: int = 1
) -> SearchResult:
    """The OPAC: matches, ranked with exact title, then title prefix, then title containing the query first.

    One statement reads the matches once (a materialised CTE) and returns both the groups by
    (base class, reader level, locations), from which the total and every facet are counted, and the
    ids of the page in rank order. Then the page's records with their availability, and the names
    of the locations: three queries whatever the data size (the page adds the school row).
    """
    q = (q or "").strip()[:100]
    result = SearchResult(query=q)
    tsquery = textsearch.build_query(q)
    if not q or not tsquery:
        return result
    result.searched = True
    norm = textsearch.normalize(q)
    params = {
        "tsquery": tsquery,
        "available": bool(available),
        "clc_base": clc_base or "",
        "level": level or "",
        "location": location,
        "isbn": bool(textsearch.as_isbn13(q)),
        "norm": norm,
        "prefix": f"{norm}%",
        "contains": f"%{norm}%",
    }
    page = max(1, page)
    groups, page_ids = _search_pass(params, page)
    result.total = sum(
        n
        for code, lv, locs, n in groups
        if (not clc_base or code == clc_base) and (not level or lv == level) and (not location or location in locs)
    )
    result.pages = max(1, -(-result.total // PAGE_SIZE))
    result.page = min(page, result.pages)
    if result.page != page:  # asked past the last page: show the last one
        groups, page_ids = _search_pass(params, result.page)
    rows = {}
    if page_ids:
        rows = {
            r.pk: r
            for r in Record.objects.filter(pk__in=page_ids)
            .annotate(
                available=Count(
                    "copies", filter=Q(copies__status=CopyStatus.ON_SHELF, copies__location__is_lendable=True)
                ),
                held=Count("copies", filter=Q(copies__withdrawn_on__isnull=True)),
            )
            .only(*RESULT_FIELDS)
        }
    result.records = [rows[pk] for pk in page_ids if pk in rows]
    result.facets = facets(groups, clc_base=clc_base, level=level, location=location)
    return result


def facets(groups, *, clc_base="", level="", location=None) -> dict:
    """Counts for each facet value, each with the other facets' filters applied."""
    by_class: dict[str, int] = {}
    by_level: dict[str, int] = {}
    by_location: dict[int, int] = {}
    for code, lv, locs, n in groups:
        in_class, in_level, at_location = (
            (not clc_base or code == clc_base),
            (not level or lv == level),
            (not location or location in locs),
        )
        if in_level and at_location:
            by_class[code] = by_class.get(code, 0) + n
        if in_class and at_location:
            by_level[lv] = by_level.get(lv, 0) + n
        if in_class and in_level:
            for loc in locs:
                by_location[loc] = by_location.get(loc, 0) + n
    names = dict(Location.objects.filter(pk__in=by_location).values_list("pk", "name")) if by_location else {}
    return {
        "clc_base": [(code, clc.BASE_CLASSES.get(code, code), n) for code, n in sorted(by_class.items()) if code],
        "level": [(value, label, by_level[value]) for value, label in ReaderLevel.choices if by_level.get(value)],
        "location": sorted(
            ((pk, names.get(pk, ""), n) for pk, n in by_location.items()), key=lambda item: (-item[2], item[1])
        ),
    }


def record_copies(record: Record) -> list[Copy]:
    """Copies of a record in shelf order, with location and (for lent copies) the due date: 2 queries."""
    copies = list(in_collection(record.copies.select_related("location")).order_by("location__position", "barcode"))
    lent = [c.pk for c in copies if c.status == CopyStatus.ON_LOAN]
    due = hooks.due_dates(lent)
    for c in copies:
        c.due_date = due.get(c.pk)
    return copies


def shelf_order(qs):
    return qs.order_by(Collate("shelf_key", "C"), "pk")


# --- 新书通报 ------------------------------------------------------------------------------


@dataclass
class ArrivalSection:
    """One acquisition batch on the 新书通报: every title it brought, grouped by 基本大类."""

    batch: object
    titles: int
    volumes: int
    groups: list = field(default_factory=list)  # [(class letter, class name, [Record, ...]), ...]


def new_arrival_sections(batches) -> list[ArrivalSection]:
    """All the titles of the given batches (no cap: the count shown is the count listed), in
    class order. Three queries whatever the number of batches or titles."""
    batches = list(batches)
    pairs = Copy.objects.filter(batch__in=batches).values("batch_id", "record_id").annotate(n=Count("id")).order_by()
    by_batch: dict[int, dict[int, int]] = {}
    for row in pairs:
        by_batch.setdefault(row["batch_id"], {})[row["record_id"]] = row["n"]
    record_ids = {rid for counts in by_batch.values() for rid in counts}
    records = (
        Record.objects.filter(pk__in=record_ids)
        .order_by("clc_base", "shelf_key", "title_normalized", "pk")
        .only("pk", "title", "volume", "authors", "publisher", "pub_year", "call_number", "clc_base", "isbn")
    )
    ordered = list(records)
    sections = []
    for batch in batches:
        counts = by_batch.get(batch.pk, {})
        groups: list = []
        for rec in ordered:
            if rec.pk not in counts:
                continue
            letter = rec.clc_base or ""
            if not groups or groups[-1][0] != letter:
                groups.append((letter, clc.BASE_CLASSES.get(letter[:1], ""), []))
            groups[-1][2].append(rec)
        sections.append(ArrivalSection(batch=batch, titles=len(counts), volumes=sum(counts.values()), groups=groups))
    return sections


# --- repairs (修补) ------------------------------------------------------------------------


def repair_queue():
    """Copies in repair, the longest waiting first, with when, why (the damage) and by whom they
    were sent: the latest change into 修补中 of each copy."""
    sent = CopyStatusChange.objects.filter(copy=OuterRef("pk"), to_status=CopyStatus.REPAIR).order_by(
        "-changed_at", "-id"
    )
    return (
        Copy.objects.filter(status=CopyStatus.REPAIR)
        .select_related("record", "location")
        .annotate(
            sent_at=Subquery(sent.values("changed_at")[:1]),
            damage=Subquery(sent.values("note")[:1]),
            sent_by_id=Subquery(sent.values("changed_by")[:1]),
        )
        .order_by(F("sent_at").asc(nulls_first=True), "barcode")
    )


def repairs_finished(limit: int = 20):
    """The latest copies that left 修补中 (back on the shelf or written off)."""
    return (
        CopyStatusChange.objects.filter(from_status=CopyStatus.REPAIR)
        .select_related("copy__record", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


# --- the 中图法 picker ---------------------------------------------------------------------------


@dataclass
class ClcChoice:
    code: str
    name: str
    parent: str  # the name of the class above, so that I286.7 and I287.7 (both 童话、寓言) differ


def clc_search(q: str, *, limit: int = 15) -> list[ClcChoice]:
    """Classes for the picker: by the start of the code (I287) or by words of the name (童话). One query."""
    from catalog.models import ClcClass

    q = (q or "").replace("\x00", "").strip()[:40]
    if not q:
        return []
    code = clc.clean_code(q)
    qs = ClcClass.objects.select_related("parent").only("code", "name", "level", "parent__name")
    if code[:1].isascii() and code[:1].isalpha():
        qs = qs.filter(code__startswith=code).order_by("level", "sort_key")
    else:
        for word in q.split()[:4]:
            qs = qs.filter(name__icontains=word)
        qs = qs.exclude(kind__in=["alternative", "discontinued"]).order_by("sort_key")
    return [ClcChoice(c.code, c.name, c.parent.name if c.parent_id else "") for c in qs[:limit]]


def with_clc_name(qs):
    """Records annotated with `clc_name`, the name of the longest prefix of their class number in
    the 中图法 table, in the same query (the record pages keep their query count)."""
    return qs.annotate(
        clc_name=RawSQL(
            "SELECT c.name FROM catalog_clcclass c WHERE c.code = ANY(SELECT left(catalog_record.clc, n)"
            " FROM generate_series(1, length(catalog_record.clc)) n) ORDER BY length(c.code) DESC LIMIT 1",
            [],
        )
    )


def clc_name(code: str) -> tuple[str, bool]:
    """(name of the class, exact) for a class number: the longest prefix in the table ('' if none)."""
    # The form shows the name of whatever was typed, a bad value too: never send NUL to the database.
    code = clc.clean_code((code or "").replace("\x00", ""))[:60]
    if not code:
        return "", False
    found = clc.lookup(code)
    return (found.node.name if found.node else ""), found.exact
