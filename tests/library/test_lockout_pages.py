"""The login lock-out (django-axes) speaks the user's language: the page shown when the back-office
login is locked, and the back-office pages where an administrator lifts a lock-out."""

import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db

ENGLISH_AXES_LABELS = ["Axes", "Access attempts", "Attempt Time", "IP Address", "Failed Logins", "Status"]


def _lock(client, username, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": username, "password": "wrong"})
    return client.post("/admin/login/", {"username": username, "password": "wrong"})


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def test_the_locked_back_office_login_answers_in_chinese(client, librarian, settings):
    response = _lock(client, librarian.username, settings)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_the_locked_back_office_login_answers_in_english_in_english(client, librarian, settings):
    _english(client)
    response = _lock(client, librarian.username, settings)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-ins" in html and "登录失败次数过多" not in html


def test_the_back_office_lock_out_pages_are_in_chinese(client, admin, librarian, settings):
    _lock(client, librarian.username, settings)
    attempt = AccessAttempt.objects.get(username=librarian.username)
    client.force_login(admin)
    index = client.get("/admin/").content.decode()
    listing = client.get("/admin/axes/accessattempt/").content.decode()
    detail = client.get(f"/admin/axes/accessattempt/{attempt.pk}/change/").content.decode()
    assert "登录锁定" in index and "登录尝试" in index
    assert "失败次数" in listing and "已锁定" in listing and "IP 地址" in detail
    for label in ENGLISH_AXES_LABELS:
        assert f">{label}<" not in index + listing, label


def test_the_back_office_lock_out_pages_are_in_english_in_english(client, admin, librarian, settings):
    _lock(client, librarian.username, settings)
    client.force_login(admin)
    _english(client)
    listing = client.get("/admin/axes/accessattempt/").content.decode()
    assert "Access attempts" in listing and "Failed Logins" in listing and ">Status<" in listing
    assert "登录尝试" not in listing
