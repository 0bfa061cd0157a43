"""A school library's computer is often a 1366×768 laptop: with the browser's tabs and address bar and
the task bar, about 1366×650 of page is visible. The 编目 menu must fit in it, and after a scan the
cataloguer must see the title, where the data came from and the confirm button at once."""

import pytest
from playwright.sync_api import expect

from tests.catalog.pool_data import put_in_pool

pytestmark = pytest.mark.django_db(transaction=True)

VISIBLE = {"width": 1366, "height": 650}


def test_the_catalogue_menu_fits_a_laptop_screen(page, login, librarian, live_server):
    page.set_viewport_size(VISIBLE)
    login(page, "librarian1")
    page.locator("nav.navbar").get_by_role("button", name="编目").click()
    menu = page.get_by_test_id("catalog-menu")
    expect(menu.get_by_role("link", name="书目数据源")).to_be_visible()
    expect(menu.get_by_role("link", name="Z39.50 服务器")).to_be_visible()
    links = menu.get_by_role("link")
    assert links.count() >= 19  # cataloguing, data sources, collection care, stocktake, periodicals
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["y"] + box["height"] <= VISIBLE["height"], links.nth(i).inner_text()
        assert box["x"] + box["width"] <= VISIBLE["width"], links.nth(i).inner_text()


def test_after_a_scan_the_title_source_and_confirm_button_are_in_view(page, login, librarian, live_server, stacks):
    put_in_pool([{"title": "草房子", "isbn": "9787544800013", "clc": "I287.45", "price": "CNY25.00"}])
    page.set_viewport_size(VISIBLE)
    login(page, "librarian1")
    page.goto(f"{live_server.url}/catalog/scan/")
    page.locator("#id_code").fill("9787544800013")
    page.locator("#id_code").press("Enter")
    expect(page.locator("#id_title")).to_have_value("草房子")
    expect(page.get_by_test_id("confirm")).to_be_focused()  # the cursor waits on it: Enter confirms
    expect(page.get_by_test_id("confirm")).to_be_in_viewport()
    expect(page.get_by_test_id("source").first).to_be_in_viewport()
    expect(page.locator("#id_title")).to_be_in_viewport()
    expect(page.locator("#id_c-copies")).to_be_in_viewport()
