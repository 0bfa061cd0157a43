"""The daily chores (library.daily): once a day per process, again while a chore has more to do,
a failing chore never breaks the page, and anonymous requests run nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from library import daily


@pytest.fixture
def chores(monkeypatch):
    monkeypatch.setattr(daily, "_chores", {})
    return daily


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


class _User:
    is_authenticated = True


def test_a_chore_runs_once_a_day_and_again_while_it_has_more(chores):
    calls = {"once": 0, "batches": 0}

    def once():
        calls["once"] += 1

    def batches():
        calls["batches"] += 1
        return calls["batches"] < 3  # three batches of work

    chores.register("once", once)
    chores.register("batches", batches)
    middleware = daily.DailyChoresMiddleware(lambda request: HttpResponse("ok"))
    for _ in range(5):
        middleware(_request(_User()))
    assert calls == {"once": 1, "batches": 3}


def test_a_failing_chore_does_not_break_the_page_and_is_tried_again(chores):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("database away")

    chores.register("broken", broken)
    middleware = daily.DailyChoresMiddleware(lambda request: HttpResponse("ok"))
    assert middleware(_request(_User())).content == b"ok"
    assert middleware(_request(_User())).content == b"ok"
    assert len(calls) == 2


def test_anonymous_requests_run_no_chore(chores):
    calls = []
    chores.register("c", lambda: calls.append(1))
    daily.DailyChoresMiddleware(lambda request: HttpResponse("ok"))(_request(AnonymousUser()))
    assert calls == []


def test_the_apps_register_their_chores():
    assert sorted(daily.chores()) == ["holds", "loan_history", "rankings", "report-marks", "sessions", "uploads"]


def test_the_library_app_runs_its_own_config():
    """ "library" in INSTALLED_APPS is LibraryConfig (roles after migrate, checks, daily chores),
    although library/apps.py also holds the AxesConfig."""
    from django.apps import apps

    from library.apps import LibraryConfig

    assert type(apps.get_app_config("library")) is LibraryConfig
