"""The security settings of a site that holds children's data: lock-out per real client address,
a Content-Security-Policy with no inline script, no caching of signed-in pages, sessions that end."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"  # behind the README's nginx every request arrives from the proxy


def _login(client, password, forwarded_for, username="librarian1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


# --- lock-out behind a proxy ---------------------------------------------------------------------


def test_a_pupils_wrong_passwords_lock_out_only_the_pupils_device(client, librarian, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", "10.0.0.5")

    assert _login(client, PASSWORD, "10.0.0.5").status_code == 429  # that device: locked
    client.logout()
    response = _login(client, PASSWORD, "10.0.0.9")  # the librarian's own computer
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_forged_forwarded_for_header_does_not_escape_the_lock_out(client, librarian, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(settings.AXES_FAILURE_LIMIT):
        # nginx appends the address it saw to whatever the client sent
        _login(client, "wrong", f"192.0.2.{i}, 10.0.0.5")
    assert _login(client, PASSWORD, "198.51.100.7, 10.0.0.5").status_code == 429


def test_without_a_trusted_proxy_the_forwarded_for_header_is_ignored(client, librarian, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", f"10.0.0.{i}")
    assert _login(client, PASSWORD, "10.0.0.200").status_code == 429  # all from 127.0.0.1


# --- Content-Security-Policy ---------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_script(client, librarian):
    client.force_login(librarian)
    policy = client.get(reverse("dashboard"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in directives.get("default-src", "")
    assert directives["frame-ancestors"] == "'none'"


TEMPLATES = sorted((Path(django_settings.BASE_DIR) / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_no_template_holds_inline_script_or_event_handlers(path):
    html = path.read_text(encoding="utf-8")
    inline = [
        tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag and "application/json" not in tag
    ]
    handlers = re.findall(r"\son[a-z]+\s*=", html)
    assert not inline and not handlers


# --- no caching of pages that show readers --------------------------------------------------------


def test_signed_in_pages_are_not_stored_by_the_browser(client, librarian, student_reader):
    client.force_login(librarian)
    response = client.get(reverse("circulation:reader_detail", args=[student_reader.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_public_catalogue_may_be_cached(client):
    response = client.get(reverse("catalog:opac"))
    assert "no-store" not in response.get("Cache-Control", "")


# --- sessions -----------------------------------------------------------------------------------


def test_the_session_cookie_ends_with_the_browser(client, librarian):
    response = client.post(reverse("login"), {"username": "librarian1", "password": PASSWORD})
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_an_idle_session_ends_after_the_idle_time_but_activity_keeps_it(client, librarian, monkeypatch, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600  # the default idle time
    client.post(reverse("login"), {"username": "librarian1", "password": PASSWORD})
    start = timezone.now()

    def at(hours):
        monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=hours))
        return client.get(reverse("dashboard"))

    assert at(7).status_code == 200
    assert at(14).status_code == 200  # 7 hours after the last request
    response = at(22.5)  # 8.5 idle hours
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
