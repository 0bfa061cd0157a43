"""At 1366 px the navbar fits on one line in Chinese and in English; the language menu names each
language in itself; English pages are in English. Screenshots go to test-artefacts/ (pytest-playwright
empties its own test-results/ when the next pytest run of `make test` starts)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

RESULTS = Path(__file__).resolve().parents[2] / "test-artefacts"


def navbar_fits(page) -> bool:
    """One row of items, none wrapped inside itself: the bar is as high as a one-line bar."""
    height = page.locator("nav.navbar").evaluate("e => e.getBoundingClientRect().height")
    wrapped = page.eval_on_selector_all(
        "#mainnav .nav-link, #mainnav .navbar-text, #mainnav .btn",
        "els => els.filter(e => e.getClientRects().length > 1 || e.getBoundingClientRect().height > 48).length",
    )
    overflow = page.eval_on_selector_all(
        "#mainnav > ul > li, #mainnav > form, #mainnav > span, #mainnav > a",
        "els => Math.max(...els.map(e => e.getBoundingClientRect().right)) - window.innerWidth",
    )
    return navbar_rows(page) == 1 and height <= 64 and wrapped == 0 and overflow <= 0


def navbar_rows(page) -> int:
    """How many rows the navbar's items take (distinct top edges of its direct items)."""
    tops = page.eval_on_selector_all(
        "#mainnav > ul > li, #mainnav > form, #mainnav > span, #mainnav > a, #mainnav > div",
        "els => els.map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))",
    )
    rows = sorted(set(tops))
    # Items of one row are centred on the same line, give or take a few pixels.
    return len([t for i, t in enumerate(rows) if i == 0 or t - rows[i - 1] > 8])


def test_the_navbar_fits_1366_px_in_both_languages(page, login, live_server, admin):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "admin1")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("select[name=language] option")).to_have_text(["简体中文", "English"])
    assert navbar_fits(page)
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "navbar-zh-1366.png"))

    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("select[name=language] option")).to_have_text(["简体中文", "English"])
    assert navbar_fits(page)
    page.screenshot(path=str(RESULTS / "navbar-en-1366.png"))
    # The language box shows the whole name, not "Englisl".
    box = page.locator("select[name=language]")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1")


def test_english_report_pages_at_1366_px(page, login, live_server, admin):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "admin1")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_test_id("summary-title")).to_contain_text("Loan statistics")
    text = page.locator("main").inner_text()
    assert not any(mark in text for mark in "，。；：、（）《》")
    assert navbar_fits(page)
    page.screenshot(path=str(RESULTS / "reports-en-1366.png"), full_page=True)


@pytest.mark.parametrize("username", ["librarian1", "assistant1", "headteacher1"])
def test_every_roles_navbar_fits_1366_px_in_both_languages(page, login, live_server, username, request):
    request.getfixturevalue({"librarian1": "librarian", "assistant1": "assistant"}.get(username, "head_teacher"))
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, username)
    expect(page.locator("nav.navbar")).to_be_visible()
    assert navbar_fits(page)
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert navbar_fits(page)
