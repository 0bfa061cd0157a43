"""A USB scanner does not wait for the page: two barcodes scanned back to back are both lent."""

import pytest
from playwright.sync_api import expect

from circulation.models import Loan
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_books_scanned_back_to_back_are_both_lent(page, login, live_server, librarian, school_class):
    lending_term()
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    make_copy(make_record("小王子"), "A0000001")
    make_copy(make_record("西游记"), "A0000002")

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    code.fill(pupil.cards.get().number)
    code.press("Enter")
    expect(page.get_by_test_id("reader-name")).to_contain_text("张小明")
    # No waiting between the two scans, as with a real scanner.
    code.type("A0000001\n")
    code.type("A0000002\n")
    expect(page.get_by_test_id("reader-loans")).to_contain_text("A0000001")
    expect(page.get_by_test_id("reader-loans")).to_contain_text("A0000002")
    assert Loan.objects.filter(reader=pupil, returned_at__isnull=True).count() == 2
