"""The production-configuration stage (make test runs it as its own step).

Every test here runs with the production settings a school gets from the README: DEBUG off, the
manifest static storage over files collected (once per run) into a temporary folder from the
committed static/, the HTTPS settings on. The walk's requests are counted and reported at the end.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.urlwalk import _walk_clients_once, walk_clients, walk_data  # noqa: F401  (fixtures)

WALK_COUNTS = {"requests": 0, "errors": 0}


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process (README "Production"): a secret key, no DEBUG, no test mode."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        SECRET_KEY="production-test-" + "k" * 50,
        ALLOWED_HOSTS="library.example.edu.cn,127.0.0.1,localhost,testserver",
        CSRF_TRUSTED_ORIGINS="https://library.example.edu.cn",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """`collectstatic` run as in production, into a temporary folder."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=django_settings.BASE_DIR,
        env=production_env(STATIC_ROOT=str(root)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, "collectstatic failed:\n" + result.stderr[-3000:]
    return root


@pytest.fixture(scope="session", autouse=True)
def _no_stray_sessions_at_the_end(django_db_setup, django_db_blocker):
    """End every other session on the test database before pytest-django drops it.

    Playwright's event loop gives the code after it another context, and with it another Django
    connection that nobody closes; gunicorn's workers may also still be leaving."""
    yield
    if not connection.settings_dict["NAME"].startswith("test_"):
        return  # no database test ran: the connection never moved to the test database
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def production_settings(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    return settings


def pytest_terminal_summary(terminalreporter):
    if WALK_COUNTS["requests"]:
        terminalreporter.write_line(
            f"URL walk (production settings): {WALK_COUNTS['requests']} requests, {WALK_COUNTS['errors']} server errors"
        )
