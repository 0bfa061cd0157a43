"""An administrator opens last term's summary, sees figures and charts, prints it, downloads the Excel
file, opens a pupil's reading record and the collection analysis; a head teacher sees only their class."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.reports.conftest import school, standards  # noqa: F401  (the hand-built school)

pytestmark = pytest.mark.django_db(transaction=True)


def test_administrator_reads_prints_and_exports_last_terms_summary(page, login, admin, school, live_server):  # noqa: F811
    login(page, "admin1")
    page.get_by_role("button", name="统计报表").click()  # the navbar dropdown
    page.get_by_role("link", name="借阅统计（学期/学年）").click()
    page.select_option("select[name=term]", label="2025—2026学年第一学期")
    page.get_by_test_id("period-submit").click()

    expect(page.get_by_test_id("summary-title")).to_have_text("2025—2026学年第一学期 · 借阅统计")
    expect(page.get_by_test_id("headline")).to_have_text(
        "我校在校学生6人，教职工4人。本期共有6名学生借阅图书11册，2位教职工借阅图书3册。"
    )
    expect(page.get_by_test_id("fig-per-student")).to_have_text("1.83")
    expect(page.get_by_test_id("fig-participation")).to_have_text("83.3%")
    for chart in ("chart-grades", "chart-classes", "chart-clc"):
        expect(page.get_by_test_id(chart)).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("class-table")).to_contain_text("三年级(1)班")

    # Print layout: navigation hidden, school and period in the header.
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator(".print-header")).to_contain_text("测试小学")
    expect(page.locator(".print-header")).to_contain_text("2025—2026学年第一学期 · 借阅统计")
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "2025—2026学年第一学期-借阅统计.xlsx"
    book = load_workbook(BytesIO(Path(download.path()).read_bytes()))
    figures = {row[1]: row[2] for row in book["概况"].iter_rows(min_row=3, values_only=True) if row[1]}
    assert figures["学生借阅册次"] == 11
    assert figures["生均借阅"] == 1.83

    # A 读书之星's printable reading record.
    page.get_by_test_id("stars-table").get_by_role("link", name="s1").click()
    expect(page.get_by_test_id("record-headline")).to_have_text("本期共借阅 3 册次（2 种），续借 0 次。")
    expect(page.get_by_test_id("record-table")).to_contain_text("小王子")

    # The collection analysis, from the menu.
    page.get_by_role("button", name="统计报表").click()
    page.get_by_role("link", name="馆藏结构分析").click()
    page.fill("input[name=date]", "2026-01-20")
    page.get_by_role("button", name="统计", exact=True).click()
    expect(page.get_by_test_id("collection-headline")).to_have_text("截至 2026-01-20，在藏 6 种 9 册。")
    expect(page.locator("[data-division='4']")).to_contain_text("偏低")
    expect(page.get_by_test_id("chart-divisions")).to_have_attribute("data-ready", "1")


def test_head_teacher_sees_only_their_class(page, login, head_teacher, school, live_server):  # noqa: F811
    login(page, "headteacher1")
    page.get_by_test_id("reports-head-teacher-links").get_by_role("link").first.click()
    expect(page.get_by_test_id("class-report-title")).to_have_text("三年级(2)班 · 2025—2026学年第一学期")
    expect(page.get_by_test_id("class-borrowers")).to_contain_text("s3")
    expect(page.get_by_test_id("class-borrowers")).not_to_contain_text("s1")
    expect(page.get_by_test_id("chart-class-loans")).to_have_attribute("data-ready", "1")

    response = page.goto(f"{live_server.url}/reports/classes/{school.classes['A'].pk}/")
    assert response.status == 403
    response = page.goto(f"{live_server.url}/reports/")
    assert response.status == 403
