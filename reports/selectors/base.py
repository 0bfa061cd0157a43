"""Building blocks shared by the report selectors: enrolment, periods' loans, collection on a day, rates."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings as django_settings
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from catalog.models import Copy, Record
from circulation.models import STAGE_GRADES, LibraryCard, Loan, Reader, ReaderKind, school_year_of
from library.models import School
from reports.models import CollectionTarget, HoldingsStandard
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


STAGE_ORDER = {"primary": 0, "junior": 1, "senior": 2}


def _record_labels(ids: list[int]) -> dict[int, dict]:
    """Title, authors and call number of a few records (only the columns the reports show)."""
    rows = Record.objects.filter(pk__in=ids).values("pk", "title", "authors", "call_number")
    return {r["pk"]: r for r in rows}
