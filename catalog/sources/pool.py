"""The source pool (书目数据源): supplier and union-catalogue MARC files, held without holdings.

`pool_import` puts a whole file into the pool in one transaction (streamed into PostgreSQL with
COPY, so a 100,000-record file takes seconds); `lookup_isbn` and `search` answer with Candidates
for the cataloguing form. Each pool record keeps the file it came from and its raw MARC bytes.
A Candidate's `fields` are the row catalog.marc read from the record, as stored: the bibliographic
keys, plus the supplier's holdings where the file had them (`barcodes`, a list, and `book_number`),
which belong to the supplier's or another library's copies, not to this school's.
"""

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from catalog import marc, services
from catalog.exceptions import CatalogError, ImportRejected
from catalog.models import SourceFile, SourceRecord
from catalog.sources.candidate import Candidate

COPY_COLUMNS = (
    "file_id",
    "number",
    "isbn13",
    "unified_number",
    "title",
    "authors",
    "publisher",
    "pub_year",
    "clc",
    "price",
    "fields",
    "marc",
)
MAX_PRICE = Decimal("9999999.99")


class PoolError(CatalogError):
    pass


@dataclass
class PoolSummary:
    """What a pool import did, for the page: counts and every record it could not take."""

    skipped: list[tuple[int, str]] = field(default_factory=list)
    without_isbn: int = 0


def _text(value, limit: int) -> str:
    return str(value or "").replace("\x00", "").strip()[:limit]


def _isbn13(value: str) -> str:
    compact = (value or "").replace("-", "").replace(" ", "")
    if len(compact) == 13 and compact.isdigit() and compact.startswith(("978", "979")):
        # The usual case, without python-stdnum's slower general path: an ISBN-13 and its check digit.
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(compact[:12]))
        return compact if (10 - total % 10) % 10 == int(compact[12]) else ""
    try:
        return services.isbn_normalize(value or "")
    except CatalogError:
        return ""


def _year(value) -> int | None:
    m = re.search(r"\d{4}", str(value or ""))
    return int(m.group()) if m and 1000 < int(m.group()) < 2100 else None


def _price(value) -> Decimal | None:
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01")) if value else None
    except InvalidOperation:
        return None
    return price if price is not None and 0 <= price <= MAX_PRICE else None


def _clean(value):
    """JSON-safe copy of a row: PostgreSQL's jsonb holds no NUL character."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def pool_row(file_id: int, number: int, row: dict) -> tuple:
    """One COPY row of catalog_sourcerecord from an import row of catalog.marc."""
    fields = {k: _clean(v) for k, v in row.items() if not k.startswith("_")}
    return (
        file_id,
        number,
        _isbn13(row.get("isbn", "")),
        services.unified_number_normalize(_text(row.get("unified_number"), 40)),
        _text(row.get("title"), 300),
        _text(row.get("authors"), 300),
        _text(row.get("publisher"), 200),
        _year(row.get("pub_year")),
        _text(row.get("clc"), 40).upper(),
        _price(row.get("price")),
        Jsonb(fields),
        row.get("_marc") or b"",
    )


def _copy_rows(rows) -> int:
    """Stream rows into catalog_sourcerecord with COPY; returns how many were written."""
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY catalog_sourcerecord ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def pool_import(
    *, content: bytes, name: str, flavour: str = "auto", encoding: str = "auto", origin: str = "", by=None
) -> SourceFile:
    """Put every readable record of a MARC file (ISO 2709 or MARCXML) into the pool, all in one
    transaction. Unreadable records are skipped and listed in the returned file's `summary`.
    The same file (by SHA-256) goes into the pool once."""
    marc.check_file(content)
    if encoding not in marc.ENCODINGS:
        encoding = marc.detect_encoding(content)
    sha = marc_sha256(content)
    earlier = SourceFile.objects.filter(sha256=sha).first()
    if earlier is not None:
        raise PoolError(
            _("这个文件已于 %(when)s 放入书目数据源（%(name)s），没有重复导入。")
            % {"when": timezone.localtime(earlier.uploaded_at).strftime("%Y-%m-%d %H:%M"), "name": earlier.name}
        )
    summary = PoolSummary()
    flavours = set()
    with transaction.atomic():
        source = SourceFile.objects.create(
            name=_text(name, 200) or _("未命名文件"),
            origin=_text(origin, 200),
            sha256=sha,
            encoding=encoding,
            uploaded_by=by,
        )

        def rows():
            for parsed in marc.iter_records(content, encoding=encoding):
                kind, row = marc.row_of(parsed, flavour)
                if "_error" in row:
                    summary.skipped.append((parsed.number, row["_error"]))
                    continue
                flavours.add(kind)
                pooled = pool_row(source.pk, parsed.number, row)
                summary.without_isbn += not pooled[2]
                yield pooled

        source.record_count = _copy_rows(rows())
        if not source.record_count:
            raise ImportRejected(_("文件里没有可以读取的 MARC 书目记录，没有放入书目数据源。"))
        source.skipped_count = len(summary.skipped)
        source.flavour = flavours.pop() if len(flavours) == 1 else "mixed"
        source.save(update_fields=["record_count", "skipped_count", "flavour"])
    source.summary = summary
    return source


def pool_import_rows(
    *, rows: list[tuple[int, dict]], name: str, sha256: str, encoding: str = "", flavour: str = "mixed", by=None
) -> SourceFile:
    """Put already-read import rows into the pool as one file (used by the MARC import for the
    records it leaves unclassified). Runs inside the caller's transaction when there is one."""
    with transaction.atomic():
        source = SourceFile.objects.create(
            name=_text(name, 200) or _("未命名文件"), sha256=sha256, encoding=encoding, uploaded_by=by
        )
        source.record_count = _copy_rows(pool_row(source.pk, number, row) for number, row in rows)
        source.flavour = flavour
        source.save(update_fields=["record_count", "flavour"])
    return source


def marc_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def pool_file_delete(*, source_file: SourceFile, by=None) -> int:
    """Remove a file and all its records from the pool; returns how many records went."""
    with transaction.atomic():
        count = SourceRecord.objects.filter(file=source_file).delete()[0]
        source_file.delete()
    return count


def candidate_of(rec: SourceRecord) -> Candidate:
    return Candidate(
        source="pool", label=rec.file.name, fields=dict(rec.fields), record_id=rec.pk, marc=bytes(rec.marc)
    )


def lookup_isbn(isbn13: str) -> list[Candidate]:
    """Pool records with this ISBN (any ISBN-10/13 form), newest file first; [] for a bad ISBN."""
    isbn = _isbn13(isbn13)
    if not isbn:
        return []
    qs = SourceRecord.objects.filter(isbn13=isbn).select_related("file").order_by("-file__uploaded_at", "-id")
    return [candidate_of(rec) for rec in qs[:20]]


def lookup_unified_number(number: str) -> list[Candidate]:
    """Pool records with this 统一书号 (old books before ISBNs, CNMARC 091), newest file first."""
    number = services.unified_number_normalize(number)
    if not number:
        return []
    qs = SourceRecord.objects.filter(unified_number=number).select_related("file").order_by("-file__uploaded_at", "-id")
    return [candidate_of(rec) for rec in qs[:20]]


def search_records(text: str, limit: int = 20):
    """Pool records matching an ISBN, a 统一书号, or a part of the title or of the authors (the
    trigram indexes serve the latter from three characters on)."""
    text = (text or "").replace("\x00", "").strip()[:200]
    if not text:
        return SourceRecord.objects.none()
    isbn = _isbn13(text) if re.fullmatch(r"[\dXx\- ]{10,17}", text) else ""
    qs = SourceRecord.objects.select_related("file")
    unified = "" if isbn else services.unified_number_normalize(text)
    if isbn:
        qs = qs.filter(isbn13=isbn)
    elif unified:
        qs = qs.filter(unified_number=unified)
    else:
        qs = qs.filter(title__icontains=text) | qs.filter(authors__icontains=text)
    return qs.order_by("-file__uploaded_at", "file_id", "number")[:limit]


def search(text: str, limit: int = 20) -> list[Candidate]:
    return [candidate_of(rec) for rec in search_records(text, limit)]
