"""Shared fixtures: the named cast of users, and the browser set-up (Debian's chromium)."""

import os
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.utils import translation

from circulation.models import LibraryCard, Reader, SchoolClass
from library import roles
from tests.z3950.server import closed_port, silent_port, zebra_server  # noqa: F401 (fixtures)

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be
# usable from the test body around page interactions.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path):
    """Import uploads (library.uploads) go to the test's own folder, never into the checkout."""
    settings.DATA_DIR = tmp_path / "var"


@pytest.fixture(autouse=True)
def _school_language():
    """Each test starts in the school's language. The locale middleware activates a request's
    language in the thread that serves it and leaves it there, so a test-client request in English
    would otherwise carry English into the next test's code that runs outside a request (a service's
    Chinese messages then came out in English: a flaky assertion under xdist)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def make_user(username: str, role: str | None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        roles.ensure_roles()
        user.groups.add(Group.objects.get(name=role))
    if role == roles.ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def make_reader(name: str, *, kind: str = "student", school_class=None, user=None, number=None, card=True) -> Reader:
    from django.utils import timezone

    reader = Reader.objects.create(name=name, kind=kind, school_class=school_class, user=user, student_number=number)
    if card:
        LibraryCard.objects.create(reader=reader, number=f"R{reader.pk:06d}", issued_at=timezone.now())
    return reader


@pytest.fixture
def admin(db):
    return make_user("admin1", roles.ADMINISTRATOR, first_name="管理员")


@pytest.fixture
def librarian(db):
    return make_user("librarian1", roles.LIBRARIAN, first_name="李老师")


@pytest.fixture
def assistant(db):
    return make_user("assistant1", roles.ASSISTANT, first_name="小帮手")


@pytest.fixture
def teacher(db):
    user = make_user("teacher1", roles.TEACHER, first_name="王老师")
    make_reader("王老师", kind="teacher", user=user, number="T0001")
    return user


@pytest.fixture
def other_teacher(db):
    user = make_user("teacher2", roles.TEACHER, first_name="赵老师")
    make_reader("赵老师", kind="teacher", user=user, number="T0002")
    return user


@pytest.fixture
def school_class(db):
    # Entered in 2023: 三年级 in the school year 2025-2026.
    return SchoolClass.objects.create(entry_year=2023, number=2)


@pytest.fixture
def head_teacher(db, school_class):
    user = make_user("headteacher1", roles.TEACHER, first_name="陈老师")
    make_reader("陈老师", kind="teacher", user=user, number="T0003")
    school_class.head_teacher = user
    school_class.save(update_fields=["head_teacher"])
    return user


@pytest.fixture
def student_reader(db, school_class):
    return make_reader("张小明", school_class=school_class, number="20230201")


@pytest.fixture
def today():
    return date(2025, 11, 12)


# --- browser tests -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(live_server):
    """Log a user in through the real login form; returns the page on the user's home page."""

    def _login(page, username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return _login


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, and at the end no connection left on it: a thread of a test (a live
    server, a SIP2 handler, a concurrency test) may still hold one, and PostgreSQL refuses to drop
    a database that is in use ("being accessed by other users")."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection, connections

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        # Django's own connections of this thread are closed too (one may have been among those
        # ended above); the teardown that drops the database opens a fresh one.
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except Exception:  # a connection the server already ended
                pass
