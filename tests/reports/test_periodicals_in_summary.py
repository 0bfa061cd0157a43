"""The semester summary and its export show the periodicals subscribed, against the 规程."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports import selectors
from reports.periods import term_period
from serials import services
from serials.models import Serial

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers(school):
    paper = Serial.objects.create(title="中国少年报", kind="newspaper", frequency="monthly")
    sub = services.subscription_create(serial=paper, year=2025, unit_price=Decimal("60.00"), copies=2)
    for issue in sub.issues.filter(number__lte=8):  # Jan–Aug arrived; Sep–Dec due by the end of the term
        services.issue_check_in(issue=issue)
    # Next year's subscription does not count for this term.
    services.subscription_create(serial=paper, year=2026, unit_price=Decimal("70.00"))
    return school


def test_summary_reads_the_subscriptions_of_the_year_the_term_starts_in(papers):
    p = selectors.semester_summary(term_period(papers.term), None).collection["periodicals"]
    assert (p["titles"], p["copies"], p["spend"]) == (1, 2, Decimal("120.00"))
    assert (p["received"], p["expected"], p["standard"]["titles"]) == (8, 12, 60)


def test_summary_page_and_export_show_the_periodicals(client, librarian, papers):
    client.force_login(librarian)
    html = client.get(reverse("reports:summary") + f"?term={papers.term.pk}").content.decode()
    assert "2025 年订阅 1 种 2 份，120.00 元" in html and "规程建议 60 种" in html
    book = load_workbook(BytesIO(client.get(reverse("reports:summary_export") + f"?term={papers.term.pk}").content))
    figures = {row[1]: row[2] for row in book["概况"].iter_rows(min_row=3, values_only=True) if row[1]}
    assert (figures["订阅报刊种数"], figures["报刊种数标准"], figures["订阅金额"]) == (1, 60, 120)
