"""Compensation for lost or damaged copies and overdue fines: assessed and settled."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import hooks
from catalog.models import Copy, CopyStatus
from catalog.status import copy_change_status, copy_write_off
from circulation import exceptions as exc
from circulation.models import (
    CirculationSettings,
    Compensation,
    Loan,
    Reader,
)
from circulation.services.common import Action, _lock_copy, _log, _now, _user
from circulation.services.holds import _assign_copy_to_next_hold

# --- compensation ----------------------------------------------------------------------------


def compensation_amount(copy: Copy, kind: str, settings: CirculationSettings | None = None) -> Decimal:
    """The assessed amount under the configurable rules (price from the copy, else the record)."""
    settings = settings or CirculationSettings.current()
    price = copy.price if copy.price is not None else (copy.record.price or Decimal("0"))
    if kind == Compensation.Kind.LOST:
        amount = max(price * settings.lost_multiplier, settings.lost_minimum)
    else:
        percent = {
            Compensation.Kind.SEVERE: settings.severe_damage_percent,
            Compensation.Kind.SOILED: settings.soiled_percent,
            Compensation.Kind.MINOR: settings.minor_damage_percent,
        }[kind]
        amount = price * Decimal(percent) / Decimal(100)
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def compensation_quotes(copy: Copy) -> list[tuple[str, str, Decimal]]:
    """(kind, label, amount) for every kind of loss or damage: what the form offers the librarian."""
    settings = CirculationSettings.current()
    return [
        (kind.value, str(kind.label), compensation_amount(copy, kind.value, settings))
        for kind in Compensation.DAMAGE_KINDS
    ]


COPY_AFTER_DAMAGE = {"repair", "withdraw", "shelf"}


def compensation_report(
    *,
    copy_barcode: str,
    kind: str,
    reader: Reader | None = None,
    by=None,
    now: datetime | None = None,
    copy_action: str = "",
    note: str = "",
    desk: str = "",
) -> Compensation:
    """Record a lost or damaged copy: the open loan ends, the copy's status follows, an amount is due."""
    now = _now(now)
    if kind not in Compensation.DAMAGE_KINDS:
        raise exc.CompensationError(_("请选择赔偿类型。"))
    copy_action = copy_action or ("withdraw" if kind == Compensation.Kind.SEVERE else "repair")
    if kind != Compensation.Kind.LOST and copy_action not in COPY_AFTER_DAMAGE:
        raise exc.CompensationError(_("请选择破损图书的处理方式。"))
    with transaction.atomic():
        copy = _lock_copy(copy_barcode)
        if copy.withdrawn_on:
            raise exc.CompensationError(_("《%(title)s》已注销，不能登记赔偿。") % {"title": copy.record.title})
        blocker = hooks.write_off_blockers([copy.pk]).get(copy.pk)
        if blocker and (kind == Compensation.Kind.LOST or copy_action == "withdraw"):
            raise exc.CompensationError(blocker)
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("reader")
            .filter(copy=copy, returned_at__isnull=True)
            .first()
        )
        if loan is not None:
            reader = loan.reader
        if reader is None:
            raise exc.CompensationError(_("此书没有借出，请指定赔偿的读者。"))
        if Compensation.objects.filter(
            copy=copy, status=Compensation.Status.UNPAID, kind__in=Compensation.DAMAGE_KINDS
        ).exists():
            raise exc.CompensationError(_("此书已有未处理的赔偿登记。"))
        amount = compensation_amount(copy, kind)
        if loan is not None:
            loan.returned_at = max(now, loan.checked_out_at)
            loan.returned_by = _user(by)
            loan.save(update_fields=["returned_at", "returned_by"])
        comp = Compensation.objects.create(
            copy=copy,
            reader=reader,
            loan=loan,
            kind=kind,
            amount=amount,
            reported_at=now,
            reported_by=_user(by),
            note=note[:300],
        )
        label = Compensation.Kind(kind).label
        if kind == Compensation.Kind.LOST:
            copy_write_off(copy, reason="lost", by=_user(by), now=now, note=_("读者遗失：%(n)s") % {"n": reader.name})
        elif copy_action == "withdraw":
            copy_write_off(copy, reason="damaged", by=_user(by), now=now, note=str(label))
        elif copy_action == "repair":
            copy_change_status(copy, CopyStatus.REPAIR, by=_user(by), now=now, note=str(label))
        else:
            _assign_copy_to_next_hold(copy, by=by, now=now, desk=desk)
        _log(
            Action.COMPENSATION,
            at=now,
            by=_user(by),
            desk=desk,
            reader=reader,
            copy=copy,
            loan=loan,
            detail=f"{label} ¥{amount}",
        )
        return comp


def _receipt_number(now: datetime, pk: int) -> str:
    return f"PC{timezone.localdate(now):%Y%m%d}{pk:05d}"


def compensation_settle(
    *,
    compensation: Compensation,
    status: str,
    paid_amount: Decimal | None = None,
    by=None,
    now: datetime | None = None,
    note: str = "",
) -> Compensation:
    now = _now(now)
    if status not in (Compensation.Status.PAID, Compensation.Status.REPLACED, Compensation.Status.WAIVED):
        raise exc.CompensationError(_("请选择处理方式。"))
    with transaction.atomic():
        comp = (
            Compensation.objects.select_for_update(of=("self",))
            .select_related("reader", "copy")
            .get(pk=compensation.pk)
        )
        if comp.status != Compensation.Status.UNPAID:
            raise exc.CompensationError(_("该赔偿已处理。"))
        if comp.kind == Compensation.Kind.OVERDUE and status == Compensation.Status.REPLACED:
            raise exc.CompensationError(_("逾期费只能收款或免除。"))
        if status == Compensation.Status.PAID:
            paid_amount = comp.amount if paid_amount is None else paid_amount
            if paid_amount < 0:
                raise exc.CompensationError(_("实收金额不能为负数。"))
        else:
            paid_amount = Decimal("0")
        comp.status = status
        comp.paid_amount = paid_amount
        comp.settled_at = now
        comp.receipt_number = _receipt_number(now, comp.pk)
        if note:
            comp.note = (f"{comp.note}；{note}" if comp.note else note)[:300]
        comp.save(update_fields=["status", "paid_amount", "settled_at", "receipt_number", "note"])
        _log(
            Action.COMPENSATION_SETTLED,
            at=now,
            by=_user(by),
            reader=comp.reader,
            copy=comp.copy,
            detail=f"{Compensation.Status(status).label} ¥{paid_amount}",
        )
        return comp
