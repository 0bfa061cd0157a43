"""The semester summary: core figures, the comparison with the previous period."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from circulation.calendar_rules import read_calendar
from circulation.models import ReaderKind
from library.models import School
from reports.models import ReportSettings
from reports.periods import Period
from reports.selectors import beside
from reports.selectors.base import ratio, share
from reports.selectors.circulation import _titles_and_classes, circulation_figures, loans_by_clc, top_titles
from reports.selectors.classes import class_and_grade_rows, class_gap
from reports.selectors.collection import collection_figures, copy_figures, holdings
from reports.selectors.period_pass import PeriodPass
from reports.selectors.readers import reader_figures, top_readers, top_readers_by_grade


def core_figures(
    period: Period, cap: int | None = None, figures: PeriodPass | None = None, held: dict | None = None
) -> dict:
    """The main figures of the period (`figures`, `held`: its loan pass and holdings, when the caller has them)."""
    figures = figures or PeriodPass(period)
    readers = reader_figures(period, figures)
    circ = circulation_figures(period, figures)
    held = held or holdings(period.end, cap)
    students = readers["students"]
    return {
        "readers": readers,
        "circulation": circ,
        "holdings": held,
        "volumes": held["volumes"],
        "lendable": held["lendable"],
        "loans_per_student": ratio(circ["student_loans"], students),
        "participation": share(readers["students_borrowed"], students),
        "reader_borrowing_rate": share(
            readers["students_carded_borrowed"] + readers["staff_carded_borrowed"],
            readers["students_carded"] + readers["staff_carded"],
        ),
        "volumes_per_student": ratio(held["volumes"], students, 1),
        "circulation_rate": ratio(circ["loans"], held["lendable"]),
        "utilisation": share(circ["copies_lent"], held["volumes"]),
    }


COMPARED = [
    # key, label, kind ("int", "ratio", "share")
    ("students", N_("在校学生数（人）"), "int"),
    ("loans", N_("借阅册次（全部读者）"), "int"),
    ("student_loans", N_("学生借阅册次"), "int"),
    ("staff_loans", N_("教职工借阅册次"), "int"),
    ("visits", N_("借阅人次"), "int"),
    ("student_borrowers", N_("有借阅的学生数（人）"), "int"),
    ("loans_per_student", N_("生均借阅（册）"), "ratio"),
    ("participation", N_("借阅参与率"), "share"),
    ("overdue_rate", N_("逾期率"), "share"),
    ("volumes", N_("馆藏册数"), "int"),
    ("volumes_per_student", N_("生均藏书（册）"), "ratio"),
    ("circulation_rate", N_("流通率（次）"), "ratio"),
    ("utilisation", N_("藏书利用率"), "share"),
]


def _flat(core: dict) -> dict:
    c = core["circulation"]
    return {
        "students": core["readers"]["students"],
        "loans": c["loans"],
        "student_loans": c["student_loans"],
        "staff_loans": c["staff_loans"],
        "visits": c["visits"],
        "student_borrowers": c["student_borrowers"],
        "loans_per_student": core["loans_per_student"],
        "participation": core["participation"],
        "overdue_rate": c["overdue_rate"],
        "volumes": core["volumes"],
        "volumes_per_student": core["volumes_per_student"],
        "circulation_rate": core["circulation_rate"],
        "utilisation": core["utilisation"],
    }


def comparison_figures(period: Period, held: dict | None = None, figures: PeriodPass | None = None) -> dict:
    """The compared figures of the previous period only: its loan pass without the details, its
    enrolment and holdings (3 queries instead of the full set; `figures` when already read)."""
    figures = figures or PeriodPass(period, detail=False)
    students = students_borrowed = 0
    for r in figures.enrolment:
        if r["kind"] == ReaderKind.STUDENT:
            students += r["n"]
            students_borrowed += r["borrowed_n"]
    students_borrowed += sum(
        1 for b in figures.anonymous_borrowed() if b["enrolled"] and b["kind"] == ReaderKind.STUDENT
    )
    readers = {"students": students, "students_borrowed": students_borrowed}
    circ, returns = figures.loans["totals"], figures.loans["returns"]
    held = held or holdings(period.end)
    students = readers["students"]
    return {
        "students": students,
        "loans": circ["loans"],
        "student_loans": circ["student_loans"],
        "staff_loans": circ["staff_loans"],
        "visits": circ["visits"],
        "student_borrowers": circ["student_borrowers"],
        "loans_per_student": ratio(circ["student_loans"], students),
        "participation": share(readers["students_borrowed"], students),
        "overdue_rate": share(returns["overdue_returns"], returns["returns"]),
        "volumes": held["volumes"],
        "volumes_per_student": ratio(held["volumes"], students, 1),
        "circulation_rate": ratio(circ["loans"], held["lendable"]),
        "utilisation": share(circ["copies_lent"], held["volumes"]),
    }


def comparison(current: dict, previous: dict | None) -> list[dict]:
    """Rows of the comparison table: `current` is core_figures(), `previous` comparison_figures()."""
    now = _flat(current)
    before = previous or {}
    rows = []
    for key, label, kind in COMPARED:
        a, b = now[key], before.get(key)
        change = None if a is None or b is None else a - b
        rows.append({"key": key, "label": _(label), "kind": kind, "current": a, "previous": b, "change": change})
    return rows


@dataclass
class Summary:
    period: Period
    previous: Period | None
    school_name: str
    core: dict
    collection: dict
    classes: list
    grades: list
    gap: dict | None
    stars: list
    grade_stars: list
    titles: list
    clc: list
    compare: list
    # A running period (today inside it): figures are up to `as_of` (today), and the previous period
    # is cut at the same number of school days (开馆日) into it, `school_days`.
    in_progress: bool = False
    as_of: date | None = None
    school_days: int | None = None
    previous_full: Period | None = None

    @property
    def current_heading(self) -> str:
        if self.in_progress:
            return _("%(period)s（进行中，截至%(day)s）") % {"period": self.period.label, "day": self.as_of.isoformat()}
        return self.period.label

    @property
    def previous_heading(self) -> str:
        if self.previous is None:
            return _("上期")
        if self.in_progress and self.previous != self.previous_full:
            return _("%(period)s同期（开学后%(days)s个开馆日，至%(day)s）") % {
                "period": self.previous.label,
                "days": self.school_days,
                "day": self.previous.end.isoformat(),
            }
        return self.previous.label

    @property
    def classes_by_rank(self):
        """The class table in ranking order (classes without students last, in class order)."""
        return sorted(self.classes, key=lambda c: (c.rank is None, c.rank or 0))

    @property
    def readers(self):
        return self.core["readers"]

    @property
    def circ(self):
        return self.core["circulation"]


def school_days_between(start: date, end: date) -> list[date]:
    """The library's open days from `start` to `end` (the school calendar: weekends, holidays, 调休)."""
    if end < start:
        return []
    calendar, _term_end = read_calendar(start, end)
    return [
        start + timedelta(days=i) for i in range((end - start).days + 1) if calendar.is_open(start + timedelta(days=i))
    ]


def same_stage_of(previous: Period, school_days: int) -> Period:
    """The previous period cut at the same number of school days into it (同期: like with like)."""
    days = school_days_between(previous.start, previous.end)
    if not days or school_days >= len(days):
        return previous
    cut = days[max(school_days, 1) - 1]
    return replace(previous, end=cut)


def running_cut(period: Period, today: date) -> Period | None:
    """The period up to today when today falls inside it and before its last day, else None."""
    if period.start <= today < period.end:
        return replace(period, end=today)
    return None


def semester_summary(period: Period, previous: Period | None, today: date | None = None) -> Summary:
    """The figures of the period; a running period is reported 截至今天 and compared like with like."""
    today = today or timezone.localdate()
    running = running_cut(period, today)
    school_days = None
    previous_full = previous
    if running is not None:
        school_days = len(school_days_between(period.start, today))
        if previous is not None:
            previous = same_stage_of(previous, school_days)
        period = running
    summary = _summary(period, previous)
    summary.in_progress = running is not None
    summary.as_of = today if running is not None else None
    summary.school_days = school_days
    summary.previous_full = previous_full
    return summary


def _summary(period: Period, previous: Period | None) -> Summary:
    settings = ReportSettings.current()

    # The previous period's loan pass and the pass over the copies (together a little less work
    # than this period's loan pass) run beside it, one after the other on a connection of their
    # own, where they can (see beside.py): on two cores the page waits for the longer of the two.
    def previous_and_copies():
        previous_pass = PeriodPass(previous, detail=False).read() if previous else None
        return previous_pass, copy_figures(period, settings.duplicate_cap, previous.end if previous else None)

    later = beside.start(previous_and_copies)
    figures = PeriodPass(period).read()  # the period's loans read once for every figure below
    previous_pass, copies = later.result()
    core = core_figures(period, settings.duplicate_cap, figures, copies["held"])
    classes, grades = class_and_grade_rows(period, figures)
    # Students per stage from the class rows (enrolled students are always in a class): one query fewer.
    by_stage: dict[str, int] = {}
    for c in classes:
        if c.students:
            by_stage[c.stage] = by_stage.get(c.stage, 0) + c.students
    school = School.objects.order_by("pk").first()
    prev_figures = comparison_figures(previous, copies["before"], previous_pass) if previous else None
    ranked, clc = _titles_and_classes(period, 20, figures)
    return Summary(
        period=period,
        previous=previous,
        school_name=school.name if school else "",
        core=core,
        collection=collection_figures(
            period,
            core["readers"]["students"],
            by_stage,
            school.stage if school else School.Stage.PRIMARY,
            held=core["holdings"],
            settings=settings,
            copies=copies,
        ),
        classes=classes,
        grades=grades,
        gap=class_gap(classes),
        stars=top_readers(period, figures=figures),
        grade_stars=top_readers_by_grade(period, figures=figures),
        titles=top_titles(period, ranked=ranked),
        clc=loans_by_clc(period, clc),
        compare=comparison(core, prev_figures),
    )
