"""Readers who leave (by hand or at graduation) and the school year rollover (升级)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy
from circulation import exceptions as exc
from circulation.calendar_rules import term_on
from circulation.models import (
    Hold,
    LibraryCard,
    Loan,
    Reader,
    ReaderKind,
    SchoolClass,
    Term,
    school_year_of,
)
from circulation.services.common import Action, _log, _now, _user
from circulation.services.holds import _assign_copy_to_next_hold

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
