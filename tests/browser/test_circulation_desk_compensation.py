"""Compensation without leaving the desk: a lost book from the reader panel, a damaged return."""

import pytest
from playwright.sync_api import expect

from circulation.models import Compensation
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_librarian_records_a_lost_and_a_damaged_book_at_the_desk(page, login, live_server, librarian, school_class):
    lending_term()
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    make_copy(make_record("小王子"), "A0000001")
    make_copy(make_record("西游记", price="30.00"), "A0000002")

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    code.fill(pupil.cards.get().number)
    code.press("Enter")
    for barcode in ("A0000001", "A0000002"):
        code.fill(barcode)
        code.press("Enter")
        expect(page.get_by_test_id("reader-loans")).to_contain_text(barcode)

    # The pupil lost 小王子: from the loan's row in the panel.
    page.get_by_test_id("compensate-A0000001").click()
    form = page.get_by_test_id("desk-compensation-form")
    expect(form).to_contain_text("遗失 ¥50.00")
    form.get_by_test_id("comp-kind-lost").check()
    form.get_by_test_id("comp-submit").click()
    expect(feedback).to_contain_text("已登记遗失《小王子》，应赔 ¥50.00")
    expect(form).to_have_count(0)
    expect(page.get_by_test_id("reader-panel")).to_contain_text("未处理赔偿：遗失 ¥50.00")
    expect(page.get_by_test_id("reader-block")).to_contain_text("有未处理的赔偿")
    expect(code).to_be_focused()

    # 西游记 comes back soiled: report it right after the return scan, put it back on the shelf.
    page.keyboard.press("F3")
    code.fill("A0000002")
    code.press("Enter")
    expect(feedback).to_contain_text("已还《西游记》")
    page.get_by_test_id("report-damage").click()
    form = page.get_by_test_id("desk-compensation-form")
    form.get_by_test_id("comp-kind-soiled").check()
    form.locator("select[name=copy_action]").select_option("shelf")
    form.get_by_test_id("comp-submit").click()
    expect(feedback).to_contain_text("已登记污损《西游记》，应赔 ¥15.00")

    # The pupil pays for the soiled book at once: from the feedback to the payment and the receipt.
    page.get_by_test_id("compensation-link").click()
    expect(page.get_by_test_id("compensation-amount")).to_have_text("¥15.00")
    page.get_by_test_id("settle-button").click()
    expect(page.get_by_test_id("receipt-link")).to_be_visible()
    assert list(Compensation.objects.order_by("kind").values_list("kind", "status")) == [
        ("lost", "unpaid"),
        ("soiled", "paid"),
    ]
