import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from catalog.models import Copy
from circulation.models import LibraryCard, Reader, SchoolClass

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        SECRET_KEY="x" * 20 + "production-only-secret-key-for-the-check-1234567890", ALLOWED_HOSTS="library.school.cn"
    )
    env.update(extra)
    return env


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_demo_school_has_the_promised_size(settings):
    call_command("load_demo", stdout=io.StringIO())
    assert SchoolClass.objects.count() >= 24
    assert {c.grade_on(timezone.localdate()) for c in SchoolClass.objects.all()} == {1, 2, 3, 4, 5, 6}
    assert Reader.objects.filter(kind="student").count() >= 800
    assert Reader.objects.filter(kind="teacher").count() >= 30
    assert SchoolClass.objects.filter(head_teacher__isnull=False).count() >= 24
    assert LibraryCard.objects.filter(status="valid").count() > 800
    for username in ("admin", "librarian", "assistant", "teacher", "teacher2"):
        assert User.objects.get(username=username).check_password("shuxiang2026")
    assert Copy.objects.count() >= 10000


@pytest.mark.django_db
def test_demo_school_is_loaded_only_into_an_empty_database():
    out = io.StringIO()
    User.objects.create_user("someone")
    call_command("load_demo", "--if-empty", stdout=out)
    assert not Reader.objects.exists()
