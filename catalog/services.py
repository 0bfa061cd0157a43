"""Cataloguing operations: records, 种次号, accession numbers, copies, batches, weeding."""

import re
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import isbn as stdnum_isbn

from catalog import barcode_rules, clc, hooks, textsearch
from catalog.exceptions import (
    BookNumberTaken,
    CatalogError,
    CopyNotFound,
    CopyNotWithdrawable,
    InvalidClassNumber,
    InvalidIsbn,
    IsbnShared,
)
from catalog.hooks import copy_available
from catalog.locations import record_locations_refresh
from catalog.models import (
    AcquisitionBatch,
    BarcodeSequence,
    BookNumberCounter,
    Copy,
    CopySource,
    CopyStatus,
    IsbnSharedReason,
    Location,
    Record,
    WithdrawalBatch,
    Z3950Target,
)
from catalog.status import copy_change_status, copy_write_off

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


# --- ISBN and class numbers ----------------------------------------------------------------


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


# --- 查重 ---------------------------------------------------------------------------------


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


# --- 种次号 and accession numbers --------------------------------------------------------------


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


# --- records -------------------------------------------------------------------------------


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


# --- copies --------------------------------------------------------------------------------


def copies_add(
    *,
    record: Record,
    count: int,
    location: Location,
    price: Decimal | None = None,
    source: str = CopySource.PURCHASE,
    batch: AcquisitionBatch | None = None,
    acquired_on: date | None = None,
    barcodes: list[str] | None = None,
    by=None,
    now: datetime | None = None,
) -> list[Copy]:
    """Give a record `count` new copies with fresh accession numbers (or the given ones)."""
    now = now or timezone.now()
    if location is None:
        raise CatalogError(_("请选择馆藏地点。"))
    if count < 1 or count > 500:
        raise CatalogError(_("复本数应在 1 到 500 之间。"))
    acquired_on = acquired_on or (batch.received_on if batch else timezone.localdate(now))
    if barcodes and (clash := barcode_rules.taken_elsewhere(barcodes)):
        raise CatalogError(_barcode_clash_message(clash))
    with transaction.atomic():
        codes = barcodes or barcodes_allocate(count=count)
        copies = [
            Copy(
                barcode=code,
                record=record,
                location=location,
                price=price,
                source=source,
                batch=batch,
                acquired_on=acquired_on,
            )
            for code in codes
        ]
        try:
            with transaction.atomic():
                Copy.objects.bulk_create(copies)
        except IntegrityError as exc:
            if barcode_rules.is_clash(exc):
                # A card took the number meanwhile (the savepoint keeps this transaction usable).
                raise CatalogError(_barcode_clash_message(barcode_rules.taken_elsewhere(codes) or codes)) from exc
            raise CatalogError(_("登记号已被使用，请换一个。")) from exc
        record_locations_refresh([record.pk])
    return copies


def _barcode_clash_message(codes) -> str:
    return _("登记号 %(codes)s 已是借书证号：流通台扫描时会把它当作借书证，这本书就借不出去了。请换一个登记号。") % {
        "codes": "、".join(sorted(codes))
    }


def copy_update(*, copy: Copy, location: Location, price, notes: str, volume_label: str = "", by=None) -> Copy:
    with transaction.atomic():
        copy = Copy.objects.select_for_update().get(pk=copy.pk)
        copy.location, copy.price, copy.notes, copy.volume_label = location, price, notes, volume_label
        copy.save(update_fields=["location", "price", "notes", "volume_label"])
        record_locations_refresh([copy.record_id])
    return copy


def copy_set_repair(*, copy: Copy, repair: bool, damage: str = "", by=None, now: datetime | None = None) -> Copy:
    """Send an on-shelf copy to repair (修补中) with its damage noted, or bring it back on the shelf."""
    with transaction.atomic():
        copy = Copy.objects.select_for_update().get(pk=copy.pk)
        if repair and copy.status != CopyStatus.ON_SHELF:
            raise CopyNotWithdrawable(_("只有在架的书才能送去修补。"))
        if not repair and copy.status != CopyStatus.REPAIR:
            raise CopyNotWithdrawable(_("这本书不在修补中。"))
        to = CopyStatus.REPAIR if repair else CopyStatus.ON_SHELF
        note = (damage.strip() or _("送修")) if repair else _("修补完成")
        copy_change_status(copy, to, by=by, now=now, note=note)
        if not repair:
            # Back on the shelf: a reader waiting for the title gets it (circulation owns the
            # queue and registers itself for this hook: the catalogue does not import it).
            copy_available(copy=copy, by=by, now=now)
    return copy


def repair_send(*, barcode: str, damage: str, by=None, now: datetime | None = None) -> Copy:
    """送修 by barcode (the repair page's scan field, or a link from the desk after a return)."""
    code = (barcode or "").strip().upper()
    copy = Copy.objects.filter(barcode__iexact=code).first() if code else None
    if copy is None:
        raise CopyNotFound(_("没有登记号为 %(code)s 的图书。") % {"code": code[:32]})
    if not (damage or "").strip():
        raise CatalogError(_("请写明破损情况（如：书脊开裂、缺页、污损）。"))
    return copy_set_repair(copy=copy, repair=True, damage=damage, by=by, now=now)


def repairs_finish(
    *,
    copy_ids: list[int],
    outcome: str,
    approver: str = "",
    note: str = "",
    by=None,
    now: datetime | None = None,
) -> WithdrawalBatch | None:
    """Finish the chosen repairs in one step: all back on the shelf (预约 served), or all written off
    as one 注销批次 (reason 破损) when they cannot be mended. All or none."""
    if outcome not in ("shelf", "withdraw"):
        raise CatalogError(_("请选择修好上架或无法修复注销。"))
    ids = sorted({int(pk) for pk in copy_ids})
    if not ids:
        raise CatalogError(_("请先勾选修补中的图书。"))
    with transaction.atomic():
        copies = list(Copy.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        not_in_repair = [c.barcode for c in copies if c.status != CopyStatus.REPAIR]
        if len(copies) != len(ids) or not_in_repair:
            raise CopyNotWithdrawable(
                _("%(codes)s 已不在修补中，请刷新页面。") % {"codes": "、".join(not_in_repair) or "?"}
            )
        if outcome == "shelf":
            for copy in copies:
                copy_set_repair(copy=copy, repair=False, by=by, now=now)
            return None
        return withdrawal_create(
            barcodes=[c.barcode for c in copies],
            reason="damaged",
            approver=approver,
            note=note or _("修补无效，注销"),
            by=by,
            now=now,
        )


# --- acquisition batches -------------------------------------------------------------------


def batch_create(
    *,
    received_on: date,
    supplier: str = "",
    invoice_number: str = "",
    invoice_total: Decimal | None = None,
    source: str = CopySource.PURCHASE,
    note: str = "",
    number: str = "",
    by=None,
) -> AcquisitionBatch:
    """A new 验收批次, numbered YS<year>-<nnn> unless a number is given."""
    with transaction.atomic():
        if not number:
            prefix = f"YS{received_on.year}-"
            # Serialise numbering: lock the year's existing batches (a new year starts at 001).
            last = (
                AcquisitionBatch.objects.select_for_update()
                .filter(number__startswith=prefix)
                .aggregate(m=Max("number"))["m"]
            )
            seq = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
            number = f"{prefix}{seq:03d}"
        try:
            with transaction.atomic():
                return AcquisitionBatch.objects.create(
                    number=number,
                    received_on=received_on,
                    supplier=supplier,
                    invoice_number=invoice_number,
                    invoice_total=invoice_total,
                    source=source,
                    note=note,
                    created_by=by,
                )
        except IntegrityError as exc:
            raise CatalogError(_("批次号 %(number)s 已存在。") % {"number": number}) from exc


# --- weeding -------------------------------------------------------------------------------


def withdrawal_number(day: date) -> str:
    prefix = f"ZX{day.year}-"
    last = WithdrawalBatch.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    seq = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{seq:03d}"


def copies_for_withdrawal(barcodes: list[str]) -> list[Copy]:
    """Check a list of scanned barcodes; raises with the first problem (unknown, lent, gone)."""
    codes = list(dict.fromkeys(b.strip().upper() for b in barcodes if b.strip()))
    if not codes:
        raise CopyNotFound(_("请扫描或输入要注销的图书登记号。"))
    found = {c.barcode.upper(): c for c in Copy.objects.select_related("record").filter(barcode__in=codes)}
    for code in codes:
        copy = found.get(code)
        if copy is None:
            raise CopyNotFound(_("没有登记号为 %(code)s 的图书。") % {"code": code})
        _check_withdrawable(copy)
    return [found[c] for c in codes]


def _check_withdrawable(copy: Copy) -> None:
    if copy.withdrawn_on is not None:
        raise CopyNotWithdrawable(_("%(code)s 已于 %(day)s 注销。") % {"code": copy.barcode, "day": copy.withdrawn_on})
    if copy.status in (CopyStatus.ON_LOAN, CopyStatus.ON_HOLD):
        raise CopyNotWithdrawable(
            _("%(code)s 现在是“%(status)s”状态，归还或取消预约后才能注销。")
            % {"code": copy.barcode, "status": copy.get_status_display()}
        )
    blocker = hooks.write_off_blockers([copy.pk]).get(copy.pk)
    if blocker:
        raise CopyNotWithdrawable(_("%(code)s 不能注销：%(why)s") % {"code": copy.barcode, "why": blocker})


def withdrawal_create(
    *,
    barcodes: list[str],
    reason: str,
    withdrawn_on: date | None = None,
    approver: str = "",
    disposal: str = "",
    note: str = "",
    by=None,
    now: datetime | None = None,
) -> WithdrawalBatch:
    """Write off the scanned copies together as one 注销批次 (all or none)."""
    now = now or timezone.now()
    withdrawn_on = withdrawn_on or timezone.localdate(now)
    codes = [c.barcode for c in copies_for_withdrawal(barcodes)]
    with transaction.atomic():
        copies = list(Copy.objects.select_for_update().filter(barcode__in=codes).order_by("pk"))
        for copy in copies:
            _check_withdrawable(copy)
        # One batch number at a time: lock the sequence of this year's batches via the table lock.
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("LOCK TABLE catalog_withdrawalbatch IN SHARE ROW EXCLUSIVE MODE")
        batch = WithdrawalBatch.objects.create(
            number=withdrawal_number(withdrawn_on),
            withdrawn_on=withdrawn_on,
            reason=reason,
            approver=approver,
            disposal=disposal,
            note=note,
            operator=by,
        )
        moment = timezone.make_aware(datetime.combine(withdrawn_on, timezone.localtime(now).time()))
        for copy in copies:
            copy_write_off(copy, reason=reason, by=by, now=moment, batch=batch, note=note or batch.number)
    return batch


def z3950_target_save(*, form) -> Z3950Target:
    """Save a valid Z3950TargetForm; an empty password field keeps the stored password."""
    target = form.save(commit=False)
    if form.cleaned_data.get("password"):
        target.password = form.cleaned_data["password"]
    target.save()
    return target


def z3950_target_delete(*, target: Z3950Target) -> None:
    """Remove a Z39.50 server from the list (records copied from it stay as they are)."""
    Z3950Target.objects.filter(pk=target.pk).delete()
