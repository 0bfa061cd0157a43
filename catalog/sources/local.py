"""The school's own catalogue as a bibliographic source: a scanned ISBN (or 统一书号) that is
already catalogued is an added copy (复本), never a second record."""

from django.utils.translation import gettext as _

from catalog.models import Record
from catalog.sources.candidate import Candidate

SOURCE = "local"
# The fields a candidate carries (as catalog.marc's rows) that a Record has too.
FIELDS = [
    "title",
    "other_title",
    "volume",
    "responsibility",
    "authors",
    "edition",
    "pub_place",
    "publisher",
    "pub_year",
    "pages",
    "series",
    "summary",
    "subjects",
    "clc",
    "language",
    "isbn",
    "price",
]


def candidate_of(record: Record) -> Candidate:
    fields = {}
    for name in FIELDS:
        value = getattr(record, name)
        fields[name] = "" if value is None else str(value)
    fields["book_number"] = record.book_number
    fields["unified_number"] = record.unified_number
    return Candidate(source=SOURCE, label=_("本馆书目"), fields=fields, record_id=record.pk)


def lookup_isbn(isbn13: str, *, limit: int = 10) -> list[Candidate]:
    """This catalogue's records with exactly this ISBN-13 (one query)."""
    if not isbn13:
        return []
    return [candidate_of(r) for r in Record.objects.filter(isbn=isbn13).order_by("pk")[:limit]]


def lookup_unified_number(number: str, *, limit: int = 10) -> list[Candidate]:
    """Records with this 统一书号 (old books, before ISBNs; e.g. 10019·1234). One query."""
    if not number:
        return []
    return [candidate_of(r) for r in Record.objects.filter(unified_number=number).order_by("pk")[:limit]]
