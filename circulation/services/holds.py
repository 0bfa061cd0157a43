"""Reservations: the queue for a title, the copy kept on the hold shelf, and expiry."""

import functools
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, CopyStatus, Record
from catalog.status import copy_change_status
from circulation import exceptions as exc
from circulation import privacy
from circulation.calendar_rules import hold_expiry
from circulation.models import (
    CirculationSettings,
    Hold,
    Loan,
    Reader,
    TitleLoanRule,
)
from circulation.services.common import Action, _log, _now, _user, policy_for, reader_state
from library.prepared import Part, PreparedSelect


def _assign_copy_to_next_hold(copy: Copy, *, by, now, desk="") -> Hold | None:
    """Give a copy that just became free to the first waiting reader, or put it back on the shelf."""
    # skip_locked: two copies of a title returned at the same moment go to two different waiters.
    found = _next_waiting_hold_select().fetch([copy.record_id, Hold.Status.WAITING.value])
    hold = found[0] if found else None
    if hold is None or copy.status in (CopyStatus.REPAIR, CopyStatus.LOST, CopyStatus.WITHDRAWN):
        if copy.status in (CopyStatus.ON_LOAN, CopyStatus.ON_HOLD):
            copy_change_status(copy, CopyStatus.ON_SHELF, by=_user(by), now=now, note=_("归还上架"))
        return None
    settings = CirculationSettings.current()
    hold.status = Hold.Status.READY
    hold.copy = copy
    hold.ready_at = now
    hold.expires_on = hold_expiry(timezone.localdate(now), settings.hold_days)
    hold.save(update_fields=["status", "copy", "ready_at", "expires_on"])
    copy_change_status(copy, CopyStatus.ON_HOLD, by=_user(by), now=now, note=_("预约保留"))
    _log(Action.HOLD_READY, at=now, by=_user(by), desk=desk, reader=hold.reader, copy=copy, detail=hold.reader.name)
    return hold


@functools.cache
def _next_waiting_hold_select() -> PreparedSelect:
    """As Hold.objects.select_for_update(of=("self",), skip_locked=True).select_related("reader")
    .filter(record_id=…, status=…).order_by("placed_at", "id").first(), its SQL built once: every
    return at the desk asks it."""
    hold, reader = Hold._meta.db_table, Reader._meta.db_table
    return PreparedSelect(
        [Part(Hold, hold), Part(Reader, reader, "reader")],
        f"SELECT {{columns}} FROM {hold} JOIN {reader} ON {reader}.id = {hold}.reader_id"
        f" WHERE {hold}.record_id = %s AND {hold}.status = %s ORDER BY {hold}.placed_at, {hold}.id LIMIT 1"
        f" FOR UPDATE OF {hold} SKIP LOCKED",
        lock=True,
    )


def copy_offer_to_holds(*, copy: Copy, by=None, now: datetime | None = None) -> Hold | None:
    """A copy came back on the shelf outside the desk (e.g. from repair): serve the reservation queue.

    Callers hold a transaction and the copy's row lock."""
    return _assign_copy_to_next_hold(copy, by=by, now=_now(now))


# --- holds -----------------------------------------------------------------------------------


def hold_place(*, record: Record, reader: Reader, by=None, now: datetime | None = None) -> Hold:
    """Join the queue for a title; if a copy stands on the shelf, it is kept for the reader at once."""
    now = _now(now)
    today = timezone.localdate(now)
    with transaction.atomic():
        reader = reader_state(reader.pk, today, lock=True)
        if not reader.is_active:
            raise exc.HoldRefused(_("读者已停用，不能预约。"))
        policy = policy_for(reader, today)
        active = Hold.objects.filter(reader=reader, status__in=[Hold.Status.WAITING, Hold.Status.READY])
        if active.filter(record=record).exists():
            raise exc.HoldRefused(_("您已预约过《%(title)s》。") % {"title": record.title})
        if active.count() >= policy.max_holds:
            raise exc.HoldRefused(_("预约已达上限（%(n)s 种）。") % {"n": policy.max_holds})
        if Loan.objects.filter(reader=reader, copy__record=record, returned_at__isnull=True).exists():
            raise exc.HoldRefused(_("您正在借阅《%(title)s》，不需要预约。") % {"title": record.title})
        if TitleLoanRule.objects.filter(record=record).exists():
            # Current periodical issues: one title, many different issues; nobody waits for "any".
            raise exc.HoldRefused(_("《%(title)s》是现刊，不能预约，请到馆借阅。") % {"title": record.title})
        lendable = Copy.objects.filter(record=record, withdrawn_on__isnull=True, location__is_lendable=True)
        if not lendable.exists():
            raise exc.HoldRefused(_("《%(title)s》没有可外借的馆藏，不能预约。") % {"title": record.title})
        try:
            with transaction.atomic():
                hold = Hold.objects.create(record=record, reader=reader, placed_at=now, placed_by=_user(by))
        except IntegrityError:
            raise exc.HoldRefused(_("您已预约过《%(title)s》。") % {"title": record.title}) from None
        _log(Action.HOLD_PLACED, at=now, by=_user(by), reader=reader, detail=record.title)
        free = (
            lendable.select_for_update(of=("self",), skip_locked=True)
            .filter(status=CopyStatus.ON_SHELF)
            .order_by("barcode")
            .first()
        )
        if free is not None:
            free.record = record
            _assign_copy_to_next_hold(free, by=by, now=now)
            hold.refresh_from_db()
        return hold


def _close_hold(hold: Hold, status: str, *, action: str, by, now, detail: str = "") -> None:
    copy = hold.copy
    was_ready = hold.status == Hold.Status.READY
    hold.status = status
    hold.closed_at = now
    hold.save(update_fields=["status", "closed_at"])
    _log(action, at=now, by=_user(by), reader=hold.reader, copy=copy, detail=detail or hold.record.title)
    if was_ready and copy is not None:
        copy = Copy.objects.select_for_update(of=("self",)).get(pk=copy.pk)
        _assign_copy_to_next_hold(copy, by=by, now=now)


def _lock_hold_copy_first(hold_pk: int) -> None:
    """Lock the copy a hold keeps before the hold itself: checkout locks copy, then hold."""
    copy_id = Hold.objects.filter(pk=hold_pk).values_list("copy_id", flat=True).first()
    if copy_id:
        list(Copy.objects.select_for_update().filter(pk=copy_id).values_list("pk", flat=True))


def hold_cancel(*, hold: Hold, by=None, now: datetime | None = None) -> Hold:
    now = _now(now)
    with transaction.atomic():
        _lock_hold_copy_first(hold.pk)
        hold = Hold.objects.select_for_update(of=("self",)).select_related("record", "reader").get(pk=hold.pk)
        if hold.status not in (Hold.Status.WAITING, Hold.Status.READY):
            raise exc.HoldRefused(_("该预约已结束，不能取消。"))
        if _user(by) is not None and not privacy.may_cancel_hold(by, hold):
            raise exc.NotPermitted(_("只有图书管理员可以取消其他读者的预约。"))
        _close_hold(hold, Hold.Status.CANCELLED, action=Action.HOLD_CANCELLED, by=by, now=now)
        return hold


def holds_expire(*, by=None, now: datetime | None = None) -> int:
    """Ready holds past their last day expire; their copies go to the next in the queue."""
    now = _now(now)
    today = timezone.localdate(now)
    count = 0
    ids = list(Hold.objects.filter(status=Hold.Status.READY, expires_on__lt=today).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            _lock_hold_copy_first(pk)
            hold = (
                Hold.objects.select_for_update(of=("self",))
                .select_related("record", "reader")
                .filter(pk=pk, status=Hold.Status.READY)
                .first()
            )
            if hold is None:
                continue
            _close_hold(hold, Hold.Status.EXPIRED, action=Action.HOLD_EXPIRED, by=by, now=now)
            count += 1
    return count


def holds_expire_daily(now: datetime | None = None) -> int | None:
    """Expire holds once a day, whoever comes first: the number expired, or None if already done today.

    The day is claimed with one conditional UPDATE, so of several processes (or desks) exactly one
    does the work. Called by library.daily.DailyChoresMiddleware on the first request
    of the day; `manage.py expire_holds` and the button on the holds page still run it on demand.
    """
    now = _now(now)
    today = timezone.localdate(now)
    unclaimed = Q(holds_checked_on__isnull=True) | Q(holds_checked_on__lt=today)
    claimed = CirculationSettings.objects.filter(unclaimed).update(holds_checked_on=today)
    if not claimed and not CirculationSettings.objects.exists():
        CirculationSettings.current()
        claimed = CirculationSettings.objects.filter(unclaimed).update(holds_checked_on=today)
    if not claimed:
        return None
    try:
        return holds_expire(now=now)
    except Exception:
        # Give the day back, so the next request tries again.
        CirculationSettings.objects.filter(holds_checked_on=today).update(holds_checked_on=None)
        raise


def hold_queue_position(hold: Hold) -> int:
    return (
        Hold.objects.filter(record_id=hold.record_id, status=Hold.Status.WAITING)
        .filter(Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, pk__lt=hold.pk))
        .count()
        + 1
    )
