"""Copies (册): adding, editing, repairs (修补) and acquisition batches (验收批次)."""

from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import barcode_rules
from catalog.exceptions import (
    CatalogError,
    CopyNotFound,
    CopyNotWithdrawable,
)
from catalog.hooks import copy_available
from catalog.locations import record_locations_refresh
from catalog.models import (
    AcquisitionBatch,
    Copy,
    CopySource,
    CopyStatus,
    Location,
    Record,
    WithdrawalBatch,
)
from catalog.services.numbers import barcodes_allocate
from catalog.services.weeding import withdrawal_create
from catalog.status import copy_change_status


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
        "codes": _("、").join(sorted(codes))
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
                _("%(codes)s 已不在修补中，请刷新页面。") % {"codes": _("、").join(not_in_repair) or "?"}
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
