"""Checkout, return and renewal, one copy at a time, and a class's collective loans.

Refused checkouts are logged too, in a separate short transaction after the failed one rolled
back, so the log shows the 拒借.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, CopyStatus, ReaderLevel
from catalog.status import copy_change_status
from circulation import barcode_space
from circulation import exceptions as exc
from circulation.calendar_rules import due_date_for, term_on
from circulation.models import (
    Compensation,
    Hold,
    LibraryCard,
    Loan,
    Reader,
    ReaderKind,
    Renewal,
    SchoolClass,
)
from circulation.naming import labelled
from circulation.services.common import (
    Action,
    _lock_copy,
    _lock_open_loan,
    _log,
    _now,
    _user,
    log_refusal,
    policy_for,
    reader_blocks,
    reader_state,
)
from circulation.services.holds import _assign_copy_to_next_hold
from circulation.services.title_rules import exempt_from_limit, title_loan_rule_of


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
    rule = title_loan_rule_of(copy)  # a title lent by rules of its own: they decide, not the location
    if rule is not None and not rule.lendable:
        return exc.CopyNotAvailable(
            _("《%(title)s》%(volume)s 仅限馆内阅览") % {"title": copy.record.title, "volume": copy.volume_label}
        )
    if rule is None and not copy.location.is_lendable and not _may_lend_reference(by):
        return exc.CopyNotAvailable(
            _("《%(title)s》属于“%(loc)s”，只供阅览，不外借。")
            % {"title": copy.record.title, "loc": copy.location.name}
        )
    return None


def _may_lend_reference(by) -> bool:
    """Only a librarian (manage_circulation) may lend a 参考/阅览 copy, after confirming it."""
    return by is not None and getattr(by, "is_authenticated", False) and by.has_perm("library.manage_circulation")


# The lowest school grade (1–12: 小学 1–6, 初中 7–9, 高中 10–12) each 适读对象 is written for;
# 教师用书 is above every pupil.
LEVEL_MIN_GRADE = {
    ReaderLevel.LOWER: 1,
    ReaderLevel.MIDDLE: 3,
    ReaderLevel.UPPER: 5,
    ReaderLevel.JUNIOR: 7,
    ReaderLevel.SENIOR: 10,
    ReaderLevel.TEACHER: 13,
}
STAGE_GRADE_OFFSET = {"primary": 0, "junior": 6, "senior": 9}


def school_grade(school_class: SchoolClass | None, day: date) -> int | None:
    """A class's grade counted over the whole school (初一 = 7, 高一 = 10), or None."""
    if school_class is None:
        return None
    return STAGE_GRADE_OFFSET.get(school_class.stage, 0) + school_class.grade_on(day)


def checkout_warnings(copy: Copy, reader: Reader, today: date) -> list[str]:
    """What the librarian should see before lending (each may be confirmed and lent anyway): the
    same title already on loan to this reader, a book above a pupil's reading level, a reference
    copy. Needs a copy read by _lock_copy(reader_id=...)."""
    warnings = []
    title = copy.record.title
    rule = title_loan_rule_of(copy)  # periodical issues share one title: another issue is no duplicate
    # A class book corner borrows class sets on purpose.
    if getattr(copy, "reader_has_title", False) and reader.kind != ReaderKind.COLLECTIVE and rule is None:
        warnings.append(_("%(name)s 已借有一本《%(title)s》") % {"name": reader.name, "title": title})
    level = copy.record.reader_level
    grade = school_grade(reader.school_class, today) if reader.kind == ReaderKind.STUDENT else None
    if level in LEVEL_MIN_GRADE and grade is not None and LEVEL_MIN_GRADE[level] > grade:
        warnings.append(
            _("《%(title)s》适读对象为“%(level)s”，高于读者的年级（%(class)s）")
            % {"title": title, "level": ReaderLevel(level).label, "class": reader.school_class.name_on(today)}
        )
    if not copy.location.is_lendable and rule is None:
        warnings.append(
            _("《%(title)s》属于“%(loc)s”（参考/阅览，一般不外借）") % {"title": title, "loc": copy.location.name}
        )
    return warnings


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
    confirm: bool = False,
    card_required: bool = True,
) -> Loan:
    """Lend one copy to a reader (a Reader or its id). Refusals raise and are logged as 拒借 events.

    Warnings (checkout_warnings) raise NeedsConfirmation, which is not a refusal and is not logged;
    with confirm=True the loan is made and its checkout log row lists what was confirmed.
    card_required=False: see reader_blocks (the class borrowing session).

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
            confirm=confirm,
            card_required=card_required,
        )
    except exc.NeedsConfirmation:
        raise
    except exc.UnknownReader:
        log_refusal(error=exc.UnknownReader(), copy_barcode=copy_barcode, by=by, now=now, desk=desk)
        raise
    except exc.CirculationError as error:
        log_refusal(error=error, reader=Reader(pk=reader_id), copy_barcode=copy_barcode, by=by, now=now, desk=desk)
        raise


def _checkout(
    *, reader_id, copy_barcode, by, now, desk, allow_vacation, collective, due_date, confirm, card_required
) -> Loan:
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            reader = reader_state(reader_id, today, lock=True)
            if reader is None:
                raise exc.UnknownReader()
            policy = policy_for(reader, today)
            # At the limit, a copy whose title does not count (a current periodical issue) may still go.
            limit_reached = reader.n_open >= policy.max_items and not exempt_from_limit(copy_barcode)
            blocks = reader_blocks(reader, policy, card_required=card_required, count_limit=limit_reached)
            if blocks:
                error_class = exc.LoanLimitReached if limit_reached else exc.ReaderBlocked
                if not reader.has_valid_card and (card_required or reader.has_lost_card):
                    error_class = exc.CardProblem
                raise error_class(
                    _("%(name)s 不能借书：%(why)s。") % {"name": reader.name, "why": _("；").join(blocks)}
                )
            copy = _lock_copy(copy_barcode, reader_id=reader_id)
            hold = None
            if copy.status == CopyStatus.ON_HOLD:
                hold = Hold.objects.select_for_update().filter(copy=copy, status=Hold.Status.READY).first()
            refusal = _copy_refusal(copy, reader, by, hold)
            if refusal:
                raise refusal
            warnings = checkout_warnings(copy, reader, today)
            if warnings and not confirm:
                raise exc.NeedsConfirmation(warnings)
            rule = title_loan_rule_of(copy)
            if due_date is None:
                loan_days = rule.loan_days if rule is not None else policy.loan_days
                due_date = due_date_for(today, loan_days, allow_vacation=allow_vacation)
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
                counts_toward_limit=rule is None or rule.counts_toward_limit,
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
            confirmed = _("已确认：%(what)s") % {"what": _("；").join(warnings)} if warnings else ""
            _log(
                Action.CHECKOUT, at=now, by=_user(by), desk=desk, reader=reader, copy=copy, loan=loan, detail=confirmed
            )
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
        # Locked, with the reader's state for the desk's panel (display only: the rules of a return
        # do not depend on it).
        loan = _lock_open_loan(copy.pk, today)
        if loan is None:
            raise exc.NotOnLoan(
                _("《%(title)s》（%(code)s）没有借出记录，无需归还。")
                % {"title": copy.record.title, "code": copy.barcode}
            )
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


def loan_renew(*, loan: Loan, by=None, now: datetime | None = None, desk: str = "") -> Loan:
    now = _now(now)
    today = timezone.localdate(now)
    with transaction.atomic():
        loan = Loan.objects.select_for_update(of=("self",)).select_related("copy__record__loan_rule").get(pk=loan.pk)
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
        rule = title_loan_rule_of(loan.copy)
        days = rule.loan_days if rule is not None else policy.renewal_days
        new_due = due_date_for(max(today, loan.due_date), days, allow_vacation=loan.is_vacation)
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


# --- class collective loans ------------------------------------------------------------------


def collective_reader_for(school_class: SchoolClass) -> Reader:
    from circulation.services_pinyin import name_pinyin

    reader = Reader.objects.filter(kind=ReaderKind.COLLECTIVE, school_class=school_class).first()
    if reader is None:
        name = _("%(c)s图书角") % {"c": school_class}
        reader = Reader.objects.create(
            kind=ReaderKind.COLLECTIVE, name=name, name_pinyin=name_pinyin(name), school_class=school_class
        )
        LibraryCard.objects.create(
            reader=reader, number=barcode_space.new_card_number(reader), issued_at=timezone.now()
        )
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
                            confirm=False,
                            card_required=True,
                        )
                    )
            except exc.CirculationError as error:
                errors.append(labelled(code, error.message))
        if not errors:
            return loans
        transaction.set_rollback(True)
    # Nothing was lent; the refusal is logged (after the rollback) like a refusal at the desk, for
    # the class's collective reader when it already existed.
    refusal = exc.CirculationError(
        _("%(cls)s 集体借阅未办理，以下图书有问题：") % {"cls": school_class.name_on(today)} + _("；").join(errors)
    )
    existing = Reader.objects.filter(kind=ReaderKind.COLLECTIVE, school_class=school_class).first()
    _log(Action.REFUSED, at=now, by=_user(by), desk=desk, reader=existing, detail=refusal.message)
    raise refusal
