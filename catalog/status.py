"""Copy status changes, shared by cataloguing and circulation.

Every change of `Copy.status` goes through these functions so the history
(`CopyStatusChange`: who, when, why) is always written with it. They do not open a
transaction: callers already hold one (and a row lock on the copy where it is contended).
"""

import functools
from datetime import datetime

from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import hooks
from catalog.exceptions import CopyNotWithdrawable
from catalog.locations import record_locations_refresh
from catalog.models import Copy, CopyStatus, CopyStatusChange, WithdrawalBatch


def copy_change_status(copy: Copy, to_status: str, *, by=None, now: datetime | None = None, note: str = "") -> None:
    now = now or timezone.now()
    from_status = copy.status
    if from_status == to_status:
        return
    # One statement (one round trip) for the status and its history row: the desk changes a copy's
    # status on every checkout and return.
    with connection.cursor() as cursor:
        cursor.execute(
            _change_status_sql(),
            [str(to_status), copy.pk, from_status, str(to_status), now, by.pk if by is not None else None, note[:300]],
        )
        if cursor.rowcount != 1:
            raise DatabaseError(f"copy {copy.pk} does not exist: its status was not changed")
    copy.status = to_status


@functools.cache
def _change_status_sql() -> str:
    """UPDATE the copy's status and INSERT its history row (only when the copy row was updated)."""
    copies, changes = Copy._meta.db_table, CopyStatusChange._meta.db_table
    column = {f.name: f.column for f in CopyStatusChange._meta.concrete_fields}
    inserted = [column[name] for name in ("copy", "from_status", "to_status", "changed_at", "changed_by", "note")]
    return (
        f"WITH changed AS (UPDATE {copies} SET {Copy._meta.get_field('status').column} = %s WHERE id = %s RETURNING id) "
        f"INSERT INTO {changes} ({', '.join(inserted)}) SELECT id, %s, %s, %s, %s, %s FROM changed"
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
    """Take a copy out of the collection (剔除, or 遗失 when lost); its history stays.

    Refused (CopyNotWithdrawable) while another app holds the copy, e.g. a stocktake that is still
    open has scanned it: that stocktake's result must not change under it."""
    now = now or timezone.now()
    blocker = hooks.write_off_blockers([copy.pk]).get(copy.pk)
    if blocker:
        raise CopyNotWithdrawable(_("%(code)s 不能注销：%(why)s") % {"code": copy.barcode, "why": blocker})
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


def copy_restore(copy: Copy, *, by=None, now: datetime | None = None, note: str = "") -> None:
    """Bring a written-off (遗失/剔除) copy that turned up again back on the shelf; the status
    history keeps the write-off and the restoring, the note names the old 注销批次."""
    now = now or timezone.now()
    from_status = copy.status
    batch_number = copy.withdrawal.number if copy.withdrawal_id else ""
    copy.status = CopyStatus.ON_SHELF
    copy.withdrawn_on = None
    copy.withdrawal_reason = ""
    copy.withdrawal = None
    copy.save(update_fields=["status", "withdrawn_on", "withdrawal_reason", "withdrawal"])
    text = " ".join(part for part in (note, batch_number) if part)
    CopyStatusChange.objects.create(
        copy=copy,
        from_status=from_status,
        to_status=CopyStatus.ON_SHELF,
        changed_at=now,
        changed_by=by,
        note=text[:300],
    )
    record_locations_refresh([copy.record_id])
