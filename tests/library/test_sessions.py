"""library.sessions: Django's database sessions, read with SQL built once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from library.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_it_is_the_session_engine():
    assert settings.SESSION_ENGINE == "library.sessions"


def test_a_saved_session_is_read_back_in_one_query(django_assert_num_queries):
    store = SessionStore()
    store["desk_reader"] = 7
    store.save()
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key)["desk_reader"] == 7


def test_an_expired_or_unknown_session_reads_as_empty():
    store = SessionStore()
    store["desk_reader"] = 7
    store.save()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.get("desk_reader") is None and expired.session_key is None
    assert SessionStore("x" * 32).get("desk_reader") is None


def test_signing_in_and_out_still_works(client, librarian):
    client.force_login(librarian)
    assert client.get(reverse("circulation:desk")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("circulation:desk")).status_code == 302
