"""A finished term's figures are computed once and kept; editing the past computes them again."""

from datetime import date, timedelta

import pytest

from reports.models import SummaryCache
from reports.periods import previous_period, term_period
from reports.selectors import cache
from tests.reports.conftest import at, lend

pytestmark = pytest.mark.django_db

AFTER = date(2026, 3, 1)  # the term ended on 2026-01-20


def _no_recompute(*args, **kwargs):
    raise AssertionError("the figures were computed again")


def test_a_finished_term_is_computed_once(school, monkeypatch):
    period = term_period(school.term)
    first = cache.summary_for(period, previous_period(period), AFTER)
    monkeypatch.setattr(cache, "semester_summary", _no_recompute)
    again = cache.summary_for(period, previous_period(period), AFTER)
    assert again.circ["student_loans"] == first.circ["student_loans"] == 11
    assert SummaryCache.objects.count() == 1


def test_editing_a_past_loan_computes_the_figures_again(school):
    period = term_period(school.term)
    before = cache.summary_for(period, previous_period(period), AFTER)
    loan = school.loans[1]  # returned 2025-09-20, due 09-24: on time
    loan.returned_at = loan.returned_at + timedelta(days=10)  # now returned late
    loan.save(update_fields=["returned_at"])
    after = cache.summary_for(period, previous_period(period), AFTER)
    assert after.circ["overdue_returns"] == before.circ["overdue_returns"] + 1


def test_a_reader_who_left_in_the_past_computes_the_figures_again(school):
    period = term_period(school.term)
    before = cache.summary_for(period, previous_period(period), AFTER)
    s1 = school.readers["s1"]
    s1.left_on, s1.is_active = date(2025, 12, 1), False
    s1.save(update_fields=["left_on", "is_active"])
    after = cache.summary_for(period, previous_period(period), AFTER)
    assert after.readers["students"] == before.readers["students"] - 1


def test_a_running_term_is_kept_for_today_and_recomputed_after_a_new_loan(school, monkeypatch):
    period = term_period(school.term)
    today = date(2025, 10, 15)
    first = cache.summary_for(period, previous_period(period), today)
    assert first.in_progress and first.circ["student_loans"] == 7
    # Another day: its own figures (up to that day), not today's.
    tomorrow = cache.summary_for(period, previous_period(period), today + timedelta(days=1))
    assert SummaryCache.objects.count() == 2 and tomorrow.as_of == today + timedelta(days=1)
    # A loan at the desk today: the kept figures are no longer right, they are computed again.
    lend(
        school.readers["s3"],
        school.copies["c10"],
        at(today, 11),
        due=today + timedelta(days=14),
        klass=school.classes["B"],
        grade=3,
    )
    again = cache.summary_for(period, previous_period(period), today)
    assert again.circ["student_loans"] == 8


def test_moving_a_copy_to_a_reading_room_computes_the_figures_again(school):
    period = term_period(school.term)
    before = cache.summary_for(period, previous_period(period), AFTER)
    copy = school.copies["c10"]
    copy.location = school.copies["c8"].location  # 阅览室, not lendable
    copy.save(update_fields=["location"])
    after = cache.summary_for(period, previous_period(period), AFTER)
    assert after.core["lendable"] == before.core["lendable"] - 1
