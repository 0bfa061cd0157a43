import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_teacher_logs_in_and_lands_on_my_loans(page, login, teacher):
    login(page, "teacher1")
    expect(page.get_by_test_id("home-title")).to_have_text("我的借阅")
    expect(page.get_by_test_id("current-user")).to_contain_text("教师")
