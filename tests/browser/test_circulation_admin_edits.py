"""The circulation edit pages a librarian uses between desk sessions, with the mistakes people
make on them: classes and their head teacher, a reader's class, 学号, login and status, terms,
closed days and 调休 open days, cards; a teacher's own holds, a hold placed for a pupil; and the
desk in English."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation import services
from circulation.models import ClosedDay, Hold, LibraryCard, Loan, OpenDay, Reader, SchoolClass, Term
from tests.browser.helpers import card_status
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def form_errors(page):
    """The validation messages crispy-forms shows: under a field, or above the form."""
    return page.locator(".invalid-feedback, .alert-danger")


# --- classes ---------------------------------------------------------------------------------


def test_librarian_creates_a_class_with_its_head_teacher(page, login, live_server, librarian, teacher):
    today = timezone.localdate()
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/classes/")
    page.get_by_role("link", name="新增班级").click()
    expect(page.get_by_role("heading", name="班级")).to_be_visible()
    page.get_by_label("学段").select_option(label="小学")
    page.get_by_label("入学年份").fill(str(today.year))
    page.get_by_label("班号").fill("3")

    # A typo in the head teacher's login: a clear message, the input kept, nothing saved.
    page.get_by_label("班主任登录账号").fill("teacher9")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text(["没有这个登录账号。"])
    expect(page.get_by_label("班主任登录账号")).to_have_value("teacher9")
    expect(page.get_by_label("班号")).to_have_value("3")
    assert not SchoolClass.objects.exists()

    page.get_by_label("班主任登录账号").fill("teacher1")
    page.get_by_role("button", name="保存").click()
    new = SchoolClass(stage="primary", entry_year=today.year, number=3)
    name = new.name_on(today)
    expect(page.get_by_role("alert")).to_contain_text(f"班级已保存：{name}")
    row = page.get_by_test_id("coverage-table").get_by_role("row").filter(has_text=name)
    expect(row.locator("td").nth(1)).to_have_text("王老师")
    saved = SchoolClass.objects.get()
    assert (saved.stage, saved.entry_year, saved.number, saved.head_teacher_id, saved.is_active) == (
        "primary",
        today.year,
        3,
        teacher.pk,
        True,
    )

    # The head teacher sees her class on her own page.
    page.context.clear_cookies()
    login(page, "teacher1")
    expect(page.get_by_test_id("my-classes")).to_have_text(name)


def test_librarian_edits_a_class_and_a_duplicate_is_refused(
    page, login, live_server, librarian, head_teacher, other_teacher, school_class
):
    today = timezone.localdate()
    SchoolClass.objects.create(entry_year=school_class.entry_year, number=3)
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/classes/")
    page.get_by_role("link", name=school_class.name_on(today), exact=True).click()
    expect(page.get_by_label("班主任登录账号")).to_have_value("headteacher1")
    expect(page.get_by_label("入学年份")).to_have_value(str(school_class.entry_year))

    # Renumbering class 2 as 3 clashes with the existing class 3: a message, not a 500.
    page.get_by_label("班号").fill("3")
    page.get_by_label("班主任登录账号").fill("teacher2")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page).first).to_be_visible()
    expect(form_errors(page)).to_contain_text(["包含 学段，入学年份 和 班号 的 班级 已经存在。"])
    expect(page.get_by_label("班号")).to_have_value("3")
    school_class.refresh_from_db()
    assert (school_class.number, school_class.head_teacher_id) == (2, head_teacher.pk)

    # Only the head teacher changes: saved.
    page.get_by_label("班号").fill("2")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text(f"班级已保存：{school_class.name_on(today)}")
    row = (
        page.get_by_test_id("coverage-table")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=school_class.name_on(today), exact=True))
    )
    expect(row.locator("td").nth(1)).to_have_text("赵老师")
    school_class.refresh_from_db()
    assert (school_class.number, school_class.head_teacher_id) == (2, other_teacher.pk)

    # Clearing the field leaves the class without a head teacher (the page still renders).
    page.get_by_role("link", name=school_class.name_on(today), exact=True).click()
    page.get_by_label("班主任登录账号").fill("")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("班级已保存")
    expect(row.locator("td").nth(1)).to_have_text("")
    school_class.refresh_from_db()
    assert school_class.head_teacher_id is None


def test_an_empty_class_number_is_refused(page, login, live_server, librarian):
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/classes/new/")
    page.get_by_label("入学年份").fill("2026")
    page.get_by_role("button", name="保存").click()
    # The browser stops the form: 班号 is required.
    expect(page.get_by_label("班号")).to_have_js_property("validity.valueMissing", True)
    expect(page).to_have_url(f"{live_server.url}/circulation/classes/new/")
    assert not SchoolClass.objects.exists()


# --- readers ---------------------------------------------------------------------------------


def test_librarian_moves_a_pupil_and_deactivates_another(page, login, live_server, librarian, school_class):
    today = timezone.localdate()
    other_class = SchoolClass.objects.create(entry_year=school_class.entry_year, number=5)
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    leaving = make_reader("李华", school_class=school_class, number="20230202")

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/{pupil.pk}/")
    page.get_by_role("link", name="修改").click()
    expect(page.get_by_label("姓名")).to_have_value("张小明")
    page.get_by_label("班级").select_option(label=other_class.name_on(today))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("读者已保存。")
    expect(page.get_by_test_id("reader-title")).to_have_text("张小明")
    expect(page.get_by_test_id("reader-name")).to_contain_text(other_class.name_on(today))
    pupil.refresh_from_db()
    assert (pupil.school_class_id, pupil.student_number, pupil.is_active) == (other_class.pk, "20230201", True)

    # 李华 left the school: unticking 有效 keeps her history but takes her off the lists.
    page.goto(f"{live_server.url}/circulation/readers/{leaving.pk}/edit/")
    page.get_by_label("有效").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("读者已保存。")
    expect(page.get_by_text("· 已停用")).to_be_visible()
    leaving.refresh_from_db()
    assert (leaving.is_active, leaving.school_class_id) == (False, school_class.pk)
    page.goto(f"{live_server.url}/circulation/readers/?class={school_class.pk}")
    expect(page.get_by_test_id("reader-list")).not_to_contain_text("李华")
    # A deactivated reader cannot be given a new card.
    page.goto(f"{live_server.url}/circulation/readers/{leaving.pk}/")
    expect(page.get_by_test_id("card-issue")).to_have_count(0)


def test_the_reader_search_keeps_the_class_filter(page, login, live_server, librarian, school_class):
    today = timezone.localdate()
    other_class = SchoolClass.objects.create(entry_year=school_class.entry_year, number=3)
    make_reader("张小明", school_class=school_class, number="20230201")
    make_reader("张小红", school_class=other_class, number="20230301")
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/")
    page.get_by_role("combobox", name="班级").select_option(label=other_class.name_on(today))
    page.get_by_role("textbox", name="搜索").fill("张")
    page.get_by_role("button", name="查询").click()
    listing = page.get_by_test_id("reader-list")
    expect(listing.get_by_role("link")).to_have_text(["张小红"])
    expect(page.get_by_role("combobox", name="班级")).to_have_value(str(other_class.pk))


def test_a_second_class_collective_reader_is_refused(page, login, live_server, librarian, school_class):
    Reader.objects.create(name="三(2)班集体", kind="collective", school_class=school_class)
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/new/")
    page.get_by_label("读者类型").select_option(label="班级集体")
    page.get_by_label("姓名").fill("图书角")
    page.get_by_label("班级").select_option(label=school_class.name_on(timezone.localdate()))
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_have_text(["该班级已有集体读者。"])
    expect(page.get_by_label("姓名")).to_have_value("图书角")
    assert list(Reader.objects.values_list("name", flat=True)) == ["三(2)班集体"]


def test_a_pupil_without_a_class_is_refused(page, login, live_server, librarian, school_class):
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/{pupil.pk}/edit/")
    page.get_by_label("班级").select_option(index=0)
    page.get_by_label("备注").fill("转学")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text(["学生和班级集体读者必须选择班级。"])
    expect(page.get_by_label("备注")).to_have_value("转学")
    pupil.refresh_from_db()
    assert (pupil.school_class_id, pupil.note) == (school_class.pk, "")


def test_a_duplicate_student_number_is_refused(page, login, live_server, librarian, school_class):
    make_reader("张小明", school_class=school_class, number="20230201")
    other = make_reader("李华", school_class=school_class, number="20230202")
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/{other.pk}/edit/")
    page.get_by_label("学号/工号").fill("20230201")
    page.get_by_label("姓名").fill("李华华")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text([re.compile("学号/工号.*已存在")])
    expect(page.get_by_label("学号/工号")).to_have_value("20230201")
    expect(page.get_by_label("姓名")).to_have_value("李华华")
    other.refresh_from_db()
    assert (other.student_number, other.name) == ("20230202", "李华")

    # A new reader with a taken 学号: refused too, and no reader is created.
    page.goto(f"{live_server.url}/circulation/readers/new/")
    page.get_by_label("读者类型").select_option(label="学生")
    page.get_by_label("姓名").fill("王芳")
    page.get_by_label("学号/工号").fill("20230202")
    page.get_by_label("班级").select_option(label=school_class.name_on(timezone.localdate()))
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text([re.compile("学号/工号.*已存在")])
    assert not Reader.objects.filter(name="王芳").exists()


def test_a_login_already_linked_to_another_reader_is_refused(
    page, login, live_server, librarian, teacher, other_teacher
):
    account = make_user("teacher5", None, first_name="孙老师")
    sun = make_reader("孙老师", kind="teacher", number="T0005")
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/{sun.pk}/edit/")
    page.get_by_label("登录账号（教师可填写用户名）").fill("teacher2")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text(["这个登录账号已关联其他读者。"])
    expect(page.get_by_label("登录账号（教师可填写用户名）")).to_have_value("teacher2")
    sun.refresh_from_db()
    assert sun.user_id is None
    assert Reader.objects.get(student_number="T0002").user_id == other_teacher.pk

    # An unknown login: its own message.
    page.get_by_label("登录账号（教师可填写用户名）").fill("nobody")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text(["没有这个登录账号。"])
    sun.refresh_from_db()
    assert sun.user_id is None

    # Her own, free login: linked.
    page.get_by_label("登录账号（教师可填写用户名）").fill("teacher5")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("读者已保存。")
    sun.refresh_from_db()
    assert sun.user_id == account.pk


# --- terms -----------------------------------------------------------------------------------


def test_terms_that_overlap_or_run_backwards_are_refused(page, login, live_server, librarian):
    Term.objects.create(
        name="2026—2027学年第一学期", school_year=2026, number=1, start=date(2026, 9, 1), end=date(2027, 1, 20)
    )
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/calendar/")
    page.get_by_role("link", name="新增学期").click()
    page.get_by_label("学期名称").fill("2026—2027学年第二学期")
    page.get_by_label("学年起始年份").fill("2026")
    page.get_by_label("学期序号").select_option(label="第二学期")
    page.get_by_label("开始日期").fill("2027-01-10")
    page.get_by_label("结束日期").fill("2027-07-05")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text(["与已有学期“2026—2027学年第一学期”的日期重叠。"])
    expect(page.get_by_label("开始日期")).to_have_value("2027-01-10")
    assert Term.objects.count() == 1

    # Start after end.
    page.get_by_label("开始日期").fill("2027-07-05")
    page.get_by_label("结束日期").fill("2027-02-20")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text(["开始日期不能晚于结束日期。"])
    assert Term.objects.count() == 1

    page.get_by_label("开始日期").fill("2027-02-20")
    page.get_by_label("结束日期").fill("2027-07-05")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("学期已保存。")
    terms = page.get_by_test_id("term-list")
    expect(terms.get_by_role("row").filter(has_text="第二学期")).to_contain_text("2027-02-20 — 2027-07-05")
    assert Term.objects.filter(name="2026—2027学年第二学期", start=date(2027, 2, 20)).exists()


def test_editing_a_term_into_another_is_refused(page, login, live_server, librarian):
    first = Term.objects.create(
        name="2026—2027学年第一学期", school_year=2026, number=1, start=date(2026, 9, 1), end=date(2027, 1, 20)
    )
    second = Term.objects.create(
        name="2026—2027学年第二学期", school_year=2026, number=2, start=date(2027, 2, 20), end=date(2027, 7, 5)
    )
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/calendar/")
    page.get_by_test_id("term-list").get_by_role("link", name=first.name).click()
    expect(page.get_by_label("结束日期")).to_have_value("2027-01-20")
    # Saving it unchanged is not an overlap with itself.
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("学期已保存。")

    page.get_by_test_id("term-list").get_by_role("link", name=first.name).click()
    page.get_by_label("结束日期").fill("2027-03-01")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page)).to_contain_text([f"与已有学期“{second.name}”的日期重叠。"])
    first.refresh_from_db()
    assert first.end == date(2027, 1, 20)

    # The same school year and number as the other term: a message, not a 500.
    page.get_by_label("结束日期").fill("2027-01-20")
    page.get_by_label("学期序号").select_option(label="第二学期")
    page.get_by_role("button", name="保存").click()
    expect(form_errors(page).first).to_be_visible()
    expect(form_errors(page)).to_contain_text(["包含 学年起始年份 和 学期序号 的 学期 已经存在。"])
    first.refresh_from_db()
    assert first.number == 1


# --- closed days and 调休 open days ---------------------------------------------------------


def test_librarian_adds_and_deletes_closed_days(page, login, live_server, librarian):
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/calendar/")
    form = page.get_by_test_id("closed-day-form")
    closed = page.get_by_test_id("closed-days")

    # 元旦: three days at once.
    form.get_by_label("日期", exact=False).first.fill("2027-01-01")
    form.get_by_label("至（可选，连续多天）").fill("2027-01-03")
    form.get_by_label("原因").fill("元旦")
    form.get_by_role("button", name="添加").click()
    expect(page.get_by_role("alert")).to_contain_text("已添加 3 天。")
    expect(closed.get_by_role("row")).to_have_count(3)
    for day in ("2027-01-01", "2027-01-02", "2027-01-03"):
        expect(closed.get_by_role("row").filter(has_text=day)).to_contain_text("元旦")
    assert list(ClosedDay.objects.values_list("day", "reason")) == [
        (date(2027, 1, 1), "元旦"),
        (date(2027, 1, 2), "元旦"),
        (date(2027, 1, 3), "元旦"),
    ]

    # The 3rd turns out to be a school day: delete it.
    closed.get_by_role("row").filter(has_text="2027-01-03").get_by_role("button", name="删除").click()
    expect(page.get_by_role("alert")).to_contain_text("已删除。")
    expect(closed.get_by_role("row")).to_have_count(2)
    expect(closed).not_to_contain_text("2027-01-03")
    assert list(ClosedDay.objects.values_list("day", flat=True)) == [date(2027, 1, 1), date(2027, 1, 2)]


def test_a_reversed_or_too_long_closed_range_is_refused(page, login, live_server, librarian):
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/calendar/")
    form = page.get_by_test_id("closed-day-form")
    day = form.get_by_label("日期", exact=False).first
    until = form.get_by_label("至（可选，连续多天）")
    reason = form.get_by_label("原因")

    # The end typed before the start: the message, and the dates kept for correcting.
    day.fill("2027-02-17")
    until.fill("2027-02-10")
    reason.fill("春节")
    form.get_by_role("button", name="添加").click()
    expect(form.locator(".alert-danger")).to_have_text("结束日期应在开始日期之后，且不超过 60 天。")
    expect(day).to_have_value("2027-02-17")
    expect(until).to_have_value("2027-02-10")
    expect(reason).to_have_value("春节")
    assert not ClosedDay.objects.exists()

    # The whole winter holiday is more than 60 days: refused, nothing added.
    day.fill("2027-01-10")
    until.fill("2027-03-20")
    form.get_by_role("button", name="添加").click()
    expect(form.locator(".alert-danger")).to_have_text("结束日期应在开始日期之后，且不超过 60 天。")
    expect(until).to_have_value("2027-03-20")
    expect(page.get_by_test_id("closed-days").get_by_role("row")).to_have_count(0)
    assert not ClosedDay.objects.exists()

    # Corrected: the holiday itself, 2027-02-10 .. 2027-02-17.
    day.fill("2027-02-10")
    until.fill("2027-02-17")
    form.get_by_role("button", name="添加").click()
    expect(page.get_by_role("alert")).to_contain_text("已添加 8 天。")
    expect(page.get_by_test_id("closed-days").get_by_role("row")).to_have_count(8)
    expect(page.get_by_test_id("closed-day-form").locator(".alert-danger")).to_have_count(0)
    assert ClosedDay.objects.filter(reason="春节").count() == 8

    # No date at all: the browser asks for one, nothing is sent.
    form = page.get_by_test_id("closed-day-form")
    form.get_by_label("至（可选，连续多天）").fill("2027-02-20")
    form.get_by_role("button", name="添加").click()
    expect(form.get_by_label("日期", exact=False).first).to_have_js_property("validity.valueMissing", True)
    assert ClosedDay.objects.count() == 8


def test_librarian_adds_and_deletes_a_working_weekend_day(page, login, live_server, librarian):
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/calendar/")
    form = page.get_by_test_id("open-day-form")
    # 2027-02-20 is a Saturday.
    form.get_by_label("日期", exact=False).first.fill("2027-02-20")
    form.get_by_label("原因").fill("春节调休")
    form.get_by_role("button", name="添加").click()
    expect(page.get_by_role("alert")).to_contain_text("已添加 1 天。")
    opened = page.get_by_test_id("open-days")
    expect(opened.get_by_role("row")).to_have_count(1)
    expect(opened).to_contain_text("2027-02-20")
    expect(opened).to_contain_text("春节调休")
    expect(page.get_by_test_id("closed-days").get_by_role("row")).to_have_count(0)
    assert list(OpenDay.objects.values_list("day", "reason")) == [(date(2027, 2, 20), "春节调休")]
    assert not ClosedDay.objects.exists()

    opened.get_by_role("button", name="删除").click()
    expect(page.get_by_role("alert")).to_contain_text("已删除。")
    expect(page.get_by_test_id("open-days").get_by_role("row")).to_have_count(0)
    assert not OpenDay.objects.exists()


# --- cards -----------------------------------------------------------------------------------


def test_librarian_cancels_a_card_and_issues_a_new_one(page, login, live_server, librarian, school_class):
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    other = make_reader("李华", school_class=school_class, number="20230202")
    old = pupil.cards.get().number
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/{pupil.pk}/")
    expect(card_status(page, old)).to_have_text("有效")
    page.get_by_test_id("card-cancel").click()
    expect(page.get_by_role("alert")).to_contain_text(f"借书证 {old}：已注销")
    expect(card_status(page, old)).to_have_text("已注销")
    expect(page.get_by_test_id("card-cancel")).to_have_count(0)
    card = LibraryCard.objects.get(number=old)
    assert (card.status, card.ended_at is not None) == ("cancelled", True)

    # A number already on 李华's card is refused; no card is made.
    page.get_by_role("textbox", name="证号").fill(other.cards.get().number)
    page.get_by_test_id("card-issue").click()
    expect(page.get_by_role("alert")).to_contain_text(f"证号“{other.cards.get().number}”已被使用。")
    assert pupil.cards.count() == 1

    # The number left empty: an automatic one.
    page.get_by_test_id("card-issue").click()
    new = f"D{pupil.pk:07d}"
    expect(page.get_by_role("alert")).to_contain_text(f"已办证，证号 {new}。")
    expect(card_status(page, new)).to_have_text("有效")
    expect(card_status(page, old)).to_have_text("已注销")
    expect(page.get_by_test_id("card-issue")).to_have_count(0)
    assert list(pupil.cards.order_by("pk").values_list("number", "status")) == [
        (old, "cancelled"),
        (new, "valid"),
    ]


# --- holds -----------------------------------------------------------------------------------


def test_teacher_reserves_sees_her_place_and_cancels(page, login, live_server, librarian, teacher, other_teacher):
    lending_term()
    record = make_record("草房子")
    make_copy(record, "C0000001")
    pupil = make_reader("张小明", school_class=SchoolClass.objects.create(entry_year=2023, number=2), number="1")
    services.loan_checkout(reader=pupil, copy_barcode="C0000001", by=librarian)
    first = services.hold_place(record=record, reader=other_teacher.reader, by=other_teacher)
    no_copies = make_record("稻草人")

    # A title the library does not lend: refused with the reason, no hold.
    login(page, "teacher1")
    page.goto(f"{live_server.url}/record/{no_copies.pk}/")
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_role("alert")).to_contain_text("《稻草人》没有可外借的馆藏，不能预约。")
    assert not Hold.objects.filter(reader=teacher.reader).exists()

    page.goto(f"{live_server.url}/record/{record.pk}/")
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_role("alert")).to_contain_text("已预约《草房子》，您排在第 2 位。")
    # The button now says she has reserved and her place; it is not offered twice (a second POST is
    # refused with 您已预约过, tests/circulation/test_pages.py).
    expect(page.get_by_test_id("reserved-state")).to_have_text("已预约，第 2 位")
    expect(page.get_by_test_id("reserve-button")).to_have_count(0)
    assert Hold.objects.filter(reader=teacher.reader).count() == 1

    # From her home page to her holds.
    page.get_by_role("link", name="我的借阅").click()
    expect(page.get_by_test_id("my-holds")).to_contain_text("草房子")
    page.get_by_test_id("my-holds-link").click()
    expect(page).to_have_url(f"{live_server.url}/circulation/my/holds/")
    holds = page.get_by_test_id("my-hold-list")
    row = holds.get_by_role("row").filter(has_text="草房子")
    expect(row).to_contain_text("排队中")
    expect(row).to_contain_text("第 2 位")

    # 赵老师 cancels hers: she moves up.
    services.hold_cancel(hold=first, by=other_teacher)
    page.reload()
    expect(row).to_contain_text("第 1 位")

    row.get_by_role("button", name="取消预约").click()
    expect(page.get_by_role("alert")).to_contain_text("已取消《草房子》的预约。")
    expect(page).to_have_url(f"{live_server.url}/circulation/my/holds/")
    expect(holds).to_contain_text("没有预约。")
    assert Hold.objects.get(reader=teacher.reader).status == Hold.Status.CANCELLED


def test_librarian_reserves_for_a_pupil(page, login, live_server, librarian, school_class):
    lending_term()
    record = make_record("草房子")
    make_copy(record, "C0000001")
    borrower = make_reader("王芳", school_class=school_class, number="20230105")
    services.loan_checkout(reader=borrower, copy_barcode="C0000001", by=librarian)
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    make_reader("张小红", school_class=school_class, number="20230202")

    login(page, "librarian1")
    page.goto(f"{live_server.url}/record/{record.pk}/")
    form = page.get_by_test_id("reserve-form")
    reader_box = form.get_by_role("textbox", name="代读者预约：证号或学号")

    # "张小" fits two pupils, an unknown number fits nobody: a clear message, no hold.
    reader_box.fill("张小")
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_role("alert")).to_contain_text("请准确填写读者的借书证号或学号（找到 2 位读者）。")
    expect(page).to_have_url(f"{live_server.url}/record/{record.pk}/")
    page.get_by_test_id("reserve-form").get_by_role("textbox").fill("99999999")
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_role("alert")).to_contain_text("（找到 0 位读者）")
    assert not Hold.objects.exists()

    # By 学号: the hold is the pupil's, placed by the librarian; the message names the pupil.
    page.get_by_test_id("reserve-form").get_by_role("textbox").fill("20230201")
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_role("alert")).to_contain_text("已为 张小明 预约《草房子》，排在第 1 位。")
    hold = Hold.objects.get()
    assert (hold.reader_id, hold.placed_by_id, hold.status) == (pupil.pk, librarian.pk, "waiting")

    # By card number, for the pupil who has the book: refused with the reason.
    page.get_by_test_id("reserve-form").get_by_role("textbox").fill(borrower.cards.get().number)
    page.get_by_test_id("reserve-button").click()
    expect(page.get_by_role("alert")).to_contain_text("正在借阅《草房子》，不需要预约。")
    assert Hold.objects.count() == 1

    page.goto(f"{live_server.url}/circulation/holds/")
    expect(page.get_by_test_id("hold-queue").get_by_role("row").filter(has_text="草房子")).to_contain_text("张小明")


# --- the desk in English -------------------------------------------------------------------


def test_the_desk_speaks_english_after_the_switch(page, login, live_server, librarian, school_class):
    lending_term()
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    make_copy(make_record("小王子"), "A0000001")
    due = timezone.localdate() + timedelta(days=14)

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/desk/")
    expect(page.get_by_test_id("desk-title")).to_have_text("流通台")
    page.get_by_role("combobox", name="语言").select_option("en")
    expect(page.get_by_test_id("desk-title")).to_have_text("Circulation desk")
    expect(page).to_have_url(f"{live_server.url}/circulation/desk/")

    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    code.fill(pupil.cards.get().number)
    code.press("Enter")
    expect(page.get_by_test_id("reader-name")).to_contain_text("张小明")
    expect(feedback).to_contain_text("Reader: 张小明")
    code.fill("A0000001")
    code.press("Enter")
    expect(feedback).to_contain_text("Lent “小王子”")
    expect(feedback).not_to_contain_text("已借出")
    # A wrong barcode: the refusal is in English too.
    code.fill("NOPE0001")
    code.press("Enter")
    expect(feedback).not_to_contain_text("Lent")
    expect(feedback).not_to_contain_text(re.compile("[\u4e00-\u9fff]{2}"))
    assert Loan.objects.get(reader=pupil).due_date <= due

    page.get_by_role("combobox", name="Language").select_option("zh-hans")
    expect(page.get_by_test_id("desk-title")).to_have_text("流通台")
