"""A visitor reads the whole 新书通报 of a 375-title delivery grouped by class, chooses the period
it covers, prints it as a poster and downloads it as Excel."""

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.catalog.test_new_arrivals import big_batch

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_reads_prints_and_exports_a_375_title_batch(page, live_server, stacks):
    today = timezone.localdate()
    big_batch(stacks, 2, received_on=today - timedelta(days=200))
    big_batch(stacks, 375, received_on=today - timedelta(days=3))

    page.goto(f"{live_server.url}/")
    page.get_by_role("main").get_by_role("link", name="新书通报").first.click()  # the shelf below has one too
    latest = page.get_by_test_id("arrival-batch").first
    expect(latest.get_by_test_id("arrival-heading")).to_contain_text("375 种，375 册")
    expect(latest.get_by_test_id("arrival-title")).to_have_count(375)
    expect(latest.get_by_test_id("arrival-class")).to_have_text(["I 文学（187 种）", "K 历史、地理（188 种）"])

    # Only the last 30 days: the old delivery leaves the list.
    page.get_by_label("验收日期从").fill(f"{today - timedelta(days=30):%Y-%m-%d}")
    page.get_by_role("button", name="显示").click()
    expect(page.get_by_test_id("arrival-batch")).to_have_count(1)

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    rows = list(load_workbook(BytesIO(Path(info.value.path()).read_bytes())).active.iter_rows(min_row=2))
    assert len(rows) == 375

    page.get_by_role("link", name="海报打印").click()
    expect(page.get_by_test_id("poster-total")).to_have_text("本期到馆新书 375 种")
    expect(page.get_by_test_id("arrival-poster").locator("li")).to_have_count(375)
