"""Periodical pages: librarians only; every page answers garbage without a 500; the main flows."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import Copy
from serials.models import Issue, Serial, Subscription
from tests.serials.conftest import ean

pytestmark = pytest.mark.django_db

PAGES = ["serials:home", "serials:export", "serials:serial_new", "serials:checkin", "serials:claims"]
OBJECT_PAGES = ["serials:serial_detail", "serials:serial_edit", "serials:subscription_detail"]
POSTS = ["serials:subscription_new", "serials:bind", "serials:issue_checkin"]


def urls(subscription):
    out = [reverse(n) for n in PAGES] + [reverse("serials:claims_mark")]
    out += [reverse(n, args=[subscription.serial_id]) for n in OBJECT_PAGES[:2]]
    out += [reverse("serials:subscription_detail", args=[subscription.pk])]
    out += [reverse("serials:subscription_new", args=[subscription.serial_id])]
    out += [reverse("serials:bind", args=[subscription.pk])]
    out += [reverse("serials:issue_checkin", args=[subscription.issues.first().pk])]
    return out


def test_pages_are_for_cataloguers_only(client, subscription, assistant, teacher):
    for url in urls(subscription):
        client.logout()
        assert client.get(url).status_code == 302, url
        for user in (assistant, teacher):
            client.force_login(user)
            assert client.get(url).status_code == 403, url


def test_pages_answer_garbage_without_an_error(client, subscription, librarian):
    client.force_login(librarian)
    garbage = {"year": "\x00", "code": "x" * 100, "issues": ["a", "99999999999999999999"], "label": "", "location": "z"}
    for url in urls(subscription):
        assert client.get(url, garbage).status_code in (200, 405), url
        assert client.post(url, garbage).status_code in (200, 302, 400, 405), url
    assert not Copy.objects.exists() and not Issue.objects.filter(claimed_on__isnull=False).exists()


@pytest.mark.parametrize("year", ["２０２６", "²⁰²⁶", "-2026", "2026abc", "1999", "99999999999999999999"])
def test_a_year_that_is_none_shows_this_year_and_says_so(client, librarian, year):
    client.force_login(librarian)
    page = client.get(reverse("serials:home"), {"year": year}).content.decode()
    this_year = timezone.localdate().year
    assert "不是有效的年份（2000 到 2100），下面是今年的。" in page and f"{this_year} 年报刊订阅" in page


def test_a_year_in_ascii_digits_is_shown(client, librarian):
    client.force_login(librarian)
    page = client.get(reverse("serials:home"), {"year": "2031"}).content.decode()
    assert "2031 年报刊订阅" in page and "不是有效的年份" not in page


def test_the_export_names_the_year_it_holds(client, librarian):
    client.force_login(librarian)
    response = client.get(reverse("serials:export"), {"year": "２０３１"})
    assert f"serials-{timezone.localdate().year}.xlsx" in response["Content-Disposition"]


def test_mutating_views_refuse_get(client, subscription, librarian):
    client.force_login(librarian)
    for url in [reverse("serials:claims_mark"), *urls(subscription)[-3:]]:
        assert client.get(url).status_code == 405


def test_a_title_is_added_with_its_issn_checked(client, librarian):
    client.force_login(librarian)
    data = {"title": "中国少年报", "kind": "newspaper", "issn": "0317-8472", "frequency": "weekly"}
    assert "ISSN 校验位不对" in client.post(reverse("serials:serial_new"), data).content.decode()
    data["issn"] = "03178471"
    client.post(reverse("serials:serial_new"), data)
    assert Serial.objects.get().issn == "0317-8471"


def test_subscribing_predicts_the_issues(client, magazine, librarian):
    client.force_login(librarian)
    data = {"year": 2026, "source": "agent", "copies": 1, "unit_price": "60", "start_month": 7, "end_month": 12}
    response = client.post(reverse("serials:subscription_new", args=[magazine.pk]), data)
    sub = Subscription.objects.get()
    assert response["Location"] == reverse("serials:subscription_detail", args=[sub.pk])
    assert list(sub.issues.values_list("number", flat=True)) == [7, 8, 9, 10, 11, 12]


def test_scan_page_checks_in(client, subscription, librarian):
    client.force_login(librarian)
    html = client.post(reverse("serials:checkin"), {"code": ean() + "04", "year": 2026}, follow=True).content.decode()
    assert "已登到" in html and subscription.issues.get(number=4).received_on is not None


def test_yearly_list_exports(client, subscription, librarian):
    client.force_login(librarian)
    response = client.get(reverse("serials:export"), {"year": 2026})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "少年科学" and rows[1][4] == "4-123" and rows[1][-1] == 192


def test_the_dashboard_links_the_repairs_and_the_check_in(client, librarian):
    client.force_login(librarian)
    html = client.get(reverse("dashboard")).content.decode()
    assert reverse("serials:checkin") in html and reverse("catalog:repairs") in html


def test_the_claim_list_shows_one_source_when_asked(client, subscription, librarian):
    from serials.models import Serial
    from serials.services import subscription_create

    other = Serial.objects.create(title="故事大王", frequency="monthly")
    subscription_create(serial=other, year=2026, unit_price=1, source="agent", source_name="书刊代理商")
    Issue.objects.update(expected_on=timezone.localdate() - timedelta(days=100))  # all long overdue
    client.force_login(librarian)
    everything = client.get(reverse("serials:claims")).content.decode()
    assert "故事大王" in everything and "少年科学" in everything
    agent = client.get(reverse("serials:claims"), {"source": "agent"}).content.decode()
    assert "故事大王" in agent and "少年科学" not in agent
