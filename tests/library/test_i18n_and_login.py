import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_interface_speaks_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert 'lang="zh-hans"' in response.content.decode()
    assert "登录书香图书馆" in response.content.decode()


def test_language_selector_switches_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Sign in to Shuxiang Library" in html


def test_wrong_password_shows_a_chinese_error(client, librarian):
    response = client.post(reverse("login"), {"username": "librarian1", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_logins_are_throttled_after_repeated_failures(client, librarian, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "librarian1", "password": "wrong"})
    # Even the right password is refused while the lockout lasts.
    response = client.post(reverse("login"), {"username": "librarian1", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_and_goes_home(client, librarian):
    response = client.post(reverse("login"), {"username": "librarian1", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录书香图书馆" in response.content.decode()


def _po_entries(path):
    """(msgid, translations, flags) for each entry of a .po file (continuation lines joined)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags, fields, current = "", {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = line
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[current] += line.strip()[1:-1]
            else:
                current, _, value = line.partition(" ")
                fields[current] = value.strip()[1:-1]
        if fields.get("msgid"):
            translations = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields["msgid"], translations, flags))
    return entries


def test_the_english_catalogue_is_complete():
    """A fuzzy or empty entry is not compiled: the English interface would fall back to Chinese."""
    from django.conf import settings

    entries = _po_entries(settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    untranslated = [msgid for msgid, translations, _ in entries if not all(translations)]
    assert fuzzy == [] and untranslated == []
