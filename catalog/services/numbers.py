"""ISBN and 统一书号, class numbers, 种次号 and accession numbers (登记号)."""

import re

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum import isbn as stdnum_isbn

from catalog import barcode_rules, clc, textsearch
from catalog.exceptions import (
    BookNumberTaken,
    InvalidClassNumber,
    InvalidIsbn,
)
from catalog.models import (
    BarcodeSequence,
    BookNumberCounter,
    Copy,
    Record,
)


def isbn_normalize(value: str) -> str:
    """Any ISBN-10/13 form → ISBN-13 digits; '' stays ''; a wrong check digit raises InvalidIsbn."""
    value = (value or "").strip()
    if not value:
        return ""
    compact = stdnum_isbn.compact(value)
    if not re.fullmatch(r"\d{9}[\dX]|\d{13}", compact):
        raise InvalidIsbn(_("“%(value)s”不是 ISBN：应为 10 位或 13 位。") % {"value": value})
    if not stdnum_isbn.is_valid(compact):
        raise InvalidIsbn(_("ISBN “%(value)s”的校验位不对，请核对。") % {"value": value})
    return stdnum_isbn.to_isbn13(compact)


_UNIFIED = re.compile(r"^\s*([A-Z]?\d{4,5})\s*[·・.．\-－]\s*(\d{1,5})\s*$")


def unified_number_normalize(value: str) -> str:
    """A 统一书号 of an old book ('10019.1234', '7020-1234', '7020·1234') → '7020·1234'; '' if not one."""
    m = _UNIFIED.match((value or "").upper())
    return f"{m.group(1)}·{m.group(2)}" if m else ""


def isbn_display(isbn13: str) -> str:
    try:
        return stdnum_isbn.format(isbn13)
    except Exception:  # noqa: BLE001 - unknown ranges: show the bare digits
        return isbn13


def class_number_check(code: str) -> tuple[str, str]:
    """Validate a class number; returns (cleaned code, warning for numbers deeper than the table)."""
    try:
        code = clc.validate(code)
    except clc.ClcError as exc:
        raise InvalidClassNumber(str(exc)) from exc
    return code, clc.lookup(code).warning(code)


def _existing_max_book_number(code: str) -> int:
    numbers = Record.objects.filter(clc=code).exclude(book_number="").values_list("book_number", flat=True)
    best = 0
    for n in numbers:
        m = re.match(r"\d+", n)
        if m:
            best = max(best, int(m.group()))
    return best


def book_numbers_reserve(*, code: str, count: int = 1) -> list[int]:
    """Reserve the next `count` 种次号 of one class number. Caller holds a transaction.

    The counter row is locked (SELECT … FOR UPDATE) so two cataloguers never get the same number;
    a counter is created at most once thanks to ON CONFLICT DO NOTHING, starting from the highest
    number already used by records of that class (imported or typed by hand).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("book_numbers_reserve needs a transaction")
    if not BookNumberCounter.objects.filter(clc=code).exists():
        BookNumberCounter.objects.bulk_create(
            [BookNumberCounter(clc=code, last_number=_existing_max_book_number(code))], ignore_conflicts=True
        )
    counter = BookNumberCounter.objects.select_for_update().get(clc=code)
    taken = set(Record.objects.filter(clc=code, book_number__regex=r"^\d+$").values_list("book_number", flat=True))
    out = []
    n = counter.last_number
    while len(out) < count:
        n += 1
        if str(n) not in taken:
            out.append(n)
    counter.last_number = n
    counter.save(update_fields=["last_number"])
    return out


def book_number_clash(*, code: str, number: str, volume: str = "", title: str = "", exclude_pk=None):
    """The record that already uses this 种次号 in this class number, or None.

    Another volume of the same title (a 多卷书, or a periodical's bound volumes) may share it."""
    if not code or not number:
        return None
    qs = Record.objects.filter(clc=code, book_number=number).only(
        "pk", "title", "volume", "call_number", "title_normalized"
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    probe = Record(title=title)
    textsearch.fill_derived(probe)
    for other in qs.order_by("pk")[:50]:
        if other.volume == volume.strip() or other.title_normalized != probe.title_normalized:
            return other
    return None


def _book_number_taken(record: Record, other: Record) -> BookNumberTaken:
    return BookNumberTaken(
        _("种次号 %(n)s 在分类号 %(clc)s 下已被《%(title)s》使用（索书号 %(call)s）。请换一个种次号，或留空自动取号。")
        % {"n": record.book_number, "clc": record.clc, "title": other.title, "call": other.call_number}
    )


def _check_book_number(record: Record, exclude_pk=None) -> None:
    other = book_number_clash(
        code=record.clc, number=record.book_number, volume=record.volume, title=record.title, exclude_pk=exclude_pk
    )
    if other is not None:
        raise _book_number_taken(record, other)


def book_number_assign(*, code: str) -> str:
    with transaction.atomic():
        return str(book_numbers_reserve(code=code)[0])


def barcodes_allocate(*, count: int, sequence: str = "default") -> list[str]:
    """The next `count` accession numbers (登记号), skipping any already in use. Locks the sequence."""
    if count <= 0:
        return []
    with transaction.atomic():
        if not BarcodeSequence.objects.filter(name=sequence).exists():
            BarcodeSequence.objects.bulk_create([BarcodeSequence(name=sequence)], ignore_conflicts=True)
        seq = BarcodeSequence.objects.select_for_update().get(name=sequence)
        out: list[str] = []
        value = seq.next_value
        while len(out) < count:
            want = [f"{seq.prefix}{str(v).zfill(seq.width)}" for v in range(value, value + count - len(out))]
            used = set(Copy.objects.filter(barcode__in=want).values_list("barcode", flat=True))
            used |= barcode_rules.taken_elsewhere(want)  # e.g. library card numbers
            out += [b for b in want if b not in used]
            value += len(want)
        seq.next_value = value
        seq.save(update_fields=["next_value"])
        return out
