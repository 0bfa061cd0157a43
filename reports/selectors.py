"""Report figures, aggregated in SQL. Definitions: shared/docs/statistics.md (names in reports.formulas).

Every function takes a Period (reports.periods) or a date; none loads loans into Python one by one:
the rows that come back are already grouped (per class, per grade, per title ...).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings as django_settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Least, Rank, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from catalog.models import Copy, Record, WithdrawalReason
from circulation.models import (
    STAGE_GRADES,
    CirculationEvent,
    Compensation,
    Hold,
    LibraryCard,
    Loan,
    Reader,
    ReaderKind,
    Renewal,
    SchoolClass,
    school_year_of,
)
from circulation.naming import class_name, grade_name
from library.models import School
from reports.models import CollectionTarget, HoldingsStandard, ReportSettings
from reports.periods import Period

STAFF_KINDS = [ReaderKind.TEACHER, ReaderKind.STAFF]

# The 22 base classes of the CLC (中图法基本大类) and the five 部类.
CLC_BASE = {
    "A": N_("马克思主义、列宁主义、毛泽东思想、邓小平理论"),
    "B": N_("哲学、宗教"),
    "C": N_("社会科学总论"),
    "D": N_("政治、法律"),
    "E": N_("军事"),
    "F": N_("经济"),
    "G": N_("文化、科学、教育、体育"),
    "H": N_("语言、文字"),
    "I": N_("文学"),
    "J": N_("艺术"),
    "K": N_("历史、地理"),
    "N": N_("自然科学总论"),
    "O": N_("数理科学和化学"),
    "P": N_("天文学、地球科学"),
    "Q": N_("生物科学"),
    "R": N_("医药、卫生"),
    "S": N_("农业科学"),
    "T": N_("工业技术"),
    "U": N_("交通运输"),
    "V": N_("航空、航天"),
    "X": N_("环境科学、安全科学"),
    "Z": N_("综合性图书"),
}


def clc_label(letter: str) -> str:
    if letter in CLC_BASE:
        return f"{letter} {_(CLC_BASE[letter])}"
    return _("未分类")


def ratio(numerator, denominator, places: int = 2) -> Decimal | None:
    """numerator ÷ denominator rounded half up, None when the denominator is 0 (shown as —)."""
    if not denominator:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(numerator or 0) / Decimal(denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def share(numerator, denominator) -> Decimal | None:
    """A share as a fraction with 4 decimals (0.8600 = 86.00 %); None when the denominator is 0."""
    return ratio(numerator, denominator, 4)


# --- building blocks ---------------------------------------------------------------------


def enrolled_readers(day: date):
    """Readers enrolled on `day`: not left by then; an inactive reader without a leaving date is out.

    Students also need a class that existed (entry year) and had not graduated on that day.
    """
    school_year = school_year_of(day)
    not_left = Q(left_on__gt=day) | Q(left_on__isnull=True, is_active=True)
    # A class exists from its entry year until it has gone through the last grade of its stage.
    in_stage = Q()
    for stage, grades in STAGE_GRADES.items():
        in_stage |= Q(school_class__stage=stage, school_class__entry_year__gt=school_year - grades)
    student = (
        Q(kind=ReaderKind.STUDENT, school_class__entry_year__lte=school_year)
        & (Q(school_class__graduated_on__isnull=True) | Q(school_class__graduated_on__gt=day))
        & Q(school_class__isnull=False)
        & in_stage
    )
    staff = Q(kind__in=STAFF_KINDS)
    return Reader.objects.filter(not_left).filter(student | staff)


def enrolled_students(day: date):
    return enrolled_readers(day).filter(kind=ReaderKind.STUDENT)


def valid_card_on(day: date):
    """True when the outer reader held a card valid at the end of `day` (hashed IN subquery)."""
    end = Period(start=day, end=day, label="", kind="range").bounds()[1]
    holders = LibraryCard.objects.filter(issued_at__lt=end).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    return ExpressionWrapper(Q(pk__in=holders.values("reader_id").distinct()), output_field=BooleanField())


def loans_in(period: Period):
    """Loans whose checkout falls in the period (a loan belongs to the period of its checkout date)."""
    start, end = period.bounds()
    return Loan.objects.filter(checked_out_at__gte=start, checked_out_at__lt=end)


STUDENT_LOAN = Q(reader_kind=ReaderKind.STUDENT, is_collective=False)
STAFF_LOAN = Q(reader_kind__in=STAFF_KINDS, is_collective=False)
COLLECTIVE_LOAN = Q(is_collective=True) | Q(reader_kind=ReaderKind.COLLECTIVE)


def student_loans_in(period: Period):
    return loans_in(period).filter(STUDENT_LOAN)


def in_collection(day: date):
    """Copies in the collection on `day`: acquired by then and not withdrawn (剔除/遗失) on or before it."""
    return Copy.objects.filter(acquired_on__lte=day).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


def _visit_key():
    # 人次: one per distinct (reader, local calendar day) with a checkout, as one integer
    # (reader id × 100000 + days since 2000-01-01) so COUNT(DISTINCT ...) compares integers.
    return RawSQL(
        "(circulation_loan.reader_id::bigint * 100000"
        " + ((circulation_loan.checked_out_at AT TIME ZONE %s)::date - DATE '2000-01-01'))",
        [django_settings.TIME_ZONE],
        output_field=BigIntegerField(),
    )


def school_stage() -> str:
    school = School.objects.order_by("pk").first()
    return school.stage if school else School.Stage.PRIMARY


def target_level(stage: str) -> str:
    """附件2 has a primary and a secondary column; 九年一贯制 schools use the primary one (most pupils)."""
    if stage in (School.Stage.PRIMARY, School.Stage.NINE_YEAR):
        return CollectionTarget.Level.PRIMARY
    return CollectionTarget.Level.SECONDARY


def holdings_standard(stage: str, students_by_stage: dict[str, int]) -> dict | None:
    """Volumes per student and new volumes per student for the school type.

    九年一贯制: each stage's standard applies to that stage's students (primary → 小学, junior → 初中)
    and the results are added, then divided by all students.
    """
    standards = {s.school_type: s for s in HoldingsStandard.objects.all()}
    if stage != School.Stage.NINE_YEAR:
        row = standards.get(stage)
        if row is None:
            return None
        return {
            "label": row.get_school_type_display(),
            "volumes_per_student": row.volumes_per_student,
            "new_per_student": row.new_per_student,
            "source": row.source,
        }
    total = sum(students_by_stage.values())
    parts = [(standards.get(s), n) for s, n in students_by_stage.items() if n]
    if not total or any(row is None for row, _n in parts):
        return None
    volumes = sum(row.volumes_per_student * n for row, n in parts)
    new = sum(row.new_per_student * n for row, n in parts)
    return {
        "label": _("九年一贯制（按学段加权）"),
        "volumes_per_student": (volumes / total).quantize(Decimal("0.1")),
        "new_per_student": (new / total).quantize(Decimal("0.1")),
        "source": parts[0][0].source,
    }


# --- readers and cards -------------------------------------------------------------------


def _borrowed_in(period: Period):
    """True when the reader has an individual loan in the period.

    `id IN (SELECT reader_id ...)` lets PostgreSQL hash the period's borrowers once instead of
    probing the loans per reader.
    """
    start, end = period.bounds()
    # DISTINCT: one entry per reader, so the hashed IN set stays small for a whole school year.
    borrowers = (
        Loan.objects.filter(checked_out_at__gte=start, checked_out_at__lt=end, is_collective=False)
        .values("reader_id")
        .distinct()
    )
    return ExpressionWrapper(Q(pk__in=borrowers), output_field=BooleanField())


def reader_figures(period: Period) -> dict:
    """Enrolled students and staff at the end of the period, how many held a valid card (办证率) and
    how many of them borrowed in the period (participation numerators)."""
    day = period.end
    start, end = period.bounds()
    student, staff = Q(kind=ReaderKind.STUDENT), Q(kind__in=STAFF_KINDS)
    row = (
        enrolled_readers(day)
        .annotate(carded=valid_card_on(day), borrowed=_borrowed_in(period))
        .aggregate(
            students=Count("id", filter=student),
            students_carded=Count("id", filter=student & Q(carded=True)),
            students_borrowed=Count("id", filter=student & Q(borrowed=True)),
            students_carded_borrowed=Count("id", filter=student & Q(carded=True, borrowed=True)),
            staff=Count("id", filter=staff),
            staff_carded=Count("id", filter=staff & Q(carded=True)),
            staff_carded_borrowed=Count("id", filter=staff & Q(carded=True, borrowed=True)),
        )
    )
    row["student_card_rate"] = share(row["students_carded"], row["students"])
    row["staff_card_rate"] = share(row["staff_carded"], row["staff"])
    row.update(
        LibraryCard.objects.filter(issued_at__gte=start, issued_at__lt=end).aggregate(
            cards_issued=Count("id"),
            student_cards_issued=Count("id", filter=Q(reader__kind=ReaderKind.STUDENT)),
            staff_cards_issued=Count("id", filter=Q(reader__kind__in=STAFF_KINDS)),
        )
    )
    return row


def class_enrolment(period: Period) -> dict[int, dict]:
    """Per class, at the end of the period: students enrolled, with a valid card, with no loan in the period."""
    rows = (
        enrolled_students(period.end)
        .annotate(carded=valid_card_on(period.end), borrowed=_borrowed_in(period))
        .values("school_class")
        .annotate(
            students=Count("id"),
            carded=Count("id", filter=Q(carded=True)),
            no_loan=Count("id", filter=Q(borrowed=False)),
        )
        .order_by()
    )
    return {r["school_class"]: r for r in rows}


# --- circulation -------------------------------------------------------------------------


def circulation_figures(period: Period) -> dict:
    start, end = period.bounds()
    row = loans_in(period).aggregate(
        loans=Count("id"),
        student_loans=Count("id", filter=STUDENT_LOAN),
        staff_loans=Count("id", filter=STAFF_LOAN),
        collective_loans=Count("id", filter=COLLECTIVE_LOAN),
        borrowers=Count("reader", distinct=True, filter=~COLLECTIVE_LOAN),
        student_borrowers=Count("reader", distinct=True, filter=STUDENT_LOAN),
        staff_borrowers=Count("reader", distinct=True, filter=STAFF_LOAN),
        collective_borrowers=Count("reader", distinct=True, filter=COLLECTIVE_LOAN),
        visits=Count(_visit_key(), distinct=True),
        student_visits=Count(_visit_key(), distinct=True, filter=STUDENT_LOAN),
        staff_visits=Count(_visit_key(), distinct=True, filter=STAFF_LOAN),
        copies_lent=Count("copy", distinct=True),
    )
    returns = (
        Loan.objects.filter(returned_at__gte=start, returned_at__lt=end)
        .annotate(return_day=TruncDate("returned_at"))
        .aggregate(returns=Count("id"), overdue_returns=Count("id", filter=Q(return_day__gt=F("due_date"))))
    )
    row.update(returns)
    row["renewals"] = Renewal.objects.filter(renewed_at__gte=start, renewed_at__lt=end).count()
    row["refused"] = CirculationEvent.objects.filter(
        action=CirculationEvent.Action.REFUSED, at__gte=start, at__lt=end
    ).count()
    row.update(
        Hold.objects.aggregate(
            holds_placed=Count("id", filter=Q(placed_at__gte=start, placed_at__lt=end)),
            holds_served=Count("id", filter=Q(status=Hold.Status.FULFILLED, closed_at__gte=start, closed_at__lt=end)),
        )
    )
    row["overdue_rate"] = share(row["overdue_returns"], row["returns"])
    row["refusal_rate"] = share(row["refused"], row["loans"] + row["refused"])
    return row


_CLASS_GRADE_SQL = """
    SELECT GROUPING(l.school_class_id) AS by_grade, l.school_class_id, sc.stage, l.grade,
           COUNT(*) FILTER (WHERE l.reader_kind = %(student)s AND NOT l.is_collective) AS loans,
           COUNT(DISTINCT l.reader_id) FILTER (WHERE l.reader_kind = %(student)s AND NOT l.is_collective) AS borrowers,
           COUNT(*) FILTER (WHERE l.is_collective OR l.reader_kind = %(collective)s) AS collective_loans
    FROM circulation_loan l JOIN circulation_schoolclass sc ON sc.id = l.school_class_id
    WHERE l.checked_out_at >= %(start)s AND l.checked_out_at < %(end)s
    GROUP BY GROUPING SETS ((l.school_class_id), (sc.stage, l.grade))
"""


def class_and_grade_loans(period: Period) -> tuple[dict[int, dict], dict[tuple, dict]]:
    """Per class at checkout (student loans, distinct student borrowers, collective loans) and per
    (stage, grade) at checkout (student loans and borrowers), in one pass (GROUPING SETS)."""
    start, end = period.bounds()
    params = {
        "student": ReaderKind.STUDENT.value,
        "collective": ReaderKind.COLLECTIVE.value,
        "start": start,
        "end": end,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLASS_GRADE_SQL, params)
        rows = cursor.fetchall()
    by_class, by_grade = {}, {}
    for grouping, class_id, stage, grade, loans, borrowers, collective in rows:
        if grouping == 0:
            by_class[class_id] = {"loans": loans, "borrowers": borrowers, "collective_loans": collective}
        elif loans:
            by_grade[(stage, grade)] = {"loans": loans, "borrowers": borrowers}
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


STAGE_ORDER = {"primary": 0, "junior": 1, "senior": 2}


def class_and_grade_rows(period: Period) -> tuple[list[ClassRow], list[GradeRow]]:
    """The per-class and per-grade tables, with the class ranking (先进班级) by loans per student."""
    enrolment = class_enrolment(period)
    loans, by_grade_loans = class_and_grade_loans(period)
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
    return {"high": high, "low": low, "gap": high.per_student - low.per_student}


def top_readers(period: Period, limit: int = 10) -> list[dict]:
    """读书之星: students with the most loans in the period (ties share a rank).

    Ranked over loans grouped by reader id only (narrow rows); names and classes are fetched after.
    """
    ranked = list(
        student_loans_in(period)
        .values("reader")
        .annotate(loans=Count("id"), rank=Window(Rank(), order_by=Count("id").desc()))
        .filter(rank__lte=limit)
        .order_by("rank", "reader")[: limit * 3 + 1]
    )
    readers = _reader_labels([r["reader"] for r in ranked])
    stars = [
        _star(
            {
                "rank": r["rank"],
                "reader": r["reader"],
                "loans": r["loans"],
                **{f"reader__{k}": v for k, v in readers[r["reader"]].items()},
            },
            period,
        )
        for r in ranked
    ]
    stars.sort(key=lambda s: (s["rank"], s["student_number"] or "", s["reader_id"]))
    # Ties share a rank; a long tie on the last place is cut at three times the limit.
    return stars[: limit * 3]


def _reader_labels(ids: list[int]) -> dict[int, dict]:
    rows = Reader.objects.filter(pk__in=ids).values(
        "pk", "name", "student_number", "school_class__stage", "school_class__entry_year", "school_class__number"
    )
    return {r.pop("pk"): r for r in rows}


def top_readers_by_grade(period: Period, limit: int = 3) -> list[dict]:
    """读书之星 per grade at checkout: RANK() partitioned by stage and grade over the grouped loans.

    Written in SQL because Django puts a partitioned window over an aggregate into GROUP BY.
    """
    start, end = period.bounds()
    sql = """
        SELECT stage, grade, reader_id, loans, rank FROM (
            SELECT sc.stage AS stage, l.grade AS grade, l.reader_id AS reader_id, COUNT(*) AS loans,
                   RANK() OVER (PARTITION BY sc.stage, l.grade ORDER BY COUNT(*) DESC) AS rank
            FROM circulation_loan l
            JOIN circulation_schoolclass sc ON sc.id = l.school_class_id
            WHERE l.checked_out_at >= %s AND l.checked_out_at < %s
              AND l.reader_kind = %s AND NOT l.is_collective AND l.grade IS NOT NULL
            GROUP BY sc.stage, l.grade, l.reader_id
        ) ranked
        WHERE rank <= %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end, ReaderKind.STUDENT.value, limit])
        ranked = cursor.fetchall()
    readers = _reader_labels([row[2] for row in ranked])
    out = []
    for stage, grade, reader_id, loans, rank in ranked:
        r = readers[reader_id]
        star = _star(
            {
                "rank": rank,
                "reader": reader_id,
                "reader__name": r["name"],
                "reader__student_number": r["student_number"],
                "reader__school_class__stage": r["school_class__stage"],
                "reader__school_class__entry_year": r["school_class__entry_year"],
                "reader__school_class__number": r["school_class__number"],
                "loans": loans,
            },
            period,
        )
        star.update(grade_name=grade_name(stage, grade), stage=stage, grade=grade)
        out.append(star)
    out.sort(key=lambda s: (STAGE_ORDER.get(s["stage"], 9), s["grade"], s["rank"], s["student_number"] or ""))
    # Ties share a rank; a long tie is cut at three times the limit per grade.
    shown: dict[tuple, int] = {}
    kept = []
    for star in out:
        key = (star["stage"], star["grade"])
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= limit * 3:
            kept.append(star)
    return kept


def _star(r: dict, period: Period) -> dict:
    entry = r["reader__school_class__entry_year"]
    klass = (
        class_name(
            r["reader__school_class__stage"],
            school_year_of(period.end) - entry + 1,
            r["reader__school_class__number"],
        )
        if entry
        else ""
    )
    return {
        "rank": r["rank"],
        "reader_id": r["reader"],
        "name": r["reader__name"],
        "student_number": r["reader__student_number"],
        "class_name": klass,
        "loans": r["loans"],
    }


def _record_labels(ids: list[int]) -> dict[int, dict]:
    """Title, authors and call number of a few records (only the columns the reports show)."""
    rows = Record.objects.filter(pk__in=ids).values("pk", "title", "authors", "call_number")
    return {r["pk"]: r for r in rows}


_TITLES_SQL = """
    WITH per_record AS (
        SELECT c.record_id, COUNT(*) AS n
        FROM circulation_loan l JOIN catalog_copy c ON c.id = l.copy_id
        WHERE l.checked_out_at >= %s AND l.checked_out_at < %s
        GROUP BY c.record_id
    )
    (SELECT 'clc' AS part, r.clc_base AS clc, NULL::bigint AS record_id, SUM(p.n)::bigint AS n, NULL::bigint AS rank
       FROM per_record p JOIN catalog_record r ON r.id = p.record_id
      GROUP BY r.clc_base)
    UNION ALL
    (SELECT 'top', NULL, record_id, n, RANK() OVER (ORDER BY n DESC) AS rank
       FROM per_record ORDER BY n DESC, record_id LIMIT %s)
"""


def _titles_and_classes(period: Period, limit: int) -> tuple[list, dict]:
    """Loans per title grouped once (a CTE): the top titles with their rank and loans per CLC base class."""
    start, end = period.bounds()
    with connection.cursor() as cursor:
        cursor.execute(_TITLES_SQL, [start, end, limit])
        rows = cursor.fetchall()
    clc = {code: n for part, code, _r, n, _rank in rows if part == "clc"}
    top = [(record_id, n, rank) for part, _c, record_id, n, rank in rows if part == "top"]
    return top, clc


def top_titles(period: Period, limit: int = 20, ranked: list | None = None) -> list[dict]:
    """借阅排行榜: titles by loans in the period (all readers), ties share a rank."""
    if ranked is None:
        ranked, _clc = _titles_and_classes(period, limit)
    records = _record_labels([record_id for record_id, _n, _rank in ranked])
    rows = [
        {
            "rank": rank,
            "record_id": record_id,
            "title": records[record_id]["title"],
            "authors": records[record_id]["authors"],
            "call_number": records[record_id]["call_number"],
            "loans": n,
        }
        for record_id, n, rank in ranked
    ]
    rows.sort(key=lambda r: (r["rank"], r["title"]))
    return rows


def loans_by_clc(period: Period, counts: dict | None = None) -> list[dict]:
    """Loans by CLC base class of the title (which shelves are read), all 22 classes listed."""
    if counts is None:
        _top, counts = _titles_and_classes(period, 0)
    counts = dict(counts)
    total = sum(counts.values())
    rows = [{"code": k, "name": clc_label(k), "loans": counts.pop(k, 0)} for k in CLC_BASE]
    other = sum(counts.values())
    if other:
        rows.append({"code": "", "name": _("未分类"), "loans": other})
    for r in rows:
        r["share"] = share(r["loans"], total)
    return rows


# --- collection --------------------------------------------------------------------------


def holdings(day: date, cap: int | None = None) -> dict:
    """Volumes, lendable volumes and value on `day`; with `cap` also titles and the volumes counted
    with duplicates capped (a second, grouped query: only the main period needs them)."""
    held = in_collection(day)
    row = held.aggregate(
        volumes=Count("id"), lendable=Count("id", filter=Q(location__is_lendable=True)), value=Sum("price")
    )
    if cap is not None:
        per_record = held.values("record").annotate(n=Count("id"), capped_n=Least(Count("id"), Value(cap))).order_by()
        grouped = per_record.aggregate(titles=Count("record"), volumes_capped=Sum("capped_n"))
        row["titles"] = grouped["titles"]
        row["volumes_capped"] = grouped["volumes_capped"] or 0
    return row


def collection_figures(
    period: Period,
    students: int,
    students_by_stage: dict[str, int],
    stage: str | None = None,
    *,
    held: dict | None = None,
    settings: ReportSettings | None = None,
) -> dict:
    day = period.end
    start, end = period.bounds()
    settings = settings or ReportSettings.current()
    row = dict(held or holdings(day, settings.duplicate_cap))
    row["duplicate_cap"] = settings.duplicate_cap
    acquired = Copy.objects.filter(acquired_on__gte=period.start, acquired_on__lte=day).aggregate(
        new_volumes=Count("id"), new_titles=Count("record", distinct=True), new_spend=Sum("price")
    )
    row.update(acquired)
    year_start = date(school_year_of(day), 8, 1)
    row["year_start"] = year_start
    row["year_new_volumes"] = Copy.objects.filter(acquired_on__gte=year_start, acquired_on__lte=day).count()
    withdrawn = list(
        Copy.objects.filter(withdrawn_on__gte=period.start, withdrawn_on__lte=day)
        .values("withdrawal_reason")
        .annotate(volumes=Count("id"), value=Sum("price"))
        .order_by("withdrawal_reason")
    )
    reasons = dict(WithdrawalReason.choices)
    row["withdrawals"] = [
        {"reason": reasons.get(w["withdrawal_reason"], _("未注明")), "volumes": w["volumes"], "value": w["value"]}
        for w in withdrawn
    ]
    row["withdrawn_volumes"] = sum(w["volumes"] for w in withdrawn)
    row["withdrawn_value"] = sum((w["value"] or 0) for w in withdrawn)
    damage = Q(kind__in=Compensation.DAMAGE_KINDS)
    fine = Q(kind=Compensation.Kind.OVERDUE)
    paid = Q(status=Compensation.Status.PAID)
    row.update(
        Compensation.objects.filter(reported_at__gte=start, reported_at__lt=end).aggregate(
            compensation_cases=Count("id", filter=damage),
            compensation_amount=Sum("amount", filter=damage),
            compensation_paid=Sum("paid_amount", filter=damage & paid),
            fine_cases=Count("id", filter=fine),
            fine_amount=Sum("amount", filter=fine),
            fine_paid=Sum("paid_amount", filter=fine & paid),
        )
    )
    row["per_student"] = ratio(row["volumes"], students, 1)
    row["per_student_capped"] = ratio(row["volumes_capped"], students, 1)
    row["year_new_per_student"] = ratio(row["year_new_volumes"], students, 2)
    standard = holdings_standard(stage or school_stage(), students_by_stage)
    row["standard"] = standard
    if standard and row["per_student"] is not None:
        row["meets_standard"] = row["per_student"] >= standard["volumes_per_student"]
        row["standard_shortfall"] = max(
            Decimal(0), standard["volumes_per_student"] * students - row["volumes"]
        ).quantize(Decimal(1))
    else:
        row["meets_standard"] = None
        row["standard_shortfall"] = None
    return row


def students_by_stage(day: date) -> dict[str, int]:
    return {
        r["school_class__stage"]: r["n"]
        for r in enrolled_students(day).values("school_class__stage").annotate(n=Count("id")).order_by()
    }


# --- the semester summary ----------------------------------------------------------------


def core_figures(period: Period, cap: int | None = None) -> dict:
    """The main figures, also used for the comparison with the previous period (without `cap`)."""
    readers = reader_figures(period)
    circ = circulation_figures(period)
    held = holdings(period.end, cap)
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


def comparison_figures(period: Period) -> dict:
    """The compared figures of the previous period only (4 light queries instead of the full set)."""
    start, end = period.bounds()
    # DISTINCT: one entry per reader, so the hashed IN set stays small for a whole school year.
    borrowers = (
        Loan.objects.filter(checked_out_at__gte=start, checked_out_at__lt=end, is_collective=False)
        .values("reader_id")
        .distinct()
    )
    readers = enrolled_students(period.end).aggregate(
        students=Count("id"), students_borrowed=Count("id", filter=Q(pk__in=borrowers))
    )
    circ = loans_in(period).aggregate(
        loans=Count("id"),
        student_loans=Count("id", filter=STUDENT_LOAN),
        staff_loans=Count("id", filter=STAFF_LOAN),
        visits=Count(_visit_key(), distinct=True),
        student_borrowers=Count("reader", distinct=True, filter=STUDENT_LOAN),
        copies_lent=Count("copy", distinct=True),
    )
    returns = (
        Loan.objects.filter(returned_at__gte=start, returned_at__lt=end)
        .annotate(return_day=TruncDate("returned_at"))
        .aggregate(returns=Count("id"), overdue=Count("id", filter=Q(return_day__gt=F("due_date"))))
    )
    held = holdings(period.end)
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
        "overdue_rate": share(returns["overdue"], returns["returns"]),
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

    @property
    def readers(self):
        return self.core["readers"]

    @property
    def circ(self):
        return self.core["circulation"]


def semester_summary(period: Period, previous: Period | None) -> Summary:
    settings = ReportSettings.current()
    core = core_figures(period, settings.duplicate_cap)
    classes, grades = class_and_grade_rows(period)
    by_stage = students_by_stage(period.end)
    school = School.objects.order_by("pk").first()
    prev_figures = comparison_figures(previous) if previous else None
    ranked, clc = _titles_and_classes(period, 20)
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
        ),
        classes=classes,
        grades=grades,
        gap=class_gap(classes),
        stars=top_readers(period),
        grade_stars=top_readers_by_grade(period),
        titles=top_titles(period, ranked=ranked),
        clc=loans_by_clc(period, clc),
        compare=comparison(core, prev_figures),
    )


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value) -> str:
    return "—" if value is None else f"{value}"


def work_summary_text(s: Summary) -> str:
    """The draft 工作总结 data paragraph, with the figures filled in."""
    r, c, col = s.readers, s.circ, s.collection
    parts = [
        _(
            "%(period)s，我校在校学生%(students)s人，教职工%(staff)s人，本期新办借书证%(cards)s张，学生办证率%(card_rate)s。"
            "本期共有%(student_borrowers)s名学生借阅图书%(student_loans)s册，"
            "%(staff_borrowers)s位教职工借阅图书%(staff_loans)s册，班级集体借阅%(collective_loans)s册；"
            "全校共借出图书%(loans)s册次、%(visits)s人次，归还%(returns)s册，续借%(renewals)s次。"
        )
        % {
            "period": s.period.label,
            "students": r["students"],
            "staff": r["staff"],
            "cards": r["cards_issued"],
            "card_rate": _pct(r["student_card_rate"]),
            "student_borrowers": c["student_borrowers"],
            "student_loans": c["student_loans"],
            "staff_borrowers": c["staff_borrowers"],
            "staff_loans": c["staff_loans"],
            "collective_loans": c["collective_loans"],
            "loans": c["loans"],
            "visits": c["visits"],
            "returns": c["returns"],
            "renewals": c["renewals"],
        },
        _("学生生均借阅%(per_student)s册，借阅参与率%(participation)s，逾期率%(overdue)s。")
        % {
            "per_student": _num(s.core["loans_per_student"]),
            "participation": _pct(s.core["participation"]),
            "overdue": _pct(c["overdue_rate"]),
        },
    ]
    if s.gap:
        parts.append(
            _("借阅最活跃的班级是%(high)s（生均%(high_value)s册），%(low)s生均%(low_value)s册，相差%(gap)s册。")
            % {
                "high": s.gap["high"].name,
                "high_value": s.gap["high"].per_student,
                "low": s.gap["low"].name,
                "low_value": s.gap["low"].per_student,
                "gap": s.gap["gap"],
            }
        )
    if s.titles:
        parts.append(
            _("最受欢迎的图书是《%(title)s》，共借出%(loans)s次。")
            % {"title": s.titles[0]["title"], "loans": s.titles[0]["loans"]}
        )
    standard = col["standard"]
    parts.append(
        _(
            "截至%(day)s，馆藏图书%(titles)s种%(volumes)s册，生均藏书%(per_student)s册%(standard)s；"
            "本期新增图书%(new_titles)s种%(new_volumes)s册，剔除注销%(withdrawn)s册；"
            "图书流通率%(circulation_rate)s次，藏书利用率%(utilisation)s。"
        )
        % {
            "day": s.period.end.isoformat(),
            "titles": col["titles"],
            "volumes": col["volumes"],
            "per_student": _num(col["per_student"]),
            "standard": (
                _("（%(type)s标准为%(value)s册）")
                % {"type": standard["label"], "value": standard["volumes_per_student"]}
                if standard
                else ""
            ),
            "new_titles": col["new_titles"],
            "new_volumes": col["new_volumes"],
            "withdrawn": col["withdrawn_volumes"],
            "circulation_rate": _num(s.core["circulation_rate"]),
            "utilisation": _pct(s.core["utilisation"]),
        }
    )
    return "".join(parts)


# --- class report and reading record -----------------------------------------------------


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
        school_class=school_class, checked_out_at__gte=start, checked_out_at__lt=end, is_collective=False
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


def reading_record(reader: Reader, period: Period) -> dict:
    """A reader's loans in the period (借阅记录), oldest first."""
    loans = list(
        loans_in(period)
        .filter(reader=reader)
        .select_related("copy__record", "school_class")
        .order_by("checked_out_at", "pk")
    )
    return {
        "loans": loans,
        "count": len(loans),
        "titles": len({loan.copy.record_id for loan in loans}),
        "renewals": sum(loan.renewals for loan in loans),
    }


# --- collection analysis (馆藏结构) ------------------------------------------------------


def collection_analysis(day: date, years: int | None = None, limit: int | None = 200) -> dict:
    """馆藏结构 on `day`. The lists (复本过多, 长期未借) are cut at `limit` rows (None: all, for the export)."""
    settings = ReportSettings.current()
    years = years or settings.never_borrowed_years
    held = in_collection(day)
    by_class = {
        r["record__clc_base"]: r
        for r in held.values("record__clc_base")
        .annotate(volumes=Count("id"), titles=Count("record", distinct=True))
        .order_by()
    }
    total_volumes = sum(r["volumes"] for r in by_class.values())
    total_titles = held.aggregate(n=Count("record", distinct=True))["n"]
    classes = []
    for code in CLC_BASE:
        r = by_class.pop(code, {"volumes": 0, "titles": 0})
        classes.append(
            {
                "code": code,
                "name": clc_label(code),
                "titles": r["titles"],
                "volumes": r["volumes"],
                "share": share(r["volumes"], total_volumes),
            }
        )
    unclassified = {
        "volumes": sum(r["volumes"] for r in by_class.values()),
        "titles": sum(r["titles"] for r in by_class.values()),
    }
    if unclassified["volumes"]:
        classes.append(
            {
                "code": "",
                "name": _("未分类"),
                "titles": unclassified["titles"],
                "volumes": unclassified["volumes"],
                "share": share(unclassified["volumes"], total_volumes),
            }
        )
    by_code = {c["code"]: c for c in classes}
    stage = school_stage()
    level = target_level(stage)
    tolerance = Decimal(settings.structure_tolerance) / 100
    divisions = []
    for t in CollectionTarget.objects.filter(level=level).order_by("division"):
        volumes = sum(by_code[ch]["volumes"] for ch in t.classes if ch in by_code)
        titles = sum(by_code[ch]["titles"] for ch in t.classes if ch in by_code)
        actual = share(volumes, total_volumes)
        target = t.percent / 100
        flag = ""
        if actual is not None:
            if actual < target * (1 - tolerance):
                flag = "low"
            elif actual > target * (1 + tolerance):
                flag = "high"
        divisions.append(
            {
                "division": t.division,
                "name": t.name,
                "classes": t.classes,
                "titles": titles,
                "volumes": volumes,
                "share": actual,
                "target": target.quantize(Decimal("0.0001")),
                "flag": flag,
            }
        )
    # Age of the collection by year of publication, relative to the chosen date.
    age_rows = {
        r["record__pub_year"]: r["volumes"]
        for r in held.values("record__pub_year").annotate(volumes=Count("id")).order_by()
    }
    buckets = [
        (_("5年以内"), 0, 5),
        (_("6–10年"), 6, 10),
        (_("11–20年"), 11, 20),
        (_("20年以上"), 21, None),
    ]
    ages = []
    for label, low, high in buckets:
        n = sum(
            v
            for y, v in age_rows.items()
            if y is not None and day.year - y >= low and (high is None or day.year - y <= high)
        )
        ages.append({"label": label, "volumes": n, "share": share(n, total_volumes)})
    unknown = age_rows.get(None, 0)
    if unknown:
        ages.append({"label": _("出版年不详"), "volumes": unknown, "share": share(unknown, total_volumes)})
    # 复本过多: titles with more copies in the collection than the cap (grouped over the copies).
    over = list(
        held.values("record")
        .annotate(volumes=Count("id"))
        .filter(volumes__gt=settings.duplicate_cap)
        .order_by("-volumes", "record")
        .values_list("record", "volumes")[:limit]
    )
    records = _record_labels([pk for pk, _n in over])
    duplicates = [
        {
            "pk": pk,
            "title": records[pk]["title"],
            "authors": records[pk]["authors"],
            "call_number": records[pk]["call_number"],
            "volumes": n,
            "excess": n - settings.duplicate_cap,
        }
        for pk, n in over
    ]
    # 剔旧 candidates: titles held since before the cutoff with no loan since the cutoff.
    cutoff = date(day.year - years, day.month, min(day.day, 28))
    cutoff_dt = Period(start=cutoff, end=cutoff, label="", kind="range").bounds()[0]
    day_end = Period(start=day, end=day, label="", kind="range").bounds()[1]
    # NOT EXISTS (an anti-join), never NOT IN: a NOT IN subquery larger than work_mem is re-scanned
    # for every title (minutes on 300,000 loans).
    recently_lent = Exists(
        Loan.objects.filter(copy__record=OuterRef("pk"), checked_out_at__gte=cutoff_dt, checked_out_at__lt=day_end)
    )
    held_before_cutoff = held.filter(acquired_on__lte=cutoff).values("record_id")
    never = Record.objects.filter(pk__in=held_before_cutoff).filter(~recently_lent)
    # One pass: the first `limit` ids and, with COUNT(*) OVER (), how many there are in all.
    first = list(
        never.annotate(total=Window(Count("id"))).order_by("pub_year", "title", "pk").values_list("pk", "total")[:limit]
    )
    never_count = first[0][1] if first else 0
    never_ids = [pk for pk, _total in first]
    held_copy = Q(copies__acquired_on__lte=day) & (
        Q(copies__withdrawn_on__isnull=True) | Q(copies__withdrawn_on__gt=day)
    )
    never_rows = list(
        Record.objects.filter(pk__in=never_ids)
        .annotate(
            volumes=Count("copies", filter=held_copy, distinct=True), last_loan=Max("copies__loans__checked_out_at")
        )
        .order_by("pub_year", "title", "pk")
        .values("pk", "title", "authors", "call_number", "pub_year", "volumes", "last_loan")
    )
    return {
        "day": day,
        "volumes": total_volumes,
        "titles": total_titles,
        "classes": classes,
        "divisions": divisions,
        "level": level,
        "level_label": CollectionTarget.Level(level).label,
        "tolerance": settings.structure_tolerance,
        "ages": ages,
        "duplicates": duplicates,
        "duplicate_cap": settings.duplicate_cap,
        "never": never_rows,
        "never_count": never_count,
        "never_years": years,
        "cutoff": cutoff,
    }
