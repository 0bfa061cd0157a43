"""A stocktake of the 书库: scanner bursts and a collector file, the missing list, a write-off approved
by a second librarian, and the written-off copy found again at the next stocktake and put back."""

import pytest
from playwright.sync_api import expect

from catalog.models import Copy, CopyStatus, Location
from tests.conftest import make_user
from tests.stocktake.conftest import shelve

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_stocktake_of_the_stacks(page, browser, login, live_server, librarian):
    stacks = Location.objects.create(name="书库", code="SK")
    reading = Location.objects.create(name="阅览室", code="YL", position=1)
    for i in range(1, 6):
        shelve(stacks, f"A{i}", title=f"书{i}")
    shelve(reading, "B1", title="阅览室的书")
    make_user("librarian2", "图书管理员", first_name="王老师")

    login(page, "librarian1")
    page.locator("nav.navbar").get_by_role("button", name="编目").click()  # 盘点 is in the 编目 menu
    page.locator("nav.navbar").get_by_role("link", name="盘点", exact=True).click()
    page.get_by_label("盘点名称").fill("书库期末盘点")
    page.get_by_label("书库").check()
    page.get_by_role("button", name="开始盘点").click()
    expect(page.locator(".alert")).to_contain_text("应盘 5 册")

    # A scanner burst: no waiting between codes; B1 belongs in the reading room; A1 twice.
    code = page.get_by_test_id("scan-code")
    for barcode in ("A1", "A2", "B1", "A1", "ZZ9"):
        code.type(barcode + "\n")
    rows = page.get_by_test_id("scan-results")
    expect(rows.locator("tr[data-result]")).to_have_count(5)
    expect(rows.locator('tr[data-result="elsewhere"]')).to_contain_text("应在：阅览室")
    expect(rows.locator('tr[data-result="duplicate"]')).to_contain_text("A1")
    expect(rows.locator('tr[data-result="unknown"]')).to_contain_text("ZZ9")

    # The handheld collector's file: A3 with a time, A4 without.
    page.get_by_label("盘点机文件").set_input_files(
        files=[{"name": "pd01.txt", "mimeType": "text/plain", "buffer": b"A3,2025-11-10 09:00:00\nA4\n"}]
    )
    page.get_by_test_id("upload-form").get_by_role("button", name="导入").click()
    expect(page.locator(".alert")).to_contain_text("新扫描 2 册")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束盘点").click()
    expect(page.get_by_test_id("missing-list")).to_contain_text("A5")
    expect(page.get_by_test_id("missing-list")).not_to_contain_text("A1")
    expect(page.get_by_test_id("loss-total")).to_contain_text("20.00%")
    page.get_by_role("button", name="申请注销丢失图书").click()
    expect(page.get_by_test_id("write-off")).to_contain_text("等待另一位图书管理员或管理员审批")
    expect(page.get_by_role("button", name="审批并注销丢失图书")).to_have_count(0)
    report_url = page.url

    other = browser.new_context()
    second = other.new_page()
    login(second, "librarian2")
    second.goto(report_url)
    second.get_by_role("button", name="审批并注销丢失图书").click()
    expect(second.get_by_test_id("write-off")).to_contain_text("已注销为遗失")
    other.close()
    assert Copy.objects.get(barcode="A5").status == CopyStatus.LOST

    # Next term A5 turns up on the shelf.
    page.goto(f"{live_server.url}/stocktake/")
    page.get_by_label("盘点名称").fill("书库复盘")
    page.get_by_label("书库").check()
    page.get_by_role("button", name="开始盘点").click()
    page.get_by_test_id("scan-code").type("A5\n")
    expect(page.get_by_test_id("scan-results").locator('tr[data-result="found_again"]')).to_contain_text("遗失")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束盘点").click()
    page.get_by_test_id("found-list").get_by_role("button", name="恢复在架").click()
    expect(page.locator(".alert")).to_contain_text("A5 已恢复在架")
    copy = Copy.objects.get(barcode="A5")
    assert copy.status == CopyStatus.ON_SHELF
    assert list(copy.status_changes.order_by("changed_at", "id").values_list("to_status", flat=True)) == [
        "lost",
        "on_shelf",
    ]
