from datetime import date

import pytest

from circulation.calendar_rules import due_date_for, hold_expiry
from circulation.models import CirculationSettings, ClosedDay, OpenDay, Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def term1(db):
    return Term.objects.create(name="T1", school_year=2025, number=1, start=date(2025, 9, 1), end=date(2026, 1, 20))


def test_plain_due_date_is_loan_days_later_on_a_weekday(term1):
    # 2025-11-12 (Wed) + 14 days = 2025-11-26 (Wed)
    assert due_date_for(date(2025, 11, 12), 14) == date(2025, 11, 26)


def test_due_date_on_a_weekend_moves_to_monday(term1):
    # 2025-11-08 is a Saturday
    assert due_date_for(date(2025, 10, 25), 14) == date(2025, 11, 10)


def test_weekends_can_be_open(term1):
    settings = CirculationSettings.current()
    settings.weekends_closed = False
    settings.save()
    assert due_date_for(date(2025, 10, 25), 14) == date(2025, 11, 8)


def test_closed_days_are_skipped(term1):
    ClosedDay.objects.bulk_create([ClosedDay(day=date(2025, 11, 26)), ClosedDay(day=date(2025, 11, 27))])
    assert due_date_for(date(2025, 11, 12), 14) == date(2025, 11, 28)


def test_a_weekend_working_day_is_open(term1):
    OpenDay.objects.create(day=date(2025, 11, 8), reason="调休")
    assert due_date_for(date(2025, 10, 25), 14) == date(2025, 11, 8)


def test_due_date_never_after_term_end(term1):
    # 2026-01-10 + 14 = 01-24, after the term's last day (Tue 01-20)
    assert due_date_for(date(2026, 1, 10), 14) == date(2026, 1, 20)


def test_term_end_on_a_closed_day_moves_back_to_the_last_open_day(term1):
    ClosedDay.objects.create(day=date(2026, 1, 20))
    assert due_date_for(date(2026, 1, 10), 14) == date(2026, 1, 19)


def test_vacation_loan_may_run_past_term_end(term1):
    assert due_date_for(date(2026, 1, 10), 30, allow_vacation=True) == date(2026, 2, 9)


def test_outside_a_term_there_is_no_term_limit():
    assert due_date_for(date(2025, 8, 1), 14) == date(2025, 8, 15)


def test_hold_expiry_counts_open_days(term1):
    # Friday + 3 open days -> Wednesday
    assert hold_expiry(date(2025, 11, 14), 3) == date(2025, 11, 19)


def test_the_term_the_loan_starts_in_limits_it_not_the_next_one(term1):
    Term.objects.create(name="T2", school_year=2025, number=2, start=date(2026, 2, 20), end=date(2026, 7, 5))
    assert due_date_for(date(2026, 1, 19), 14) == date(2026, 1, 20)
    assert due_date_for(date(2026, 2, 23), 14) == date(2026, 3, 9)


def test_the_whole_calendar_is_read_in_one_query(term1, django_assert_num_queries):
    ClosedDay.objects.create(day=date(2025, 11, 26))
    OpenDay.objects.create(day=date(2025, 11, 29), reason="调休")
    with django_assert_num_queries(1):
        # 11-26 is closed, 11-27 is the next open day
        assert due_date_for(date(2025, 11, 12), 14) == date(2025, 11, 27)
    with django_assert_num_queries(1):
        assert due_date_for(date(2025, 11, 15), 14) == date(2025, 11, 29)  # a Saturday made a working day


# --- vacation loans (假期借阅) -----------------------------------------------------------------


@pytest.fixture
def term2(term1):
    # The winter holiday runs from 2026-01-21 to 2026-02-22; term 2 starts on Monday 2026-02-23.
    return Term.objects.create(name="T2", school_year=2025, number=2, start=date(2026, 2, 23), end=date(2026, 7, 10))


def test_a_vacation_loan_due_inside_the_holiday_falls_due_on_the_next_terms_first_day(term2):
    # 2026-01-10 + 30 days = 2026-02-09, a Monday in the winter holiday: the library is closed.
    assert due_date_for(date(2026, 1, 10), 30, allow_vacation=True) == date(2026, 2, 23)


def test_a_vacation_loan_skips_closed_days_at_the_start_of_the_next_term(term2):
    ClosedDay.objects.bulk_create([ClosedDay(day=date(2026, 2, 23)), ClosedDay(day=date(2026, 2, 24))])
    # Not the closed Monday and Tuesday, not the weekend before: Wednesday 2026-02-25.
    assert due_date_for(date(2026, 1, 10), 30, allow_vacation=True) == date(2026, 2, 25)


def test_a_vacation_loan_due_after_the_holiday_keeps_its_date(term2):
    # 2026-01-10 + 60 days = 2026-03-11 (Wed), already in term 2.
    assert due_date_for(date(2026, 1, 10), 60, allow_vacation=True) == date(2026, 3, 11)


def test_a_vacation_loan_due_in_term_is_unchanged(term2):
    assert due_date_for(date(2025, 11, 12), 14, allow_vacation=True) == date(2025, 11, 26)


def test_a_vacation_loan_without_a_next_term_still_avoids_closed_days(term1):
    # No term 2 set up yet: the plain closed-day rule (2026-02-07 is a Saturday → Monday).
    assert due_date_for(date(2026, 1, 10), 28, allow_vacation=True) == date(2026, 2, 9)


def test_the_vacation_calendar_is_still_one_query(term2, django_assert_num_queries):
    with django_assert_num_queries(1):
        due_date_for(date(2026, 1, 10), 30, allow_vacation=True)


def test_a_vacation_loan_at_the_desk_falls_due_on_the_next_terms_first_day(term2, policies, student_reader):
    from circulation import services
    from tests.circulation.conftest import aware, make_copy

    make_copy(barcode="V0000001")
    loan = services.loan_checkout(
        reader=student_reader, copy_barcode="V0000001", now=aware(date(2026, 1, 12)), allow_vacation=True
    )
    # Student policy: 14 days → 2026-01-26, inside the holiday.
    assert loan.is_vacation and loan.due_date == date(2026, 2, 23)
