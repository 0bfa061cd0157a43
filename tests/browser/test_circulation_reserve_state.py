"""After reserving, the record page says 已预约 and the place in the queue instead of offering 预约 again."""

import pytest
from playwright.sync_api import expect

from circulation import services
from tests.circulation.conftest import lending_term, make_copy, make_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_reserve_button_turns_into_the_place_in_the_queue(
    page, login, live_server, teacher, other_teacher, librarian, student_reader
):
    lending_term()
    record = make_record("草房子")
    make_copy(record, "C0000001")
    services.loan_checkout(reader=student_reader, copy_barcode="C0000001", by=librarian)
    # Another teacher is already first in the queue.
    login(page, "teacher2")
    page.goto(f"{live_server.url}/record/{record.pk}/")
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_test_id("reserved-state")).to_have_text("已预约，第 1 位")
    page.context.clear_cookies()

    login(page, "teacher1")
    page.goto(f"{live_server.url}/record/{record.pk}/")
    expect(page.get_by_test_id("reserved-state")).to_have_count(0)
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_test_id("reserved-state")).to_have_text("已预约，第 2 位")
    expect(page.get_by_test_id("reserve-button")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("reserved-state")).to_have_text("已预约，第 2 位")
