"""A librarian catalogues a book by ISBN (with 查重), gets barcodes and a call number, prints its
labels; a visitor then finds it by two characters, by pinyin initials and by ISBN."""

import pytest
from playwright.sync_api import expect

from catalog import services
from catalog.models import Location, Record

pytestmark = pytest.mark.django_db(transaction=True)


def test_catalogue_a_book_print_labels_and_find_it_in_the_opac(page, login, librarian, live_server):
    stacks = Location.objects.create(name="书库", code="SK")
    services.record_create(
        data={"title": "西游记", "clc": "I242.4", "isbn": "9787020002207", "authors": "吴承恩"},
        copies=1,
        location=stacks,
    )
    login(page, "librarian1")

    # 查重 by ISBN: the scanner types an ISBN-10 of a book we already have, then Enter.
    page.goto(f"{live_server.url}/catalog/records/new/")
    page.fill("#id_isbn_lookup", "7-02-000220-X")
    page.press("#id_isbn_lookup", "Enter")
    expect(page.get_by_test_id("isbn-matches")).to_contain_text("西游记")
    expect(page.get_by_role("link", name="给它添加复本")).to_be_visible()

    # A new book: the form comes back with the ISBN filled in.
    page.goto(f"{live_server.url}/catalog/records/new/")
    page.fill("#id_isbn_lookup", "978-7-5448-0001-3")
    page.press("#id_isbn_lookup", "Enter")
    expect(page.locator("#id_isbn")).to_have_value("9787544800013")
    page.fill("#id_title", "草房子")
    page.fill("#id_authors", "曹文轩")
    page.fill("#id_publisher", "天天出版社")
    page.fill("#id_clc", "I287.45")
    page.fill("#id_c-copies", "2")
    page.click("text=保存书目并生成登记号")
    expect(page.get_by_test_id("call-number")).to_have_text("I287.45/1")
    expect(page.get_by_test_id("staff-copies")).to_contain_text("A0000002")
    expect(page.get_by_test_id("staff-copies")).to_contain_text("A0000003")

    # Spine labels open in a new tab, sized for an A4 label sheet.
    with page.context.expect_page() as popup:
        page.click("text=打印书标")
    labels = popup.value
    labels.wait_for_load_state()
    expect(labels.get_by_test_id("label")).to_have_count(2)
    expect(labels.get_by_test_id("label").first).to_contain_text("I287.45")

    # A visitor (logged out) finds it three ways.
    page.click("text=退出")
    for query in ("房子", "cfz", "978-7-5448-0001-3"):
        page.goto(f"{live_server.url}/")
        page.fill("[data-testid=opac-q]", query)
        page.press("[data-testid=opac-q]", "Enter")
        expect(page.get_by_test_id("results")).to_contain_text("草房子")
    page.click("text=草房子")
    expect(page.get_by_test_id("record-call-number")).to_have_text("I287.45/1")
    expect(page.get_by_test_id("copies")).to_contain_text("书库")
    assert Record.objects.count() == 2
