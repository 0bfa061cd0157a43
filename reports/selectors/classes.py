"""Per-class and per-grade tables, the class ranking and the class report."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils.translation import gettext as _

from circulation.models import Loan, Reader, ReaderKind, SchoolClass
from circulation.naming import class_name, grade_name
from reports.periods import Period
from reports.selectors.base import STAGE_ORDER, enrolled_students, ratio, share
from reports.selectors.period_pass import PeriodPass
from reports.selectors.readers import class_enrolment


def class_and_grade_loans(
    period: Period, figures: PeriodPass | None = None
) -> tuple[dict[int, dict], dict[tuple, dict]]:
    """Per class at checkout (student loans, distinct student borrowers, collective loans) and per
    (stage, grade) at checkout (student loans and borrowers), from the period's pass."""
    data = (figures or PeriodPass(period)).loans
    by_class = {
        r["class_id"]: {"loans": r["loans"], "borrowers": r["borrowers"], "collective_loans": r["collective_loans"]}
        for r in data["classes"]
    }
    by_grade = {(r["stage"], r["grade"]): {"loans": r["loans"], "borrowers": r["borrowers"]} for r in data["grades"]}
    return by_class, by_grade


class _GroupRates:
    """Rates of a class or a grade row, from its students, carded, loans and no_loan figures."""

    @property
    def per_student(self):
        return ratio(self.loans, self.students)

    @property
    def participation(self):
        # Enrolled students (end of period) who borrowed anything in the period.
        return share(self.students - self.no_loan, self.students)

    @property
    def card_rate(self):
        return share(self.carded, self.students)


@dataclass
class ClassRow(_GroupRates):
    id: int
    name: str
    stage: str
    grade: int
    number: int
    head_teacher: str
    students: int = 0
    carded: int = 0
    borrowers: int = 0
    loans: int = 0
    collective_loans: int = 0
    no_loan: int = 0
    rank: int | None = None


@dataclass
class GradeRow(_GroupRates):
    stage: str
    grade: int
    name: str
    students: int = 0
    carded: int = 0
    borrowers: int = 0
    loans: int = 0
    no_loan: int = 0
    classes: list = field(default_factory=list)


def class_and_grade_rows(period: Period, figures: PeriodPass | None = None) -> tuple[list[ClassRow], list[GradeRow]]:
    """The per-class and per-grade tables, with the class ranking (先进班级) by loans per student."""
    figures = figures or PeriodPass(period)
    enrolment = class_enrolment(period, figures)
    loans, by_grade_loans = class_and_grade_loans(period, figures)
    ids = set(enrolment) | set(loans)
    classes = SchoolClass.objects.filter(pk__in=ids).select_related("head_teacher")
    rows = []
    for c in classes:
        grade = c.grade_on(period.end)
        e = enrolment.get(c.pk, {})
        lo = loans.get(c.pk, {})
        rows.append(
            ClassRow(
                id=c.pk,
                name=class_name(c.stage, grade, c.number),
                stage=c.stage,
                grade=grade,
                number=c.number,
                head_teacher=(c.head_teacher.get_full_name() or c.head_teacher.username) if c.head_teacher else "",
                students=e.get("students", 0),
                carded=e.get("carded", 0),
                borrowers=lo.get("borrowers", 0),
                loans=lo.get("loans", 0),
                collective_loans=lo.get("collective_loans", 0),
                no_loan=e.get("no_loan", 0),
            )
        )
    rows.sort(key=lambda r: (STAGE_ORDER.get(r.stage, 9), r.grade, r.number))
    # Ranking over the (few dozen) aggregated class rows: ties share a rank (1, 2, 2, 4).
    ranked = sorted((r for r in rows if r.students), key=lambda r: r.per_student, reverse=True)
    for i, r in enumerate(ranked):
        r.rank = ranked[i - 1].rank if i and r.per_student == ranked[i - 1].per_student else i + 1

    grades: dict[tuple, GradeRow] = {}
    for r in rows:
        g = grades.setdefault((r.stage, r.grade), GradeRow(stage=r.stage, grade=r.grade, name=""))
        g.students += r.students
        g.carded += r.carded
        g.no_loan += r.no_loan
        g.classes.append(r)
    for (stage, grade), lo in by_grade_loans.items():
        if stage is None or grade is None:
            continue
        g = grades.setdefault((stage, grade), GradeRow(stage=stage, grade=grade, name=""))
        g.loans = lo["loans"]
        g.borrowers = lo["borrowers"]
    for g in grades.values():
        g.name = grade_name(g.stage, g.grade) if g.grade >= 1 else _("%(grade)s年级") % {"grade": g.grade}
    grade_rows = sorted(grades.values(), key=lambda g: (STAGE_ORDER.get(g.stage, 9), g.grade))
    return rows, grade_rows


def class_gap(rows: list[ClassRow]) -> dict | None:
    """The most and the least active class by loans per student, and the difference."""
    ranked = sorted((r for r in rows if r.students), key=lambda r: (r.per_student, -r.grade, -r.number))
    if len(ranked) < 2:
        return None
    low, high = ranked[0], ranked[-1]
    if low.per_student == high.per_student:
        return None  # every class alike: no most or least active class to name
    # Ties are named as ties: every class sharing the highest (lowest) figure, in class order.
    highs = [r for r in rows if r.students and r.per_student == high.per_student]
    lows = [r for r in rows if r.students and r.per_student == low.per_student]
    return {
        "high": high,
        "low": low,
        "highs": highs,
        "lows": lows,
        "high_label": _tied_label(highs),
        "low_label": _tied_label(lows),
        "gap": high.per_student - low.per_student,
    }


def _tied_label(rows: list[ClassRow]) -> str:
    """One class's name, or the tied classes' names marked （并列）."""
    if len(rows) == 1:
        return rows[0].name
    return _("%(names)s（并列）") % {"names": _("、").join(r.name for r in rows)}


def class_report(school_class: SchoolClass, period: Period, today: date) -> dict:
    """Students of the class (enrolled at the end of the period, or who borrowed for it in the period):
    loans in the period counted for this class at checkout (and, apart, loans made while in another
    class), last loan, currently borrowed and overdue (as of today)."""
    start, end = period.bounds()
    any_in_period = Q(loans__checked_out_at__gte=start, loans__checked_out_at__lt=end, loans__is_collective=False)
    here = any_in_period & Q(loans__school_class=school_class)
    open_loan = Q(loans__returned_at__isnull=True, loans__is_collective=False)
    enrolled = enrolled_students(period.end).filter(school_class=school_class)
    borrowed_here = Loan.objects.filter(
        school_class=school_class,
        checked_out_at__gte=start,
        checked_out_at__lt=end,
        is_collective=False,
        reader_id__isnull=False,  # anonymised loans name no pupil: they are not in the class report
    ).values("reader_id")
    rows = list(
        Reader.objects.filter(kind=ReaderKind.STUDENT)
        .filter(Q(pk__in=enrolled.values("pk")) | Q(pk__in=borrowed_here))
        .annotate(
            enrolled=Exists(enrolled.filter(pk=OuterRef("pk"))),
            period_loans=Count("loans", filter=here),
            other_loans=Count("loans", filter=any_in_period & ~Q(loans__school_class=school_class)),
            last_loan=Max("loans__checked_out_at", filter=any_in_period),
            on_loan=Count("loans", filter=open_loan),
            overdue=Count("loans", filter=open_loan & Q(loans__due_date__lt=today)),
        )
        .order_by("student_number", "name", "pk")
    )
    borrowers = [r for r in rows if r.period_loans or r.other_loans]
    non_borrowers = [r for r in rows if r.enrolled and not (r.period_loans or r.other_loans)]
    return {
        "rows": rows,
        "borrowers": borrowers,
        "non_borrowers": non_borrowers,
        "loans": sum(r.period_loans for r in rows),
        "enrolled": sum(1 for r in rows if r.enrolled),
        "borrowed": sum(1 for r in rows if r.enrolled and (r.period_loans or r.other_loans)),
        "on_loan": sum(r.on_loan for r in rows),
        "overdue": sum(r.overdue for r in rows),
        "class_name": school_class.name_on(period.end),
    }
