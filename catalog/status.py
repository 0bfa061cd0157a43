"""Copy status changes, shared by cataloguing and circulation.

Every change of `Copy.status` goes through these functions so the history
(`CopyStatusChange`: who, when, why) is always written with it. They do not open a
transaction: callers already hold one (and a row lock on the copy where it is contended).
"""

from datetime import datetime

from django.utils import timezone

from catalog.locations import record_locations_refresh
from catalog.models import Copy, CopyStatus, CopyStatusChange, WithdrawalBatch


def copy_change_status(copy: Copy, to_status: str, *, by=None, now: datetime | None = None, note: str = "") -> None:
    now = now or timezone.now()
    from_status = copy.status
    if from_status == to_status:
        return
    copy.status = to_status
    copy.save(update_fields=["status"])
    CopyStatusChange.objects.create(
        copy=copy, from_status=from_status, to_status=to_status, changed_at=now, changed_by=by, note=note[:300]
    )


def copy_write_off(
    copy: Copy,
    *,
    reason: str,
    by=None,
    now: datetime | None = None,
    batch: WithdrawalBatch | None = None,
    note: str = "",
) -> None:
    """Take a copy out of the collection (剔除, or 遗失 when lost); its history stays."""
    now = now or timezone.now()
    to_status = CopyStatus.LOST if reason == "lost" else CopyStatus.WITHDRAWN
    from_status = copy.status
    # Status and withdrawal fields change in one UPDATE: the check constraint
    # catalog_copy_withdrawn_has_status refuses a withdrawn date on an on-shelf copy.
    copy.status = to_status
    copy.withdrawn_on = timezone.localdate(now)
    copy.withdrawal_reason = reason
    copy.withdrawal = batch
    copy.save(update_fields=["status", "withdrawn_on", "withdrawal_reason", "withdrawal"])
    if from_status != to_status:
        CopyStatusChange.objects.create(
            copy=copy, from_status=from_status, to_status=to_status, changed_at=now, changed_by=by, note=note[:300]
        )
    # The copy left the collection: the record's OPAC location facet must forget it.
    record_locations_refresh([copy.record_id])
