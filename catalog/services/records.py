"""Bibliographic records (种): 查重, create, update, reindex."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import textsearch
from catalog.exceptions import (
    BookNumberTaken,
    CatalogError,
    IsbnShared,
)
from catalog.models import (
    AcquisitionBatch,
    CopySource,
    IsbnSharedReason,
    Location,
    Record,
)
from catalog.services.copies import copies_add
from catalog.services.numbers import _check_book_number, book_numbers_reserve, class_number_check, isbn_normalize

RECORD_FIELDS = [
    "title",
    "other_title",
    "series",
    "volume",
    "edition",
    "responsibility",
    "authors",
    "publisher",
    "pub_place",
    "pub_year",
    "pages",
    "price",
    "isbn",
    "unified_number",
    "clc",
    "book_number",
    "subjects",
    "summary",
    "language",
    "reader_level",
]


def record_duplicates(
    *, isbn: str = "", title: str = "", authors: str = "", publisher: str = "", volume: str = "", exclude_pk=None
):
    """Existing records with the same ISBN, or the same normalised title + first author + publisher."""
    probe = Record(title=title, authors=authors, publisher=publisher)
    textsearch.fill_derived(probe)
    qs = Record.objects.none()
    if isbn:
        qs = Record.objects.filter(isbn=isbn)
        if volume:
            # A multi-volume set shares one ISBN; another volume is not a duplicate.
            qs = qs.filter(volume=volume) | Record.objects.filter(isbn=isbn, volume="")
    if probe.title_normalized:
        qs = qs | Record.objects.filter(
            title_normalized=probe.title_normalized,
            first_author_normalized=probe.first_author_normalized,
            publisher=publisher.strip(),
            volume=volume.strip(),
        )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("pk")[:10])


def record_isbn_matches(*, isbn: str, exclude_pk=None) -> list[Record]:
    """Records with exactly this ISBN-13 (any volume): a new record with it needs a stated reason."""
    if not isbn:
        return []
    qs = Record.objects.filter(isbn=isbn)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("pk")[:10])


def _check_isbn_shared(record: Record, reason: str, exclude_pk=None) -> None:
    if reason and reason not in IsbnSharedReason.values:
        raise CatalogError(_("请选择同一 ISBN 的另一种书的原因：多卷书或不同版本。"))
    matches = record_isbn_matches(isbn=record.isbn, exclude_pk=exclude_pk)
    if matches and not reason:
        raise IsbnShared(matches)
    record.isbn_shared_reason = reason if matches else ""


def _save_record(record: Record) -> None:
    """Save in a savepoint: a 种次号 taken meanwhile by another cataloguer is a message, not a 500."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        if "catalog_record_book_number_unique_in_class" in str(exc):
            raise BookNumberTaken(
                _("种次号 %(n)s 在分类号 %(clc)s 下刚被使用。请换一个种次号，或留空自动取号。")
                % {"n": record.book_number, "clc": record.clc}
            ) from exc
        raise


def _apply(record: Record, data: dict) -> None:
    for name in RECORD_FIELDS:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip()
            setattr(record, name, value if value is not None or name in ("pub_year", "price") else "")


def record_create(
    *,
    data: dict,
    by=None,
    now: datetime | None = None,
    copies: int = 0,
    location: Location | None = None,
    copy_price: Decimal | None = None,
    source: str = CopySource.PURCHASE,
    batch: AcquisitionBatch | None = None,
    isbn_shared_reason: str = "",
) -> Record:
    """Save a new record (with its 种次号 and call number) and optionally its first copies.

    A record with an ISBN another record has needs `isbn_shared_reason` (多卷书/不同版本); a typed
    种次号 another title of the class uses is refused."""
    now = now or timezone.now()
    record = Record(created_by=by)
    _apply(record, data)
    record.isbn = isbn_normalize(record.isbn)
    if record.clc:
        record.clc, _warning = class_number_check(record.clc)
    with transaction.atomic():
        _check_isbn_shared(record, isbn_shared_reason)
        if record.clc and not record.book_number:
            record.book_number = str(book_numbers_reserve(code=record.clc)[0])
        elif record.clc:
            _check_book_number(record)
        textsearch.fill_derived(record)
        _save_record(record)
        if copies:
            copies_add(
                record=record,
                count=copies,
                location=location,
                price=copy_price if copy_price is not None else record.price,
                source=source,
                batch=batch,
                by=by,
                now=now,
            )
    return record


def record_update(
    *, record: Record, data: dict, by=None, now: datetime | None = None, isbn_shared_reason: str | None = None
) -> Record:
    """Change a record; a new class number gets a new 种次号 unless one was typed, and an emptied
    种次号 is replaced by the next one of the class (as the form's help text says). A changed ISBN
    that another record has needs `isbn_shared_reason`; a typed 种次号 another title uses is refused."""
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        old_clc, old_number, old_volume, old_isbn = record.clc, record.book_number, record.volume, record.isbn
        _apply(record, data)
        record.isbn = isbn_normalize(record.isbn)
        if record.clc:
            record.clc, _warning = class_number_check(record.clc)
        if record.isbn != old_isbn or isbn_shared_reason:
            _check_isbn_shared(record, isbn_shared_reason or "", exclude_pk=record.pk)
        if record.clc and (not record.book_number or (record.clc != old_clc and record.book_number == old_number)):
            record.book_number = str(book_numbers_reserve(code=record.clc)[0])
        elif record.clc and (record.clc, record.book_number, record.volume) != (old_clc, old_number, old_volume):
            _check_book_number(record, exclude_pk=record.pk)
        if not record.clc:
            record.book_number = ""
        textsearch.fill_derived(record)
        _save_record(record)
    return record


def record_reindex(records) -> int:
    """Recompute the derived search fields of records (e.g. after a change of the rules)."""
    changed = []
    for record in records:
        textsearch.fill_derived(record)
        changed.append(record)
    Record.objects.bulk_update(
        changed,
        [
            "title_normalized",
            "first_author_normalized",
            "title_pinyin",
            "title_initials",
            "clc_base",
            "call_number",
            "shelf_key",
            "search_text",
        ],
        batch_size=1000,
    )
    return len(changed)
