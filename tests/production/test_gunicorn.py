"""The site as a school runs it: gunicorn with the production settings (DEBUG off, collected static
files with the manifest storage), walked page by page as every role, and a real browser logging
in and out as every role without any Content-Security-Policy violation.

Plain HTTP on loopback, so SECURE_SSL_REDIRECT and the secure cookies are off here (the in-process
walk in test_url_walk.py runs with them on).
"""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from playwright.sync_api import expect

from library.demo import DEMO_PASSWORD
from tests import urlwalk
from tests.production.conftest import WALK_COUNTS, production_env


@pytest.fixture(scope="module")
def school(django_db_setup, django_db_blocker):
    """The demo school, committed (gunicorn is another process), flushed when the module is done.

    (The tests also ask for `db`: without a database test in the run, pytest-django would leave the
    connection on the development database.)"""
    with django_db_blocker.unblock():
        data = urlwalk.build_walk_data()
        # Playwright's event loop gives later code another context, hence another connection:
        # this one must be closed by hand, or the test database cannot be dropped at the end.
        builder = connections[DEFAULT_DB_ALIAS]
    yield data
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)
        builder.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(school, collected_static, tmp_path_factory):
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = production_env(
        DATABASE_URL=database_url,
        STATIC_ROOT=str(collected_static),
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        CSRF_TRUSTED_ORIGINS=url,
        LOG_LEVEL="WARNING",
    )
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "library.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start:\n" + log.read_text()[-3000:]) from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _log_in(page, base, role):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", urlwalk.USERNAMES[role])
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _csp_watch(page, seen: list):
    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"{page.url}: {error}"))


def test_gunicorn_serves_every_page_to_every_role_without_a_server_error(gunicorn, school, browser, db):
    routes = [r for r in urlwalk.routes()]
    errors, sent = [], 0
    for role in urlwalk.ROLES:
        context = browser.new_context()
        if role != "anonymous":
            _log_in(context.new_page(), gunicorn, role)
        for route in routes:
            if route.namespace == "admin" and role != "admin":
                continue  # the back office turns every non-staff request away at its door
            if route.name in {"logout", "admin:logout"}:
                continue  # a GET is refused (405) anyway; keep the session for the next pages
            url = gunicorn + urlwalk.fill(route, school)
            response = context.request.get(url, max_redirects=0)
            sent += 1
            if response.status >= 500:
                errors.append(f"GET {url} as {role}: {response.status}")
        context.close()
    WALK_COUNTS["requests"] += sent
    WALK_COUNTS["errors"] += len(errors)
    assert sent > 300
    assert not errors, "\n".join(errors)


# The kiosk's screen has no menu bar to sign out from: its own test follows.
@pytest.mark.parametrize("role", [r for r in urlwalk.ROLES if r not in ("anonymous", "kiosk")])
def test_every_role_logs_in_and_out_through_gunicorn(gunicorn, school, role, browser, db):
    context = browser.new_context()
    page = context.new_page()
    violations = []
    _csp_watch(page, violations)

    _log_in(page, gunicorn, role)
    expect(page.get_by_test_id("current-user")).to_be_visible()
    # The static files come from the manifest (hashed names), and the pages work with them.
    assert page.evaluate("typeof bootstrap") == "object"
    if role == "admin":  # the back office works under the same Content-Security-Policy
        page.goto(f"{gunicorn}/admin/")
        page.goto(f"{gunicorn}/admin/circulation/schoolclass/{school.school_class.pk}/change/")
        expect(page.locator("#content h1")).to_be_visible()
        page.goto(f"{gunicorn}/my/")
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()

    assert page.url == f"{gunicorn}/"
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    page.goto(f"{gunicorn}/my/")
    assert "/accounts/login/" in page.url
    assert not violations, "\n".join(violations)
    context.close()


def test_a_kiosk_logs_in_to_its_page_and_stays_there_through_gunicorn(gunicorn, school, browser, db):
    context = browser.new_context()
    page = context.new_page()
    violations = []
    _csp_watch(page, violations)

    _log_in(page, gunicorn, "kiosk")
    assert page.url == f"{gunicorn}/selfcheck/"
    expect(page.locator("input[name=card]")).to_be_visible()
    page.goto(f"{gunicorn}/circulation/desk/")

    assert page.url == f"{gunicorn}/selfcheck/"
    assert not violations, "\n".join(violations)
    context.close()


def test_the_librarians_pages_break_no_content_security_policy_rule(gunicorn, school, browser, db):
    context = browser.new_context()
    page = context.new_page()
    violations = []
    _csp_watch(page, violations)
    _log_in(page, gunicorn, "librarian")
    visited = 0
    for route in urlwalk.routes():
        if route.namespace == "admin" or route.name in {"logout", "login"}:
            continue
        if "librarian" not in urlwalk.allowed_roles(route, "get"):
            continue
        url = gunicorn + urlwalk.fill(route, school)
        head = context.request.get(url, max_redirects=0)
        if head.status != 200 or "text/html" not in head.headers.get("content-type", ""):
            continue
        page.goto(url)
        page.wait_for_load_state("load")
        visited += 1
    context.close()
    assert visited > 30
    assert not violations, "\n".join(violations)
