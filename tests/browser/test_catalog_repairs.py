"""A repair round trip: a book comes back worn at the desk and is sent to repair from there with
its damage; another is sent from its copy page; the queue lists both by date; one is mended (a
teacher's reservation gets it), the other cannot be and is written off in one step."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Copy, CopyStatus
from circulation.models import Hold, Loan
from tests.browser.helpers import open_catalogue_menu
from tests.circulation.conftest import lending_term, make_copy, make_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_repair_round_trip(page, login, live_server, librarian, teacher, student_reader):
    lending_term()
    prince = make_record("小王子")
    worn = make_copy(prince, "A0000001", status="on_loan")
    Loan.objects.create(
        copy=worn,
        reader=student_reader,
        reader_kind="student",
        school_class=student_reader.school_class,
        grade=3,
        checked_out_at=timezone.now() - timedelta(days=5),
        due_date=timezone.localdate() + timedelta(days=9),
    )
    torn = make_copy(make_record("西游记"), "A0000002")
    login(page, "librarian1")

    # At the desk: the book comes back with a loose spine.
    page.goto(f"{live_server.url}/circulation/desk/")
    page.keyboard.press("F3")
    code = page.get_by_test_id("desk-code")
    code.fill("A0000001")
    code.press("Enter")
    expect(page.get_by_test_id("desk-feedback")).to_contain_text("已还《小王子》")
    page.get_by_test_id("send-to-repair").click()
    expect(page.get_by_label("登记号")).to_have_value("A0000001")
    page.get_by_label("破损情况").fill("书脊开裂")
    page.get_by_role("button", name="送去修补").click()
    expect(page.get_by_role("alert")).to_contain_text("A0000001 已送去修补")

    # From the catalogue: the copy page sends the other one.
    page.goto(f"{live_server.url}/catalog/copies/{torn.pk}/")
    page.get_by_placeholder("破损情况（如：书脊开裂、缺页、污损）").fill("缺页 12 张")
    page.get_by_role("button", name="送去修补").click()
    expect(page.get_by_test_id("copy-status")).to_have_text("修补中")

    # Meanwhile a teacher reserves 小王子.
    Hold.objects.create(record=prince, reader=teacher.reader, placed_at=timezone.now())

    open_catalogue_menu(page, "修补")
    rows = page.get_by_test_id("repair-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("书脊开裂")
    expect(rows.nth(1)).to_contain_text("缺页 12 张")

    page.get_by_label("A0000001").check()
    page.get_by_role("button", name="修好上架").click()
    expect(page.get_by_role("alert")).to_contain_text("1 册已修好上架")
    expect(rows).to_have_count(1)
    assert Hold.objects.get().status == Hold.Status.READY
    assert Copy.objects.get(barcode="A0000001").status == CopyStatus.ON_HOLD

    page.get_by_label("A0000002").check()
    page.get_by_label("审批人").fill("张校长")
    page.get_by_role("button", name="无法修复，注销").click()
    expect(page.get_by_role("heading", level=1).first).to_contain_text("注销清单")
    expect(page.get_by_test_id("withdrawal-summary")).to_contain_text("注销原因：破损")
    assert Copy.objects.get(barcode="A0000002").status == CopyStatus.WITHDRAWN
