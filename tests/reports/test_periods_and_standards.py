"""Periods (term, school year, date range, previous period) and the editable standards."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict

from circulation.models import Term
from library.models import School
from reports import selectors
from reports.models import HoldingsStandard
from reports.periods import PeriodError, default_period, parse_period, previous_period, range_period, year_period

pytestmark = pytest.mark.django_db


def q(text: str) -> QueryDict:
    return QueryDict(text)


def test_school_year_runs_from_first_term_start_to_last_term_end(school):
    Term.objects.create(
        name="2025—2026学年第二学期", school_year=2025, number=2, start=date(2026, 2, 24), end=date(2026, 7, 5)
    )
    period = parse_period(q("year=2025"), date(2026, 3, 1))
    assert (period.start, period.end, period.label) == (date(2025, 9, 1), date(2026, 7, 5), "2025-2026学年")
    assert previous_period(period).label == "2024-2025学年"


def test_school_year_without_terms_is_august_to_july():
    period = year_period(2023)
    assert (period.start, period.end) == (date(2023, 8, 1), date(2024, 7, 31))


def test_previous_of_a_term_and_of_a_range(school):
    assert previous_period(parse_period(q(f"term={school.term.pk}"), date(2026, 3, 1))).term_id == school.prev.pk
    before = previous_period(range_period(date(2025, 10, 1), date(2025, 10, 10)))
    assert (before.start, before.end) == (date(2025, 9, 21), date(2025, 9, 30))


def test_default_period_is_the_current_term_else_the_latest(school):
    assert default_period(date(2025, 10, 1)).term_id == school.term.pk
    assert default_period(date(2026, 2, 1)).term_id == school.term.pk  # winter holiday: the term just ended


@pytest.mark.parametrize("text", ["term=999999", "year=abc", "from=2025-01-01&to=2029-01-01", "to=2025-01-01"])
def test_bad_periods_raise_a_message(school, text):
    with pytest.raises(PeriodError):
        parse_period(q(text), date(2025, 10, 1))


def test_nine_year_school_weights_the_standard_by_stage(db):
    from reports.defaults import load_defaults
    from reports.models import CollectionTarget, ReportSettings

    load_defaults(HoldingsStandard, CollectionTarget, ReportSettings)
    # 300 primary pupils × 25 + 100 junior pupils × 35 = 11,000 volumes ÷ 400 = 27.5 per pupil.
    standard = selectors.holdings_standard(School.Stage.NINE_YEAR, {"primary": 300, "junior": 100})
    assert standard["volumes_per_student"] == Decimal("27.5")


def test_edited_standard_is_used(school):
    HoldingsStandard.objects.filter(school_type="primary").update(volumes_per_student=Decimal("1.5"))
    from reports.periods import term_period

    col = selectors.semester_summary(term_period(school.term), None).collection
    assert col["meets_standard"] is True  # 9 volumes ÷ 6 pupils = 1.5


def test_standards_are_editable_in_the_back_office(client, admin, school):
    client.force_login(admin)
    page = client.get("/admin/reports/holdingsstandard/")
    assert page.status_code == 200
    assert "藏书量标准" in page.content.decode()
    assert client.get("/admin/reports/collectiontarget/").status_code == 200
    assert client.get("/admin/reports/reportsettings/").status_code == 200


def test_my_record_without_a_reader_explains(client, librarian):
    client.force_login(librarian)
    page = client.get("/reports/my-record/")
    assert "尚未关联读者信息" in page.content.decode()
