"""A grade-1 pupil without a library card borrows in a class session: picked from the class list
with the keyboard, or by 学号."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.models import Loan, SchoolClass, school_year_of
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_grade_one_pupils_without_cards_borrow_in_a_class_session(page, login, live_server, assistant):
    lending_term()
    grade_one = SchoolClass.objects.create(stage="primary", entry_year=school_year_of(timezone.localdate()), number=1)
    first = make_reader("安安", school_class=grade_one, number="20260101", card=False)
    second = make_reader("贝贝", school_class=grade_one, number="20260102", card=False)
    make_copy(make_record("猜猜我有多爱你"), "B0000001")
    make_copy(make_record("好饿的毛毛虫"), "B0000002")

    login(page, "assistant1")
    page.goto(f"{live_server.url}/circulation/session/")
    page.get_by_test_id("session-class").select_option(str(grade_one.pk))
    page.get_by_test_id("session-start").click()
    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    expect(page.get_by_test_id("class-grid")).to_contain_text("无证")

    # From the scanner field, ↓ enters the class list, → moves to the next name, Enter picks.
    code.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id(f"pupil-{second.pk}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(feedback).to_contain_text("读者：贝贝，请扫描图书")
    expect(code).to_be_focused()
    code.type("B0000001\n")
    expect(feedback).to_contain_text("贝贝 借出《猜猜我有多爱你》")

    # By 学号.
    code.type("20260101\n")
    expect(feedback).to_contain_text("读者：安安")
    code.type("B0000002\n")
    expect(feedback).to_contain_text("安安 借出《好饿的毛毛虫》")
    expect(page.get_by_test_id("session-count")).to_contain_text("已借 2 册")

    page.get_by_test_id("session-end").click()
    expect(page.get_by_test_id("session-summary")).to_contain_text("本次共借出 2 册，2 人借书，拒借 0 次")
    assert dict(Loan.objects.values_list("reader__name", "copy__barcode")) == {"贝贝": "B0000001", "安安": "B0000002"}
    assert first.cards.count() == 0 and second.cards.count() == 0
