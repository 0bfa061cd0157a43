"""Building blocks shared by the report selectors: enrolment, periods' loans, collection on a day, rates."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings as django_settings
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from catalog.models import Copy, Record
from circulation.enrolment import (  # noqa: F401 - enrolled_*, valid_card_on re-exported for the reports
    STAFF_KINDS,
    enrolled_readers,
    enrolled_students,
    valid_card_on,
)
from circulation.models import (
    AnonymousBorrower,
    Loan,
    ReaderKind,
)
from library.models import School
from reports.models import CollectionTarget, HoldingsStandard
from reports.periods import Period

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


# Who borrowed: the reader, or once the loan is anonymised (reading-history retention) its
# AnonymousBorrower, whose ids are negative. Every count of distinct borrowers counts this, so
# past figures stay the same after anonymisation.
BORROWER = Coalesce("reader_id", "anonymous_borrower_id")


def borrower_sql(alias: str) -> str:
    """BORROWER in raw SQL, for the loan table under `alias`."""
    return f"COALESCE({alias}.reader_id, {alias}.anonymous_borrower_id)"


def anonymous_borrowed(period: Period) -> list[dict]:
    """The anonymised borrowers with an individual loan in the period, with what the reports ask of
    a reader at the period's end (reader_figures, class_enrolment): kind, school_class (the reader's
    class when anonymised), enrolled, carded.

    The facts were kept for the ends of the terms and of the school year; a custom range that ends
    on another day uses the next kept day (close, not exact: see README, reading-history retention).
    """
    start, end = period.bounds()
    ids = (
        Loan.objects.filter(
            checked_out_at__gte=start, checked_out_at__lt=end, is_collective=False, anonymous_borrower__isnull=False
        )
        .values("anonymous_borrower_id")
        .distinct()
    )
    borrowers = AnonymousBorrower.objects.filter(pk__in=ids).values("reader_kind", "school_class_id", "facts")
    return facts_at_end(
        [(b["reader_kind"], b["school_class_id"], b["facts"]) for b in borrowers],
        period,
    )


def facts_at_end(borrowers: list[tuple], period: Period) -> list[dict]:
    """(kind, school_class, facts) of anonymised borrowers → what they were at the period's end (the
    next kept day, else the last one)."""
    rows = []
    for kind, school_class, facts in borrowers:
        days = sorted(facts)
        if not days:
            continue
        day = next((d for d in days if d >= period.end.isoformat()), days[-1])
        enrolled, carded = facts[day]
        rows.append({"kind": kind, "school_class": school_class, "enrolled": enrolled, "carded": carded})
    return rows


def _visit_key():
    # 人次: one per distinct (borrower, local calendar day) with a checkout, as one integer
    # (borrower id × 100000 + days since 2000-01-01) so COUNT(DISTINCT ...) compares integers.
    return RawSQL(
        "(" + borrower_sql("circulation_loan") + "::bigint * 100000"
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
        # Not the anonymised loans' NULL: `id IN (..., NULL)` is NULL, not false, for a non-borrower.
        .filter(reader_id__isnull=False)
        .values("reader_id")
        .distinct()
    )
    return ExpressionWrapper(Q(pk__in=borrowers), output_field=BooleanField())


STAGE_ORDER = {"primary": 0, "junior": 1, "senior": 2}


def _record_labels(ids: list[int]) -> dict[int, dict]:
    """Title, authors and call number of a few records (only the columns the reports show)."""
    rows = Record.objects.filter(pk__in=ids).values("pk", "title", "authors", "call_number")
    return {r["pk"]: r for r in rows}
