"""A teacher reserves a title from the catalogue record page; the returned copy is kept for her."""

import pytest
from playwright.sync_api import expect

from circulation import services
from tests.circulation.conftest import lending_term, make_copy, make_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_teacher_reserves_and_sees_the_hold_ready(page, login, live_server, teacher, librarian, student_reader):
    lending_term()
    record = make_record("草房子")
    make_copy(record, "C0000001")
    services.loan_checkout(reader=student_reader, copy_barcode="C0000001", by=librarian)

    login(page, "teacher1")
    page.goto(f"{live_server.url}/record/{record.pk}/")
    page.get_by_test_id("reserve-button").click()
    expect(page.locator(".alert-success")).to_contain_text("您排在第 1 位")
    page.goto(f"{live_server.url}/my/")
    expect(page.get_by_test_id("my-holds")).to_contain_text("排队中")

    # The pupil returns the book at the desk: it goes on the hold shelf for the teacher.
    services.loan_return(copy_barcode="C0000001", by=librarian)
    page.reload()
    expect(page.get_by_test_id("my-holds")).to_contain_text("待取书")
    expect(page.get_by_test_id("my-holds")).to_contain_text("草房子")
