"""A finished term's figures are computed once and kept; editing the past computes them again."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import SummaryCache
from reports.periods import previous_period, term_period
from reports.selectors import cache, codec
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


def _without_csrf(html: bytes) -> str:
    # The CSRF token is masked afresh on every response; everything else must be the same.
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", html.decode())


def test_the_figures_are_kept_as_json_and_read_back_with_their_types(school):
    period = term_period(school.term)
    summary = cache.summary_for(period, previous_period(period), AFTER)
    row = SummaryCache.objects.get()
    assert json.loads(json.dumps(row.figures)) == row.figures and bytes(row.data) == b""
    again = cache.summary_for(period, previous_period(period), AFTER)
    assert again == summary
    assert isinstance(again.core["loans_per_student"], Decimal) and isinstance(again.period.start, date)


def test_a_running_term_reads_back_equal(school):
    period = term_period(school.term)
    summary = cache.summary_for(period, previous_period(period), date(2025, 10, 15))
    assert summary.in_progress
    assert codec.decode(json.loads(json.dumps(codec.encode(summary)))) == summary


def test_a_value_json_cannot_say_is_refused():
    with pytest.raises(TypeError):
        codec.encode({"reader": object()})


def test_the_page_is_the_same_from_kept_figures(client, librarian, school, monkeypatch):
    client.force_login(librarian)
    url = reverse("reports:summary") + f"?term={school.term.pk}"
    computed = client.get(url)
    assert SummaryCache.objects.count() == 1
    monkeypatch.setattr(cache, "semester_summary", _no_recompute)
    kept = client.get(url)
    assert _without_csrf(kept.content) == _without_csrf(computed.content)


def _cells(content: bytes) -> dict:
    book = load_workbook(BytesIO(content))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_the_workbook_is_the_same_from_kept_figures(client, librarian, school, monkeypatch):
    client.force_login(librarian)
    url = reverse("reports:summary_export") + f"?term={school.term.pk}"
    computed = client.get(url)
    monkeypatch.setattr(cache, "semester_summary", _no_recompute)
    kept = client.get(url)
    assert _cells(kept.content) == _cells(computed.content)
    assert _cells(kept.content)["概况"]  # not two empty workbooks
