"""Every role logs in through the real form and lands on its own home page."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_administrator_logs_in_and_sees_the_dashboard_and_back_office(page, login, admin):
    login(page, "admin1")
    expect(page.get_by_test_id("home-title")).to_have_text("工作台")
    expect(page.get_by_role("link", name="后台管理")).to_be_visible()


def test_librarian_logs_in_and_sees_the_dashboard(page, login, librarian):
    login(page, "librarian1")
    expect(page.get_by_test_id("home-title")).to_have_text("工作台")
    expect(page.get_by_test_id("current-user")).to_contain_text("图书管理员")
    expect(page.get_by_role("link", name="后台管理")).to_have_count(0)


def test_student_assistant_logs_in_and_lands_on_the_desk(page, login, assistant, live_server):
    login(page, "assistant1")
    assert page.url.startswith(f"{live_server.url}/circulation/desk")
    expect(page.get_by_test_id("current-user")).to_contain_text("学生图书管理员")


def test_teacher_logs_in_and_lands_on_my_loans(page, login, teacher):
    login(page, "teacher1")
    expect(page.get_by_test_id("home-title")).to_have_text("我的借阅")
    expect(page.get_by_test_id("current-user")).to_contain_text("教师")


def test_head_teacher_sees_their_class_on_the_home_page(page, login, head_teacher):
    login(page, "headteacher1")
    expect(page.get_by_test_id("my-classes")).to_contain_text("班")


def test_visitor_switches_the_interface_to_english_and_back(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("登录书香图书馆")
    page.select_option("select[name=language]", "en")
    expect(page.locator("h1")).to_have_text("Sign in to Shuxiang Library")
    page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录书香图书馆")
