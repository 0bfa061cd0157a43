"""Circulation services: every write of loans, holds, cards and compensation goes through here.

Each function owns its transaction, locks the contended rows (the reader for limits, the copy for
"one open loan per copy") and records a CirculationEvent. Refused checkouts are logged too, in a
separate short transaction after the failed one rolled back, so the log shows the 拒借.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, DecimalField, IntegerField, JSONField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, CopyStatus, Record
from catalog.status import copy_change_status, copy_write_off
from circulation import barcode_space
from circulation import exceptions as exc
from circulation.calendar_rules import due_date_for, hold_expiry, term_on
from circulation.models import (
    CirculationEvent,
    CirculationSettings,
    Compensation,
    Hold,
    LibraryCard,
    Loan,
    LoanPolicy,
    Reader,
    ReaderKind,
    Renewal,
    SchoolClass,
    Term,
    school_year_of,
)

Action = CirculationEvent.Action


# --- helpers -------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _log(action: str, *, at: datetime, by=None, desk: str = "", reader=None, copy=None, loan=None, detail: str = ""):
    return CirculationEvent.objects.create(
        action=action, at=at, by=by, desk=desk[:40], reader=reader, copy=copy, loan=loan, detail=str(detail)[:300]
    )


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def policy_for(reader: Reader, day: date, policies: list[LoanPolicy] | None = None) -> LoanPolicy:
    """The most specific policy for the reader's kind (and grade, for students).

    The candidates are `policies`, else those reader_state() read with the reader, else a query.
    """
    if policies is None:
        policies = getattr(reader, "kind_policies", None)
    if policies is None:
        policies = list(LoanPolicy.objects.filter(reader_kind=reader.kind))
    grade = reader.school_class.grade_on(day) if reader.school_class_id and reader.school_class else None
    best, best_score = None, -1
    for p in policies:
        if p.reader_kind != reader.kind:
            continue
        if p.grade_from is not None and (grade is None or grade < p.grade_from):
            continue
        if p.grade_to is not None and (grade is None or grade > p.grade_to):
            continue
        score = (p.grade_from is not None) + (p.grade_to is not None)
        if score > best_score:
            best, best_score = p, score
    if best is None:
        raise exc.NoPolicy(
            _("没有适用于“%(kind)s”读者的借阅规则，请先设置借阅规则。") % {"kind": reader.get_kind_display()}
        )
    return best


@functools.cache
def _state_sql() -> dict[str, tuple[str, type]]:
    """The reader-state figures as SQL over the reader row: cheap to build on the desk's hot path."""
    loan, card, comp, hold = (m._meta.db_table for m in (Loan, LibraryCard, Compensation, Hold))
    me = f"{Reader._meta.db_table}.id"
    valid, lost, unpaid = LibraryCard.Status.VALID, LibraryCard.Status.LOST, Compensation.Status.UNPAID
    waiting, ready = Hold.Status.WAITING, Hold.Status.READY
    open_loans = f"SELECT count(*) FROM {loan} WHERE reader_id = {me} AND returned_at IS NULL"
    return {
        "n_open": (open_loans, IntegerField),
        "n_overdue": (open_loans + " AND due_date < %s", IntegerField),
        "has_valid_card": (
            f"EXISTS (SELECT 1 FROM {card} WHERE reader_id = {me} AND status = '{valid}')",
            BooleanField,
        ),
        "has_lost_card": (f"EXISTS (SELECT 1 FROM {card} WHERE reader_id = {me} AND status = '{lost}')", BooleanField),
        "has_unpaid": (f"EXISTS (SELECT 1 FROM {comp} WHERE reader_id = {me} AND status = '{unpaid}')", BooleanField),
        "has_holds": (
            f"EXISTS (SELECT 1 FROM {hold} WHERE reader_id = {me} AND status IN ('{waiting}', '{ready}'))",
            BooleanField,
        ),
        "has_ready_holds": (
            f"EXISTS (SELECT 1 FROM {hold} WHERE reader_id = {me} AND status = '{ready}')",
            BooleanField,
        ),
        # The loan policies of the reader's kind, so policy_for() needs no query of its own.
        "kind_policies": (
            f"SELECT coalesce(jsonb_agg(p ORDER BY p.id), '[]'::jsonb) FROM {LoanPolicy._meta.db_table} p "
            f"WHERE p.reader_kind = {Reader._meta.db_table}.kind",
            JSONField,
        ),
    }


def _state_annotations(today: date) -> dict[str, RawSQL]:
    """reader_state()'s figures as annotations; they refer to the reader's table, so they also work
    on a query of another model that joins the reader (a loan with select_related("reader"))."""
    return {
        name: RawSQL(sql, [today] if "%s" in sql else [], output_field=field())
        for name, (sql, field) in _state_sql().items()
    }


@functools.cache
def _policy_decimals() -> dict[str, Decimal]:
    """LoanPolicy's decimal columns and their quantum (built once: this runs on every desk scan)."""
    return {
        f.column: Decimal(1).scaleb(-f.decimal_places)
        for f in LoanPolicy._meta.concrete_fields
        if isinstance(f, DecimalField)
    }


def _policy_from_json(row: dict) -> LoanPolicy:
    """A LoanPolicy from its jsonb row (keyed by column; numbers arrive as floats, so decimals are
    made exact again)."""
    decimals = _policy_decimals()
    values = {
        name: Decimal(str(value)).quantize(decimals[name]) if name in decimals and value is not None else value
        for name, value in row.items()
    }
    return LoanPolicy(**values)


def _with_state(reader: Reader, values) -> Reader:
    """Put the figures read by _state_annotations() on the reader (from itself or another row)."""
    for name in _state_sql():
        setattr(reader, name, getattr(values, name))
    reader.kind_policies = [_policy_from_json(row) for row in reader.kind_policies]
    return reader


def reader_state(reader_id: int, today: date, *, lock: bool = False) -> Reader | None:
    """The reader (with class) and the figures the loan rules need, in one query; locked when asked.

    The figures are n_open, n_overdue (open loans due before `today`), has_valid_card,
    has_lost_card, has_unpaid, has_holds (waiting or ready), has_ready_holds, and kind_policies
    (the LoanPolicy rows of the reader's kind, for policy_for). They are plain
    SQL subqueries: the ORM's Subquery/Exists equivalents cost three times as much CPU to build,
    and this runs on every desk scan. None when no such reader exists.
    """
    if lock:
        # Lock first, then read the figures in a new statement: under READ COMMITTED a statement
        # that waited for the lock would still count the loans with its old snapshot.
        list(Reader.objects.select_for_update().filter(pk=reader_id).order_by().values_list("pk", flat=True))
    reader = (
        Reader.objects.select_related("school_class").annotate(**_state_annotations(today)).filter(pk=reader_id).first()
    )
    return _with_state(reader, reader) if reader is not None else None


def reader_blocks(reader, policy: LoanPolicy | None) -> list[str]:
    """Why this reader may not borrow now (empty when they may). Needs reader_state()."""
    blocks = []
    if not reader.is_active:
        blocks.append(_("读者已离校或停用"))
    if not reader.has_valid_card:
        blocks.append(_("借书证已挂失，不能借书") if reader.has_lost_card else _("没有有效的借书证"))
    if policy is not None:
        if reader.n_overdue and policy.overdue_blocks:
            blocks.append(_("有 %(n)s 册逾期未还") % {"n": reader.n_overdue})
        if reader.has_unpaid and policy.unpaid_blocks:
            blocks.append(_("有未处理的赔偿或逾期费"))
        if reader.n_open >= policy.max_items:
            blocks.append(_("已借 %(n)s 册，达到上限 %(max)s 册") % {"n": reader.n_open, "max": policy.max_items})
    return blocks


def _lock_copy(barcode: str) -> Copy:
    barcode = (barcode or "").strip()
    try:
        return (
            Copy.objects.select_for_update(of=("self",))
            .select_related("record", "location")
            # The record's search columns are wide and never needed at the desk.
            .defer("record__search_text", "record__search_document")
            .get(barcode=barcode)
        )
    except Copy.DoesNotExist:
        raise exc.UnknownBarcode(_("条码“%(code)s”不存在，请检查是否扫错。") % {"code": barcode}) from None


def _copy_refusal(copy: Copy, reader: Reader, by, hold: Hold | None) -> exc.CirculationError | None:
    status = copy.status
    if status == CopyStatus.ON_LOAN:
        loan = Loan.objects.filter(copy=copy, returned_at__isnull=True).select_related("reader").first()
        if loan and loan.reader_id == reader.pk:
            return exc.CopyNotAvailable(_("《%(title)s》已借给该读者。") % {"title": copy.record.title})
        if loan and by is not None and by.has_perm("library.manage_readers"):
            return exc.CopyNotAvailable(
                _("《%(title)s》已借出（借阅人：%(name)s，应还 %(due)s）。")
                % {"title": copy.record.title, "name": loan.reader.name, "due": loan.due_date.isoformat()}
            )
        return exc.CopyNotAvailable(_("《%(title)s》已借出，请先办理归还。") % {"title": copy.record.title})
    if status == CopyStatus.ON_HOLD:
        if hold is None or hold.reader_id != reader.pk:
            return exc.CopyReservedForOther(
                _("《%(title)s》已为其他读者预约保留，不能借出。") % {"title": copy.record.title}
            )
        return None
    if status == CopyStatus.REPAIR:
        return exc.CopyNotAvailable(_("《%(title)s》正在修补中，不能借出。") % {"title": copy.record.title})
    if status in (CopyStatus.WITHDRAWN, CopyStatus.LOST) or copy.withdrawn_on:
        return exc.CopyNotAvailable(_("《%(title)s》已注销（剔除或遗失），不能借出。") % {"title": copy.record.title})
    if not copy.location.is_lendable:
        return exc.CopyNotAvailable(
            _("《%(title)s》属于“%(loc)s”，只供阅览，不外借。")
            % {"title": copy.record.title, "loc": copy.location.name}
        )
    return None


def log_refusal(*, error: exc.CirculationError, reader=None, copy_barcode: str = "", by=None, now=None, desk=""):
    copy = Copy.objects.filter(barcode=(copy_barcode or "").strip()).first() if copy_barcode else None
    _log(Action.REFUSED, at=_now(now), by=_user(by), desk=desk, reader=reader, copy=copy, detail=error.message)


# --- checkout / return / renew ---------------------------------------------------------------


def loan_checkout(
    *,
    reader: Reader | int,
    copy_barcode: str,
    by=None,
    now: datetime | None = None,
    desk: str = "",
    allow_vacation: bool = False,
    collective: bool = False,
    due_date: date | None = None,
) -> Loan:
    """Lend one copy to a reader (a Reader or its id). Refusals raise and are logged as 拒借 events.

    The loan comes back with `loan.reader` holding the reader's state as it was checked under the
    lock (see reader_state) and `loan.policy` the loan policy applied, so the desk can show the
    reader again without reading them twice.
    """
    now = _now(now)
    reader_id = reader if isinstance(reader, int) else reader.pk
    try:
        return _checkout(
            reader_id=reader_id,
            copy_barcode=copy_barcode,
            by=by,
            now=now,
            desk=desk,
            allow_vacation=allow_vacation,
            collective=collective,
            due_date=due_date,
        )
    except exc.UnknownReader:
        log_refusal(error=exc.UnknownReader(), copy_barcode=copy_barcode, by=by, now=now, desk=desk)
        raise
    except exc.CirculationError as error:
        log_refusal(error=error, reader=Reader(pk=reader_id), copy_barcode=copy_barcode, by=by, now=now, desk=desk)
        raise


def _checkout(*, reader_id, copy_barcode, by, now, desk, allow_vacation, collective, due_date) -> Loan:
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            reader = reader_state(reader_id, today, lock=True)
            if reader is None:
                raise exc.UnknownReader()
            policy = policy_for(reader, today)
            blocks = reader_blocks(reader, policy)
            if blocks:
                error_class = exc.LoanLimitReached if reader.n_open >= policy.max_items else exc.ReaderBlocked
                if not reader.has_valid_card:
                    error_class = exc.CardProblem
                raise error_class(_("%(name)s 不能借书：%(why)s。") % {"name": reader.name, "why": "；".join(blocks)})
            copy = _lock_copy(copy_barcode)
            hold = None
            if copy.status == CopyStatus.ON_HOLD:
                hold = Hold.objects.select_for_update().filter(copy=copy, status=Hold.Status.READY).first()
            refusal = _copy_refusal(copy, reader, by, hold)
            if refusal:
                raise refusal
            if due_date is None:
                due_date = due_date_for(today, policy.loan_days, allow_vacation=allow_vacation)
            school_class = reader.school_class
            loan = Loan.objects.create(
                copy=copy,
                reader=reader,
                reader_kind=reader.kind,
                school_class=school_class,
                grade=school_class.grade_on(today) if school_class else None,
                checked_out_at=now,
                due_date=due_date,
                is_collective=collective or reader.kind == ReaderKind.COLLECTIVE,
                is_vacation=allow_vacation,
                checked_out_by=_user(by),
                desk=desk[:40],
            )
            copy_change_status(copy, CopyStatus.ON_LOAN, by=_user(by), now=now, note=_("借出"))
            if hold is None and reader.has_holds:
                # The reader takes another copy of a title they reserved: the reservation is
                # fulfilled, and a copy kept for it goes to the next reader. (has_holds was read
                # under the reader's lock, which hold_place takes too, so it cannot be stale.)
                hold = (
                    Hold.objects.select_for_update(of=("self",))
                    .select_related("copy")
                    .filter(
                        reader=reader, record_id=copy.record_id, status__in=[Hold.Status.WAITING, Hold.Status.READY]
                    )
                    .first()
                )
                if hold is not None and hold.copy_id and hold.status == Hold.Status.READY:
                    Hold.objects.filter(pk=hold.pk).update(status=Hold.Status.FULFILLED, closed_at=now)
                    kept = Copy.objects.select_for_update(of=("self",)).get(pk=hold.copy_id)
                    _assign_copy_to_next_hold(kept, by=by, now=now, desk=desk)
                    hold = None
            if hold is not None:
                Hold.objects.filter(pk=hold.pk).update(status=Hold.Status.FULFILLED, closed_at=now)
            _log(Action.CHECKOUT, at=now, by=_user(by), desk=desk, reader=reader, copy=copy, loan=loan)
            loan.copy = copy
            loan.policy = policy
            return loan
    except IntegrityError as error:
        # The partial unique index caught a race the locks should already prevent.
        raise exc.CopyNotAvailable(_("此书刚刚被借出，请重新扫描确认。")) from error


@dataclass
class ReturnResult:
    """The closed loan (its reader carries the state read with it: see reader_state), overdue days,
    the hold the copy now waits for, and the overdue fine charged, if any."""

    loan: Loan
    overdue_days: int
    hold: Hold | None
    fine: Compensation | None = None


def loan_return(*, copy_barcode: str, by=None, now: datetime | None = None, desk: str = "") -> ReturnResult:
    """Take a copy back; if someone waits for the title, it goes on the hold shelf for them."""
    now = _now(now)
    today = timezone.localdate(now)
    with transaction.atomic():
        copy = _lock_copy(copy_barcode)
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("reader__school_class")
            # The reader's state for the desk's panel, read with the loan (display only: the rules
            # of a return do not depend on it).
            .annotate(**_state_annotations(today))
            .filter(copy=copy, returned_at__isnull=True)
            .first()
        )
        if loan is None:
            raise exc.NotOnLoan(
                _("《%(title)s》（%(code)s）没有借出记录，无需归还。")
                % {"title": copy.record.title, "code": copy.barcode}
            )
        _with_state(loan.reader, loan)
        loan.returned_at = max(now, loan.checked_out_at)
        loan.returned_by = _user(by)
        loan.save(update_fields=["returned_at", "returned_by"])
        overdue_days = max((today - loan.due_date).days, 0)
        detail = _("逾期 %(n)s 天") % {"n": overdue_days} if overdue_days else ""
        _log(Action.RETURN, at=now, by=_user(by), desk=desk, reader=loan.reader, copy=copy, loan=loan, detail=detail)
        fine = _charge_overdue_fine(loan, copy, overdue_days, by=by, now=now, desk=desk) if overdue_days else None
        hold = _assign_copy_to_next_hold(copy, by=by, now=now, desk=desk)
        loan.copy = copy
        return ReturnResult(loan=loan, overdue_days=overdue_days, hold=hold, fine=fine)


def _charge_overdue_fine(loan: Loan, copy: Copy, overdue_days: int, *, by, now, desk) -> Compensation | None:
    """The overdue fine of a late return, when the reader's loan policy charges one (default: none).

    Days overdue × the policy's 逾期费（元/天）, recorded as an unpaid 逾期费 to settle like any
    compensation (paid or waived; while unpaid it blocks new loans if the policy says so).
    """
    try:
        policy = policy_for(loan.reader, timezone.localdate(now))
    except exc.NoPolicy:
        return None
    if not policy.fine_per_day:
        return None
    amount = (policy.fine_per_day * overdue_days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    fine = Compensation.objects.create(
        copy=copy,
        reader=loan.reader,
        loan=loan,
        kind=Compensation.Kind.OVERDUE,
        amount=amount,
        reported_at=now,
        reported_by=_user(by),
        note=_("逾期 %(n)s 天 × ¥%(rate)s") % {"n": overdue_days, "rate": policy.fine_per_day},
    )
    label = Compensation.Kind.OVERDUE.label
    _log(
        Action.COMPENSATION,
        at=now,
        by=_user(by),
        desk=desk,
        reader=loan.reader,
        copy=copy,
        loan=loan,
        detail=f"{label} ¥{amount}",
    )
    return fine


def _assign_copy_to_next_hold(copy: Copy, *, by, now, desk="") -> Hold | None:
    """Give a copy that just became free to the first waiting reader, or put it back on the shelf."""
    # skip_locked: two copies of a title returned at the same moment go to two different waiters.
    hold = (
        Hold.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("reader")
        .filter(record_id=copy.record_id, status=Hold.Status.WAITING)
        .order_by("placed_at", "id")
        .first()
    )
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


def copy_offer_to_holds(*, copy: Copy, by=None, now: datetime | None = None) -> Hold | None:
    """A copy came back on the shelf outside the desk (e.g. from repair): serve the reservation queue.

    Callers hold a transaction and the copy's row lock."""
    return _assign_copy_to_next_hold(copy, by=by, now=_now(now))


def loan_renew(*, loan: Loan, by=None, now: datetime | None = None, desk: str = "") -> Loan:
    now = _now(now)
    today = timezone.localdate(now)
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self",)).select_related("copy__record").get(pk=loan.pk)
        if loan.returned_at is not None:
            raise exc.RenewalRefused(_("这本书已经归还，不能续借。"))
        reader = reader_state(loan.reader_id, today, lock=True)
        policy = policy_for(reader, today)
        title = loan.copy.record.title
        if loan.renewals >= policy.max_renewals:
            raise exc.RenewalRefused(
                _("《%(title)s》已续借 %(n)s 次，达到上限。") % {"title": title, "n": loan.renewals}
            )
        if loan.is_overdue(today) and policy.overdue_blocks:
            raise exc.RenewalRefused(_("《%(title)s》已逾期，请先归还。") % {"title": title})
        if Hold.objects.filter(record_id=loan.copy.record_id, status=Hold.Status.WAITING).exists():
            raise exc.RenewalRefused(_("《%(title)s》有其他读者在排队预约，不能续借。") % {"title": title})
        # The renewal period runs from the current due date (from today when already overdue).
        new_due = due_date_for(max(today, loan.due_date), policy.renewal_days, allow_vacation=loan.is_vacation)
        if new_due <= loan.due_date:
            raise exc.RenewalRefused(
                _("《%(title)s》续借后应还日期不会延后（学期即将结束），无需续借。") % {"title": title}
            )
        Renewal.objects.create(
            loan=loan, renewed_at=now, old_due_date=loan.due_date, new_due_date=new_due, renewed_by=_user(by)
        )
        old_due = loan.due_date
        loan.due_date = new_due
        loan.renewals += 1
        loan.save(update_fields=["due_date", "renewals"])
        _log(
            Action.RENEW,
            at=now,
            by=_user(by),
            desk=desk,
            reader=reader,
            copy=loan.copy,
            loan=loan,
            detail=f"{old_due.isoformat()} → {new_due.isoformat()}",
        )
        return loan


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
    does the work. Called by circulation.middleware.DailyHoldExpiryMiddleware on the first request
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


# --- cards -----------------------------------------------------------------------------------


def _new_card_number(reader: Reader) -> str:
    base = f"D{reader.pk:07d}"
    taken = set(LibraryCard.objects.filter(number__startswith=base).values_list("number", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _lock_reader(reader: Reader) -> Reader:
    return Reader.objects.select_for_update().get(pk=reader.pk)


def card_issue(*, reader: Reader, by=None, now: datetime | None = None, number: str = "") -> LibraryCard:
    now = _now(now)
    with transaction.atomic():
        reader = _lock_reader(reader)
        if not reader.is_active:
            raise exc.CardError(_("读者已停用，不能办证。"))
        if reader.cards.filter(status=LibraryCard.Status.VALID).exists():
            raise exc.CardError(_("%(name)s 已有有效借书证。") % {"name": reader.name})
        number = barcode_space.card_number_for(reader, number)
        if LibraryCard.objects.filter(number=number).exists():
            raise exc.CardError(_("证号“%(n)s”已被使用。") % {"n": number})
        card = LibraryCard.objects.create(reader=reader, number=number, issued_at=now, issued_by=_user(by))
        _log(Action.CARD_ISSUED, at=now, by=_user(by), reader=reader, detail=number)
        return card


def _lock_card(card: LibraryCard) -> LibraryCard:
    return LibraryCard.objects.select_for_update(of=("self",)).select_related("reader").get(pk=card.pk)


def card_report_lost(*, card: LibraryCard, by=None, now: datetime | None = None) -> LibraryCard:
    """挂失: the card stops working at once."""
    now = _now(now)
    with transaction.atomic():
        _lock_reader(card.reader)
        card = _lock_card(card)
        if card.status != LibraryCard.Status.VALID:
            raise exc.CardError(_("只有有效的借书证才能挂失。"))
        card.status = LibraryCard.Status.LOST
        card.ended_at = now
        card.save(update_fields=["status", "ended_at"])
        _log(Action.CARD_LOST, at=now, by=_user(by), reader=card.reader, detail=card.number)
        return card


def card_reissue(*, card: LibraryCard, by=None, now: datetime | None = None) -> LibraryCard:
    """补办: the old card (lost or still valid) is replaced by a new number; history stays."""
    now = _now(now)
    with transaction.atomic():
        reader = _lock_reader(card.reader)
        card = _lock_card(card)
        if card.status not in (LibraryCard.Status.VALID, LibraryCard.Status.LOST):
            raise exc.CardError(_("该借书证已补办或注销，不能再补办。"))
        if card.status == LibraryCard.Status.VALID:
            card.ended_at = now
        card.status = LibraryCard.Status.REPLACED
        card.save(update_fields=["status", "ended_at"])
        new = LibraryCard.objects.create(
            reader=reader, number=_new_card_number(reader), issued_at=now, issued_by=_user(by)
        )
        _log(Action.CARD_REPLACED, at=now, by=_user(by), reader=reader, detail=f"{card.number} → {new.number}")
        return new


def card_cancel(*, card: LibraryCard, by=None, now: datetime | None = None) -> LibraryCard:
    now = _now(now)
    with transaction.atomic():
        _lock_reader(card.reader)
        card = _lock_card(card)
        if card.status not in (LibraryCard.Status.VALID, LibraryCard.Status.LOST):
            raise exc.CardError(_("该借书证已停用。"))
        card.status = LibraryCard.Status.CANCELLED
        card.ended_at = card.ended_at or now
        card.save(update_fields=["status", "ended_at"])
        _log(Action.CARD_CANCELLED, at=now, by=_user(by), reader=card.reader, detail=card.number)
        return card


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


# --- class collective loans ------------------------------------------------------------------


def collective_reader_for(school_class: SchoolClass) -> Reader:
    from circulation.services_pinyin import name_pinyin

    reader = Reader.objects.filter(kind=ReaderKind.COLLECTIVE, school_class=school_class).first()
    if reader is None:
        name = _("%(c)s图书角") % {"c": school_class}
        reader = Reader.objects.create(
            kind=ReaderKind.COLLECTIVE, name=name, name_pinyin=name_pinyin(name), school_class=school_class
        )
        LibraryCard.objects.create(reader=reader, number=_new_card_number(reader), issued_at=timezone.now())
    return reader


def class_collective_checkout(
    *, school_class: SchoolClass, barcodes: list[str], by=None, now: datetime | None = None, desk: str = ""
) -> list[Loan]:
    """Lend a set of copies to a class book corner until the end of the term: all or nothing."""
    now = _now(now)
    today = timezone.localdate(now)
    barcodes = [b.strip() for b in barcodes if b.strip()]
    if not barcodes:
        raise exc.CirculationError(_("请扫描要借给班级的图书。"))
    if len(set(barcodes)) != len(barcodes):
        raise exc.CirculationError(_("条码有重复，请检查。"))
    term = term_on(today)
    if term is None:
        raise exc.CirculationError(_("今天不在任何学期内，请先设置学期。"))
    with transaction.atomic():
        reader = collective_reader_for(school_class)
        loans, errors = [], []
        for code in barcodes:
            try:
                with transaction.atomic():
                    loans.append(
                        _checkout(
                            reader_id=reader.pk,
                            copy_barcode=code,
                            by=by,
                            now=now,
                            desk=desk,
                            allow_vacation=False,
                            collective=True,
                            due_date=term.end,
                        )
                    )
            except exc.CirculationError as error:
                errors.append(f"{code}：{error.message}")
        if not errors:
            return loans
        transaction.set_rollback(True)
    # Nothing was lent; the refusal is logged (after the rollback) like a refusal at the desk, for
    # the class's collective reader when it already existed.
    refusal = exc.CirculationError(
        _("%(cls)s 集体借阅未办理，以下图书有问题：") % {"cls": school_class.name_on(today)} + "；".join(errors)
    )
    existing = Reader.objects.filter(kind=ReaderKind.COLLECTIVE, school_class=school_class).first()
    _log(Action.REFUSED, at=now, by=_user(by), desk=desk, reader=existing, detail=refusal.message)
    raise refusal


# --- readers who leave -----------------------------------------------------------------------


def _end_cards_and_holds(readers, *, by, now) -> None:
    """Readers who leave: their valid cards are cancelled and their reservations end; a copy kept
    on the hold shelf for them goes to the next reader waiting, or back to the shelf. Callers hold
    a transaction. The copies are locked before their holds, as checkout does."""
    LibraryCard.objects.filter(reader__in=readers, status=LibraryCard.Status.VALID).update(
        status=LibraryCard.Status.CANCELLED, ended_at=now
    )
    kept_ids = Hold.objects.filter(reader__in=readers, status=Hold.Status.READY, copy__isnull=False).values_list(
        "copy_id", flat=True
    )
    kept = list(Copy.objects.select_for_update(of=("self",)).filter(pk__in=list(kept_ids)).order_by("pk"))
    Hold.objects.filter(reader__in=readers, status__in=[Hold.Status.WAITING, Hold.Status.READY]).update(
        status=Hold.Status.CANCELLED, closed_at=now
    )
    for copy in kept:
        _assign_copy_to_next_hold(copy, by=by, now=now)


def reader_save(*, reader: Reader, was_active: bool, by=None, now: datetime | None = None) -> Reader:
    """Save a reader edited by hand. One who is made inactive (left the school) gets a leaving
    date, and their cards and reservations end at once; one made active again loses the date.
    Their open loans stay: the books still have to come back."""
    now = _now(now)
    with transaction.atomic():
        if was_active and not reader.is_active:
            reader.left_on = reader.left_on or timezone.localdate(now)
        elif reader.is_active:
            reader.left_on = None
        reader.save()
        if was_active and not reader.is_active:
            _end_cards_and_holds(Reader.objects.filter(pk=reader.pk), by=by, now=now)
            _log(Action.CARD_CANCELLED, at=now, by=_user(by), reader=reader, detail=_("读者停用：借书证注销，预约取消"))
        return reader


# --- school year rollover ----------------------------------------------------------------


STAGE_GRADES = {"primary": 6, "junior": 3, "senior": 3}


def graduating_classes(school_year: int):
    """Active classes that finish their stage before `school_year` starts."""
    classes = SchoolClass.objects.filter(is_active=True)
    return [c for c in classes if school_year - c.entry_year + 1 > STAGE_GRADES[c.stage]]


def graduation_open_loans(school_year: int):
    classes = graduating_classes(school_year)
    return (
        Loan.objects.filter(returned_at__isnull=True, reader__school_class__in=classes)
        .select_related("reader__school_class", "copy__record")
        .order_by("reader__school_class", "reader__student_number", "due_date")
    )


@dataclass
class RolloverResult:
    graduated_classes: int
    graduated_students: int
    new_classes: int


def school_year_rollover(
    *, school_year: int, new_first_grade_classes: int | None = None, by=None, now: datetime | None = None
) -> RolloverResult:
    """升级. Grades follow from entry years, so moving up is implicit; this graduates the classes
    that finished their stage (after their books are back), and creates the new first-grade classes."""
    now = _now(now)
    today = timezone.localdate(now)
    if school_year < school_year_of(today):
        raise exc.RolloverError(_("不能为已经过去的学年执行升级。"))
    with transaction.atomic():
        list(SchoolClass.objects.select_for_update().all())
        classes = graduating_classes(school_year)
        open_loans = Loan.objects.filter(returned_at__isnull=True, reader__school_class__in=classes)
        if open_loans.exists():
            raise exc.RolloverError(
                _("毕业班还有 %(n)s 册图书未归还，请先在毕业清还名单中处理。") % {"n": open_loans.count()}
            )
        students = Reader.objects.filter(school_class__in=classes, is_active=True)
        n_students = students.exclude(kind=ReaderKind.COLLECTIVE).count()
        _end_cards_and_holds(students, by=by, now=now)
        students.update(is_active=False, left_on=today)
        for c in classes:
            c.is_active = False
            c.graduated_on = today
            c.save(update_fields=["is_active", "graduated_on"])
        created = 0
        stages = {c.stage for c in SchoolClass.objects.all()} or {SchoolClass.Stage.PRIMARY}
        for stage in sorted(stages):
            if SchoolClass.objects.filter(stage=stage, entry_year=school_year).exists():
                continue
            count = new_first_grade_classes
            if count is None:
                count = SchoolClass.objects.filter(stage=stage, entry_year=school_year - 1).count() or 1
            for number in range(1, count + 1):
                SchoolClass.objects.create(stage=stage, entry_year=school_year, number=number)
                created += 1
        _log(
            Action.ROLLOVER,
            at=now,
            by=_user(by),
            detail=_("%(y)s学年升级：%(c)s 个班毕业，%(s)s 名学生离校，新建 %(n)s 个一年级班")
            % {"y": school_year, "c": len(classes), "s": n_students, "n": created},
        )
        return RolloverResult(graduated_classes=len(classes), graduated_students=n_students, new_classes=created)


def current_term(today: date) -> Term | None:
    return term_on(today)
