"""The librarian's day at the desk: card, two loans, a refusal, a late return with a hold,
a lost book's compensation, a class reminder slip."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.models import Hold, Loan
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_librarian_desk_flow(page, login, live_server, librarian, teacher, school_class):
    today = timezone.localdate()
    lending_term()
    pupil = make_reader("张小明", school_class=school_class, number="20230201", card=False)
    late = make_reader("李华", school_class=school_class, number="20230202")
    prince = make_record("小王子")
    make_copy(prince, "A0000001")
    make_copy(prince, "A0000002")
    make_copy(make_record("西游记"), "A0000003")
    journey = make_record("水浒传")
    for code in ("L0000001", "L0000002"):
        copy = make_copy(journey if code == "L0000001" else make_record("三国演义"), code, status="on_loan")
        Loan.objects.create(
            copy=copy,
            reader=late,
            reader_kind="student",
            school_class=school_class,
            grade=3,
            checked_out_at=timezone.now() - timedelta(days=30),
            due_date=today - timedelta(days=16),
        )
    Hold.objects.create(record=journey, reader=teacher.reader, placed_at=timezone.now() - timedelta(days=3))

    login(page, "librarian1")
    # Issue a card on the reader page.
    page.goto(f"{live_server.url}/circulation/readers/?q=张小明")
    page.get_by_role("link", name="张小明").click()
    page.get_by_test_id("card-issue").click()
    card_number = f"D{pupil.pk:07d}"
    expect(page.get_by_test_id("reader-cards")).to_contain_text(card_number)

    # The desk: scan the card, then books.
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    code.fill(card_number)
    code.press("Enter")
    expect(page.get_by_test_id("reader-name")).to_contain_text("张小明")
    for barcode, title in (("A0000001", "小王子"), ("A0000003", "西游记")):
        code.fill(barcode)
        code.press("Enter")
        expect(feedback).to_contain_text(f"已借出《{title}》")
    expect(page.get_by_test_id("reader-loans")).to_contain_text("A0000003")
    code.fill("A0000002")
    code.press("Enter")
    expect(feedback).to_contain_text("拒借")
    expect(feedback).to_contain_text("上限")
    # htmx applies the new class when the swap settles, a moment after the text: wait for it.
    expect(feedback).to_have_class(re.compile(r"\balert-danger\b"))

    # Return mode (F3): a late book that a teacher has reserved.
    page.keyboard.press("F3")
    code.fill("L0000001")
    code.press("Enter")
    expect(feedback).to_contain_text("逾期 16 天")
    expect(feedback).to_contain_text("王老师")
    expect(page.get_by_test_id("hold-slip-link")).to_be_visible()
    expect(page.get_by_test_id("reader-name")).to_contain_text("李华")

    # A lost book: compensation from the reader page, paid, with a receipt.
    page.goto(f"{live_server.url}/circulation/readers/{pupil.pk}/")
    form = page.get_by_test_id("compensation-form")
    form.locator("select[name=barcode]").select_option("A0000001")
    form.locator("select[name=kind]").select_option("lost")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("compensation-amount")).to_have_text("¥50.00")
    page.get_by_test_id("settle-button").click()
    expect(page.get_by_test_id("receipt-link")).to_be_visible()

    # The class reminder slip for the pupil who still has an overdue book.
    page.goto(f"{live_server.url}/circulation/overdue/")
    href = page.get_by_test_id("print-reminders").first.get_attribute("href")
    page.goto(f"{live_server.url}{href}")
    expect(page.get_by_test_id("reminder-slip")).to_contain_text("李华")
    expect(page.get_by_test_id("reminder-slip")).to_contain_text("三国演义")
