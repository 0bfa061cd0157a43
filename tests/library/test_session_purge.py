"""Ended sessions are deleted by a daily chore, with any import preview they held (a roster's rows:
pupils' names and 学号) that nobody confirmed."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from circulation.views.roster import SESSION_KEY
from library import daily, sessions

pytestmark = pytest.mark.django_db


def _session(rows, expires_in: timedelta) -> str:
    store = sessions.SessionStore()
    store[SESSION_KEY] = rows
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_an_ended_sessions_roster_preview_is_deleted_and_a_live_one_kept():
    rows = [{"name": "张小明", "student_number": "20230101", "action": "new"}]
    ended = _session(rows, -timedelta(minutes=1))
    live = _session(rows, timedelta(hours=8))
    assert "sessions" in daily.chores()
    sessions.clear_expired_daily()
    assert not Session.objects.filter(session_key=ended).exists()
    assert sessions.SessionStore(session_key=live)[SESSION_KEY] == rows
