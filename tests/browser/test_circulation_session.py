"""A student library assistant runs a class borrowing session: card, book, card, book."""

import pytest
from playwright.sync_api import expect

from circulation.models import Loan
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_assistant_runs_a_class_borrowing_session(page, login, live_server, assistant, school_class):
    lending_term()
    pupils = [
        make_reader(name, school_class=school_class, number=f"2023020{i}")
        for i, name in enumerate(["甲同学", "乙同学", "丙同学"], 1)
    ]
    for i in range(3):
        make_copy(make_record(f"绘本{i}"), f"B000000{i}")

    login(page, "assistant1")
    expect(page.get_by_test_id("desk-title")).to_be_visible()  # the assistant's home is the desk
    page.goto(f"{live_server.url}/circulation/session/")
    page.get_by_test_id("session-class").select_option(str(school_class.pk))
    page.get_by_test_id("session-start").click()
    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    for i, pupil in enumerate(pupils[:2]):
        code.fill(pupil.cards.get().number)
        code.press("Enter")
        expect(feedback).to_contain_text(pupil.name)
        code.fill(f"B000000{i}")
        code.press("Enter")
        expect(feedback).to_contain_text(f"借出《绘本{i}》")
    expect(page.get_by_test_id("session-count")).to_contain_text("已借 2 册")
    code.fill("B0000000")  # already lent in this session
    code.press("Enter")
    expect(feedback).to_contain_text("拒借")
    page.get_by_test_id("session-end").click()
    expect(page.get_by_test_id("session-summary")).to_contain_text("本次共借出 2 册，2 人借书，拒借 1 次")
    expect(page.locator("body")).to_contain_text("丙同学")  # did not borrow
    assert Loan.objects.filter(reader__school_class=school_class).count() == 2
