"""Small steps several browser tests take."""

from catalog import services


def catalogue(title, code, location, copies=0, **fields):
    """A record (and its copies) catalogued through the service, as the cataloguing page does."""
    return services.record_create(data={"title": title, "clc": code, **fields}, copies=copies, location=location)


def open_catalogue_menu(page, item):
    page.locator("nav.navbar").get_by_role("button", name="编目").click()
    page.get_by_role("link", name=item, exact=True).click()


def card_status(page, number: str):
    """The status cell of one card on the reader page (D0000003 must not match D0000003-2)."""
    row = (
        page.get_by_test_id("reader-cards")
        .get_by_role("row")
        .filter(has=page.get_by_role("cell", name=number, exact=True))
    )
    return row.locator("td").nth(1)
