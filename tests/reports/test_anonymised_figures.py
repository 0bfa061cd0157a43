"""Reading-history retention must not change any past figure: the semester summary of the
hand-built school (conftest.py), figure by figure, before and after its loans are anonymised."""

import dataclasses
from datetime import date

import pytest

from circulation import services
from circulation.models import AnonymousBorrower, CirculationSettings, Loan
from reports import selectors
from reports.periods import previous_period, range_period, term_period, year_period
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db

LATER = at(date(2026, 9, 15))  # school year 2026: the loans of 2024 and 2025 are past 1 year's retention
IDENTITY = {"name", "student_number", "reader_id"}  # what anonymisation removes from 读书之星


def figures(summary) -> dict:
    """Every figure of the summary, with the names of 读书之星 left out (rank, loans and class stay)."""
    data = dataclasses.asdict(summary)
    for key in ("stars", "grade_stars"):
        # Within a tie the order follows the 学号, which an anonymised borrower no longer has.
        stars = [{k: v for k, v in star.items() if k not in IDENTITY} for star in data[key]]
        data[key] = sorted(stars, key=lambda s: sorted((k, str(v)) for k, v in s.items()))
    return data


def summaries(school) -> dict:
    term = term_period(school.term)
    periods = {
        "term": term,
        "previous term": term_period(school.prev),
        "school year": year_period(2025),
        "range ending on the term's last day": range_period(date(2025, 10, 1), school.term.end),
    }
    out = {name: figures(selectors.semester_summary(p, previous_period(p))) for name, p in periods.items()}
    # The range's own previous period (06-11 .. 09-30) spans two school years and ends on no term's
    # or year's end: its participation is close, not exact, after anonymisation (README).
    del out["range ending on the term's last day"]["compare"]
    return out


def anonymise():
    result = services.loans_anonymise(now=LATER)
    assert result.loans > 0
    return result


def test_every_figure_is_the_same_after_anonymisation(school):
    before = summaries(school)
    anonymise()
    # s1 still has a book out (since 2025-10-15): their three 2025-2026 loans keep the name; the
    # rest go, s1's 2024-2025 loan included.
    named = Loan.objects.filter(reader__isnull=False, is_collective=False)
    assert sorted(named.values_list("reader__name", flat=True)) == ["s1", "s1", "s1"]
    after = summaries(school)
    for name in before:
        for key in before[name]:
            assert after[name][key] == before[name][key], (name, key)


def test_every_figure_is_the_same_when_every_loan_is_anonymised(school):
    Loan.objects.filter(returned_at__isnull=True).update(returned_at=at(date(2026, 1, 25)))
    before = summaries(school)
    anonymise()
    assert not Loan.objects.filter(reader__isnull=False, is_collective=False).exists()
    after = summaries(school)
    for name in before:
        for key in before[name]:
            assert after[name][key] == before[name][key], (name, key)


def test_the_stars_keep_rank_loans_and_class_but_no_name(school):
    Loan.objects.filter(returned_at__isnull=True).update(returned_at=at(date(2026, 1, 25)))
    period = term_period(school.term)
    before = selectors.top_readers(period)
    anonymise()
    after = selectors.top_readers(period)
    assert sorted((s["rank"], s["loans"], s["class_name"]) for s in after) == sorted(
        (s["rank"], s["loans"], s["class_name"]) for s in before
    )
    assert {s["name"] for s in after} == {"（已匿名）"} and {s["reader_id"] for s in after} == {None}


def test_a_second_run_changes_nothing(school):
    anonymise()
    borrowers = AnonymousBorrower.objects.count()
    assert services.loans_anonymise(now=LATER).loans == 0
    assert AnonymousBorrower.objects.count() == borrowers


def test_one_anonymous_borrower_per_reader_and_school_year(school):
    anonymise()
    # s3 borrowed in both 2024-2025 (March) and 2025-2026: two unrelated anonymous borrowers.
    years = sorted(AnonymousBorrower.objects.values_list("school_year", flat=True))
    assert years.count(2024) == 2  # s1 and s3 in the previous term
    assert all(b.pk < 0 for b in AnonymousBorrower.objects.all())


def test_nothing_is_anonymised_within_the_retention_period(school):
    settings = CirculationSettings.current()
    settings.history_years = 2
    settings.save()
    assert services.loans_anonymise(now=LATER).loans == 2  # only the 2024-2025 loans (s1, s3)
