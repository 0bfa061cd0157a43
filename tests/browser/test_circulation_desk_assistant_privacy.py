"""A student assistant sees a reader's loans only after scanning that reader's card (or typing the
学号) at the desk; opening the panel by id answers 403."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.models import Loan
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_assistant_cannot_see_a_readers_loans_without_scanning_their_card(
    page, login, live_server, assistant, school_class
):
    lending_term()
    pupil = make_reader("蒋明文", school_class=school_class, number="20230201")
    copy = make_copy(make_record("小王子"), "A0000001", status="on_loan")
    Loan.objects.create(
        copy=copy,
        reader=pupil,
        reader_kind="student",
        school_class=school_class,
        grade=3,
        checked_out_at=timezone.now(),
        due_date=timezone.localdate(),
    )

    login(page, "assistant1")
    # By id, without a scan: refused, nothing about the reader on the page.
    response = page.goto(f"{live_server.url}/circulation/desk/reader/{pupil.pk}/")
    assert response.status == 403
    expect(page.locator("body")).not_to_contain_text("小王子")
    response = page.goto(f"{live_server.url}/circulation/desk/?reader={pupil.pk}")
    assert response.status == 403

    # A name is not enough either.
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    code.type("蒋明文\n")
    expect(page.get_by_test_id("desk-feedback")).to_contain_text("学生助理请扫描借书证或输入完整学号")
    expect(page.get_by_test_id("reader-loans")).to_have_count(0)

    # After scanning the card: the panel with the loans.
    code.type(pupil.cards.get().number + "\n")
    expect(page.get_by_test_id("reader-loans")).to_contain_text("小王子")
    response = page.goto(f"{live_server.url}/circulation/desk/reader/{pupil.pk}/")
    assert response.status == 200
