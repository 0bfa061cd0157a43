"""One scanned code → the candidates of every source, in order: this school's catalogue, the pool
(书目数据源), then the Z39.50 targets (only when the first two found nothing, or when asked).

`lookup_isbn(code)` takes what the scanner typed: an ISBN-10/13 in any form or a 统一书号 of an
old book (7020·1234, 10019·1234). It answers with the candidates, the one that fills the form,
the fields on which the sources disagree, and the Z39.50 errors (a target down is a line of
text, never an exception: the cataloguer can still type the record).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from catalog import services
from catalog.exceptions import InvalidIsbn
from catalog.sources import local
from catalog.sources.candidate import Candidate

# The fields compared between sources, in the order of the form (the rest are seldom wrong).
COMPARED = [
    "title",
    "other_title",
    "volume",
    "authors",
    "responsibility",
    "edition",
    "publisher",
    "pub_place",
    "pub_year",
    "pages",
    "series",
    "clc",
    "price",
    "language",
]


@dataclass
class Difference:
    name: str  # the field
    values: list[tuple[int, str]]  # (candidate index, value) for every candidate that has one


@dataclass
class Lookup:
    query: str
    isbn: str = ""  # ISBN-13, when the code was one
    unified_number: str = ""  # 统一书号, when the code was one
    problem: str = ""  # why the code is neither (a Chinese message)
    candidates: list[Candidate] = field(default_factory=list)
    z3950_searched: bool = False
    errors: list[str] = field(default_factory=list)  # Z39.50 targets that failed

    @property
    def local(self) -> list[Candidate]:
        return [c for c in self.candidates if c.source == local.SOURCE]

    @property
    def filled_from(self) -> Candidate | None:
        """The candidate whose fields fill the form: the own record (an added copy), else the first."""
        return self.candidates[0] if self.candidates else None

    @property
    def differences(self) -> list[Difference]:
        """The compared fields on which the candidates (own record excluded) do not all agree."""
        indexed = [(i, c) for i, c in enumerate(self.candidates) if c.source != local.SOURCE]
        out = []
        for name in COMPARED:
            values = [(i, _text(c.fields.get(name))) for i, c in indexed]
            values = [(i, v) for i, v in values if v]
            if len({_same(v) for _i, v in values}) > 1:
                out.append(Difference(name, values))
        return out


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _same(value: str) -> str:
    return "".join(value.split()).lower()


def parse_code(code: str) -> tuple[str, str, str]:
    """(isbn13, unified_number, problem) of a scanned or typed code."""
    code = (code or "").strip()
    if not code:
        return "", "", _("请扫描或输入 ISBN（旧书可输入统一书号，如 10019·1234）。")
    unified = services.unified_number_normalize(code)
    if unified:
        return "", unified, ""
    try:
        return services.isbn_normalize(code), "", ""
    except InvalidIsbn as exc:
        return "", "", str(exc)


def _pool(isbn: str, unified: str) -> list[Candidate]:
    from catalog.sources import pool

    if isbn:
        return pool.lookup_isbn(isbn)
    return pool.lookup_unified_number(unified)  # CNMARC 091 $a, read into its own column


def _z3950(isbn: str, unified: str) -> tuple[list[Candidate], list[str]]:
    from catalog.sources import z3950

    if not isbn:
        # Union catalogues index no 统一书号 under a standard Bib-1 attribute: not searched.
        return [], []
    result = z3950.search_targets(isbn=isbn)
    return list(result.candidates), [str(error) for error in result.errors]


def lookup_isbn(code: str, *, z3950: bool = False) -> Lookup:
    """Look a scanned code up in every source (see the module's docstring)."""
    isbn, unified, problem = parse_code(code)
    found = Lookup(query=(code or "").strip()[:40], isbn=isbn, unified_number=unified, problem=problem)
    if problem:
        return found
    if isbn:
        found.candidates += local.lookup_isbn(isbn)
    else:
        found.candidates += local.lookup_unified_number(unified)
    found.candidates += _pool(isbn, unified)
    if z3950 or not found.candidates:
        found.z3950_searched = True
        candidates, errors = _z3950(isbn, unified)
        found.candidates += candidates
        found.errors += errors
    return found
