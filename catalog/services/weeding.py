"""Weeding (剔旧注销): withdrawal batches with their approval."""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import hooks
from catalog.exceptions import (
    CopyNotFound,
    CopyNotWithdrawable,
)
from catalog.models import (
    Copy,
    CopyStatus,
    WithdrawalBatch,
)
from catalog.status import copy_write_off


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
