"""The production settings themselves: `check --deploy` is clean, the health check is plain HTTP."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.production.conftest import production_env


def test_check_deploy_is_clean_with_the_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_healthz_answers_plain_http_behind_the_https_redirect(client):
    response = client.get(reverse("healthz"))  # the proxy's health check: plain http
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_other_pages_are_redirected_to_https(client):
    response = client.get(reverse("catalog:opac"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
