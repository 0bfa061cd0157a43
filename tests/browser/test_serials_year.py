"""The periodical year: a librarian adds a magazine and subscribes it, checks issues in with the
scanner (one never comes), prints the claim list, binds the issues into a 合订本 and lends it at
the desk like a book."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog import clc
from catalog.models import Location
from circulation.models import Loan
from serials.models import Issue
from tests.circulation.conftest import lending_term
from tests.serials.conftest import ean

pytestmark = pytest.mark.django_db(transaction=True)


def test_periodical_year_from_subscription_to_a_bound_volume_on_loan(
    page, login, live_server, librarian, student_reader
):
    clc.ensure_table()
    lending_term()
    Location.objects.create(name="期刊阅览室", code="QK")
    year = timezone.localdate().year - 1  # last year's issues are all due by now
    login(page, "librarian1")

    # A new title, its ISSN checked.
    page.locator("nav.navbar").get_by_role("button", name="编目").click()  # 报刊 is in the 编目 menu
    page.locator("nav.navbar").get_by_role("link", name="新增报刊", exact=True).click()
    page.get_by_label("刊名").fill("少年科学")
    page.get_by_label("ISSN").fill("0317-8472")
    page.get_by_label("邮发代号").fill("4-123")
    page.get_by_label("刊期").select_option("monthly")
    page.get_by_label("分类号").fill("N49")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("main")).to_contain_text("ISSN 校验位不对")
    page.get_by_label("ISSN").fill("0317-8471")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("serial-info")).to_contain_text("0317-8471")

    # Subscribed at the post office for January to April: four issues expected.
    form = page.get_by_test_id("subscribe-form")
    form.get_by_label("订阅年度").fill(str(year))
    form.get_by_label("份数").fill("2")
    form.get_by_label("全年单价（元）").fill("48")
    form.get_by_label("止订月").fill("4")
    form.get_by_role("button", name="订阅").click()
    expect(page.get_by_test_id("issue-row")).to_have_count(4)

    # Check-in with the scanner: nos. 1, 2 and 4 come, no. 3 never does.
    page.locator("nav.navbar").get_by_role("button", name="编目").click()  # 报刊 is in the 编目 menu
    page.locator("nav.navbar").get_by_role("link", name="报刊登到").click()
    for number in ("01", "02", "04"):
        page.get_by_label("年度").fill(str(year))
        code = page.get_by_label("扫描封面条码（977…）或输入 ISSN")
        code.fill(ean() + number)
        code.press("Enter")
        expect(page.get_by_role("alert")).to_contain_text(f"第{int(number)}期 已登到")
    page.get_by_test_id("recent-checkins").get_by_role("link").first.click()
    expect(page.locator("[data-testid=issue-row][data-state=missing]")).to_have_count(1)

    # The claim list for the post office names the missing issue.
    page.locator("nav.navbar").get_by_role("button", name="编目").click()  # 报刊 is in the 编目 menu
    page.locator("nav.navbar").get_by_role("link", name="缺期催缺").click()
    source = page.get_by_test_id("claim-source")
    expect(source).to_have_count(1)
    expect(source.get_by_role("heading")).to_have_text("邮局")
    expect(source.get_by_test_id("claim-row")).to_contain_text(f"{year}年第3期")
    source.get_by_role("link", name="只看这个渠道").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("缺期催缺单 · 邮局")
    page.get_by_role("button", name="记录已催缺（今天）").click()
    expect(page.get_by_role("alert")).to_contain_text("已记录 1 期催缺")
    assert Issue.objects.get(number=3).claimed_on == timezone.localdate()

    # The year's list: one title, 2 copies, 96 yuan, 3 of 4 issues.
    page.locator("nav.navbar").get_by_role("button", name="编目").click()  # 报刊 is in the 编目 menu
    page.locator("nav.navbar").get_by_role("link", name="报刊订阅").click()
    page.get_by_label("年度").fill(str(year))
    page.get_by_role("button", name="切换年度").click()
    expect(page.get_by_test_id("stat-spend")).to_contain_text("96.00")
    expect(page.get_by_test_id("stat-rate")).to_have_text("75%")

    # Binding the three issues that came.
    page.get_by_test_id("subscription-row").get_by_role("link", name="少年科学").click()
    for n in (1, 2, 4):
        page.get_by_label(f"装订第 {n} 期").check()
    page.get_by_label("卷册").fill(f"{year}年1-4期")
    page.get_by_role("button", name="装订并编目").click()
    expect(page.get_by_role("alert")).to_contain_text("已编目")
    barcode = page.get_by_test_id("bound-barcode").inner_text()

    # At the desk the bound volume is lent like a book.
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    code.fill(student_reader.cards.get().number)
    code.press("Enter")
    expect(page.get_by_test_id("reader-name")).to_contain_text("张小明")
    code.fill(barcode)
    code.press("Enter")
    expect(page.get_by_test_id("desk-feedback")).to_contain_text("已借出《少年科学")
    assert Loan.objects.get().copy.barcode == barcode
