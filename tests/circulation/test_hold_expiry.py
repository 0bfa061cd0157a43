"""Expired holds are handled once a day by themselves (no cron needed), and shown on the holds page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circulation import services
from circulation.models import CirculationSettings, Hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(setup, teacher, other_teacher):
    """小王子: both copies out but one kept for 王老师 (ready), 赵老师 waiting behind."""
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    first = services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    second = services.hold_place(
        record=setup["record"], reader=other_teacher.reader, by=other_teacher, now=setup["now"] + timedelta(minutes=1)
    )
    assert (first.status, second.status) == ("ready", "waiting")
    return first, second


def _travel(monkeypatch, when):
    monkeypatch.setattr(timezone, "now", lambda: when)


def test_the_day_is_claimed_once(queue, setup):
    first, second = queue
    later = setup["now"] + timedelta(days=10)
    assert services.holds_expire_daily(now=later) == 1
    assert services.holds_expire_daily(now=later + timedelta(hours=3)) is None  # done today already
    assert CirculationSettings.current().holds_checked_on == later.date()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "expired" and second.status == "ready" and second.copy_id == first.copy_id
    assert services.holds_expire_daily(now=later + timedelta(days=1)) == 0  # a new day, nothing to do


def test_the_first_signed_in_request_of_the_day_expires_holds(client, queue, setup, monkeypatch):
    first, second = queue
    _travel(monkeypatch, setup["now"] + timedelta(days=10))
    client.get(reverse("catalog:opac"))  # an anonymous visitor does not trigger it
    assert Hold.objects.get(pk=first.pk).status == "ready"

    client.force_login(setup["by"])
    page = client.get(reverse("circulation:holds")).content.decode()
    assert Hold.objects.get(pk=first.pk).status == "expired"
    assert Hold.objects.get(pk=second.pk).status == "ready"
    # The librarian sees what to take off the hold shelf, and where the book goes now.
    assert "最近过期的预约" in page and "已转给 赵老师" in page
    assert reverse("circulation:hold_slip", args=[second.pk]) in page


def test_later_requests_that_day_pay_nothing(client, queue, setup, monkeypatch, settings):
    from reading import services as reading_services

    # The reading app's daily rankings run among the same chores; their queries are counted apart.
    ranking_queries = []
    refresh = reading_services.rankings_refresh_daily

    def counted(**kwargs):
        with CaptureQueriesContext(connection) as captured:
            result = refresh(**kwargs)
        ranking_queries.append(len(captured.captured_queries))
        return result

    monkeypatch.setattr(reading_services, "rankings_refresh_daily", counted)
    settings.SESSION_COOKIE_AGE = 30 * 24 * 3600  # the session outlives the day's travel
    _travel(monkeypatch, setup["now"] + timedelta(days=10))
    client.force_login(setup["by"])
    client.get(reverse("circulation:holds"))
    with CaptureQueriesContext(connection) as first_day:
        client.get(reverse("circulation:desk"))
    _travel(monkeypatch, setup["now"] + timedelta(days=11))
    with CaptureQueriesContext(connection) as next_day:
        client.get(reverse("circulation:desk"))
    # The next day's first request claims the day (one UPDATE) and looks for expired holds; then
    # claims it for reading-history retention, reads the setting and looks for loans to anonymise;
    # and, a day after the last request, it moves the session's idle expiry on (a savepoint, the
    # UPDATE and its release: library.middleware.IdleSessionMiddleware); the reports fold their
    # change marks (one statement: reports.changes.compact); ended sessions are deleted (one).
    assert len(next_day.captured_queries) == len(first_day.captured_queries) + 2 + 3 + 3 + 1 + 1 + ranking_queries[-1]
    assert len(ranking_queries) == 2  # once a day: not on the first day's later requests
    assert CirculationSettings.current().holds_checked_on == (setup["now"] + timedelta(days=11)).date()


def test_a_hold_with_nobody_waiting_goes_back_to_the_shelf(client, setup, teacher, monkeypatch):
    hold = services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    _travel(monkeypatch, setup["now"] + timedelta(days=10))
    client.force_login(setup["by"])
    page = client.get(reverse("circulation:holds")).content.decode()
    hold.refresh_from_db()
    hold.copy.refresh_from_db()
    assert hold.status == "expired" and hold.copy.status == "on_shelf"
    assert "无人排队，放回书架" in page


def test_the_log_shows_expiries_made_by_the_daily_job(client, queue, setup):
    """The daily expiry runs for no user: the log leaves its 操作员 blank instead of failing."""
    assert services.holds_expire_daily(now=setup["now"] + timedelta(days=10)) == 1
    client.force_login(setup["by"])
    body = client.get(reverse("circulation:log") + "?action=hold_expired").content.decode()
    assert "<td>预约过期</td><td>王老师</td>" in body
