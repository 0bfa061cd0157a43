"""A librarian sets up the rules: a term and a holiday in the calendar, the hold days, an overdue
fine for pupils; then the desk applies them (due date after the holiday, a fine on a late return)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.calendar_rules import due_date_for
from circulation.models import CirculationSettings, Compensation, Loan
from tests.circulation.conftest import make_copy, make_policies, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_librarian_sets_the_rules_and_the_desk_follows_them(page, login, live_server, librarian, school_class):
    today = timezone.localdate()
    make_policies()
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    late = make_reader("李华", school_class=school_class, number="20230202")
    make_copy(make_record("小王子"), "A0000001")
    copy = make_copy(make_record("水浒传"), "L0000001", status="on_loan")
    Loan.objects.create(
        copy=copy,
        reader=late,
        reader_kind="student",
        school_class=school_class,
        grade=3,
        checked_out_at=timezone.now() - timedelta(days=23),
        due_date=today - timedelta(days=9),
    )
    login(page, "librarian1")

    # The calendar: this term, then a holiday on the day a 14-day loan would fall due.
    page.goto(f"{live_server.url}/circulation/calendar/")
    page.get_by_role("link", name="新增学期").click()
    page.fill("input[name=name]", "本学期")
    page.fill("input[name=school_year]", str(today.year))
    page.select_option("select[name=number]", "1")
    page.fill("input[name=start]", (today - timedelta(days=60)).isoformat())
    page.fill("input[name=end]", (today + timedelta(days=120)).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("term-list")).to_contain_text("本学期")
    usual_due = due_date_for(today, 14)
    page.fill("input[name=closed-day]", usual_due.isoformat())
    page.fill("input[name=closed-reason]", "校庆")
    page.locator("form[action$='/closed/add/']").get_by_role("button", name="添加").click()
    expect(page.get_by_test_id("closed-days")).to_contain_text("校庆")

    # Circulation settings: books wait 5 days on the hold shelf.
    page.get_by_role("link", name="修改设置").click()
    page.fill("input[name=hold_days]", "5")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("预约保留天数：5")
    assert CirculationSettings.current().hold_days == 5

    # Loan rules: pupils pay ¥0.10 a day for overdue books.
    page.goto(f"{live_server.url}/circulation/policies/")
    page.get_by_role("link", name="学生").click()
    page.fill("input[name=fine_per_day]", "0.10")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("policy-list")).to_contain_text("0.10")

    # The desk: the due date skips the holiday; the late book costs 9 × ¥0.10.
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    code.fill(pupil.cards.get().number)
    code.press("Enter")
    code.fill("A0000001")
    code.press("Enter")
    expect(feedback).to_contain_text("已借出《小王子》")
    due = Loan.objects.get(copy__barcode="A0000001").due_date
    assert due > usual_due and due == due_date_for(today, 14)
    expect(feedback).to_contain_text(due.isoformat())

    page.keyboard.press("F3")
    code.fill("L0000001")
    code.press("Enter")
    expect(feedback).to_contain_text("逾期 9 天")
    expect(feedback).to_contain_text("逾期费 ¥0.90（未缴）")
    page.get_by_test_id("compensation-link").click()
    page.get_by_test_id("settle-button").click()
    expect(page.get_by_test_id("receipt-link")).to_be_visible()
    assert Compensation.objects.get().status == "paid"
