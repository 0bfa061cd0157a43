"""Reader administration as the librarian does it at the start of a school year: import the
class roster from Excel (a faulty file first), issue cards to the whole class from the 办证率
page and print them, then add a teacher by hand and take her card through 挂失 and 补办."""

import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect

from circulation.models import LibraryCard, Reader, SchoolClass
from circulation.naming import grade_name
from library import roles
from tests.browser.helpers import card_status
from tests.conftest import make_reader, make_user

pytestmark = pytest.mark.django_db(transaction=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The headers of the downloadable template (学段 may be left out; it defaults to 小学).
HEADERS = ["学号", "姓名", "性别", "年级", "班级", "学段"]


def roster_file(name: str, rows: list[list[str]]) -> dict:
    """An .xlsx roster built in memory, in the shape Playwright's set_input_files accepts."""
    wb = Workbook()
    ws = wb.active
    ws.title = "学生名单"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return {"name": name, "mimeType": XLSX, "buffer": buf.getvalue()}


def coverage_cells(page, class_name: str):
    """The cells of one class's row on the 办证率 page: name, head teacher, pupils, with card, rate."""
    row = (
        page.get_by_test_id("coverage-table")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=class_name, exact=True))
    )
    return row.locator("td")


def test_librarian_imports_a_roster_and_issues_the_class_cards(page, login, live_server, librarian, school_class):
    today = timezone.localdate()
    class_name = school_class.name_on(today)  # e.g. 四年级(2)班: the grade follows the real date
    grade = grade_name("primary", school_class.grade_on(today))
    # Last year's class 1 of the same cohort: 王芳 is moving from it to class 2, and has a card.
    old_class = SchoolClass.objects.create(entry_year=school_class.entry_year, number=1)
    moving = make_reader("王芳", school_class=old_class, number="20230105")
    moving.gender = "F"
    moving.save(update_fields=["gender"])

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/")
    page.get_by_role("link", name="导入学生名单").click()
    expect(page.get_by_role("heading", name="导入学生名单")).to_be_visible()
    upload = page.get_by_test_id("roster-upload")

    # First attempt: the head teacher's file has two bad rows. Each is reported, nothing is imported.
    upload.get_by_label("Excel 文件").set_input_files(
        roster_file(
            "四年级二班.xlsx",
            [
                ["20230201", "张小明", "男", grade, "2", "小学"],
                ["20230202", "", "男生", grade, "2", "小学"],
                ["20230203", "陈静", "女", "七年级", "二班", "小学"],
            ],
        )
    )
    upload.get_by_role("button", name="上传并预览").click()
    errors = page.get_by_test_id("roster-errors")
    expect(errors).to_contain_text("名单有错误，未导入任何数据")
    expect(errors.locator("li")).to_have_text(
        [
            "第 3 行：姓名为空；性别应为“男”或“女”",
            "第 4 行：年级“七年级”无法识别；班级“二班”无法识别，请填写班号，如 2",
        ]
    )
    expect(page.get_by_test_id("roster-confirm")).to_have_count(0)
    assert list(Reader.objects.values_list("name", flat=True)) == ["王芳"]

    # The corrected file: two new pupils, and 王芳 moves into the class.
    upload.get_by_label("Excel 文件").set_input_files(
        roster_file(
            "四年级二班（改）.xlsx",
            [
                ["20230201", "张小明", "男", grade, "2", "小学"],
                ["20230202", "李华", "男", grade, "2班", "小学"],
                ["20230105", "王芳", "女", grade, "(2)班", ""],
            ],
        )
    )
    upload.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("roster-ok")).to_have_text("检查通过：新增 2 人，更新 1 人，无变化 0 人。")
    expect(page.get_by_test_id("roster-errors")).to_have_count(0)
    preview = page.get_by_role("table")
    expect(preview.get_by_role("row").filter(has_text="张小明")).to_contain_text("新增")
    expect(preview.get_by_role("row").filter(has_text="王芳")).to_contain_text("更新")
    # Cards will be issued for the whole class from the 办证率 page, not during the import.
    page.get_by_label("为没有借书证的学生自动办证").uncheck()
    page.get_by_test_id("roster-confirm").click()

    expect(page.get_by_role("alert")).to_contain_text("导入完成：新增 2 人，更新 1 人，无变化 0 人，新办借书证 0 张。")
    listing = page.get_by_test_id("reader-list")
    for name in ("张小明", "李华", "王芳"):
        expect(listing.get_by_role("row").filter(has_text=name)).to_contain_text(class_name)
    pupils = Reader.objects.filter(kind="student").order_by("student_number")
    assert [(r.student_number, r.name, r.gender, r.school_class_id) for r in pupils] == [
        ("20230105", "王芳", "F", school_class.pk),
        ("20230201", "张小明", "M", school_class.pk),
        ("20230202", "李华", "M", school_class.pk),
    ]
    assert list(LibraryCard.objects.values_list("reader__name", flat=True)) == ["王芳"]

    # 办证率: one pupil of three holds a card; the librarian issues the missing ones.
    page.get_by_role("link", name="办证率与借书证打印").click()
    cells = coverage_cells(page, class_name)
    expect(cells.nth(2)).to_have_text("3")
    expect(cells.nth(3)).to_have_text("1")
    expect(cells.nth(4)).to_have_text("33.3%")
    expect(page.get_by_test_id("coverage-total")).to_contain_text("全校学生：1 / 3，办证率 33.3%")
    cells.get_by_role("button", name="为未办证学生办证").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已为 {class_name} 新办 2 张借书证。")
    cells = coverage_cells(page, class_name)
    expect(cells.nth(3)).to_have_text("3")
    expect(cells.nth(4)).to_have_text("100.0%")
    expect(cells.get_by_role("button", name="为未办证学生办证")).to_have_count(0)
    expect(page.get_by_test_id("coverage-total")).to_contain_text("全校学生：3 / 3，办证率 100.0%")
    new_pupils = Reader.objects.filter(student_number__in=["20230201", "20230202"])
    assert sorted(LibraryCard.objects.filter(reader__in=new_pupils).values_list("number", "status")) == [
        (f"D{r.pk:07d}", "valid") for r in new_pupils.order_by("pk")
    ]

    # The class's cards print in a new tab, in 学号 order, each with its barcode.
    with page.context.expect_page() as popup:
        cells.get_by_role("link", name="打印本班借书证").click()
    sheet = popup.value
    sheet.wait_for_load_state()
    cards = sheet.get_by_test_id("library-card")
    expect(cards).to_have_count(3)
    expect(cards.locator(".name")).to_have_text(["王芳", "张小明", "李华"])
    expect(cards.first).to_contain_text(f"{class_name} · 20230105")
    expect(cards.locator("svg")).to_have_count(3)
    sheet.close()


def test_librarian_adds_a_teacher_and_replaces_her_lost_card(page, login, live_server, librarian):
    account = make_user("teacher3", roles.TEACHER, first_name="刘老师")

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/")
    page.get_by_role("link", name="新增读者").click()
    expect(page.get_by_role("heading", name="读者信息")).to_be_visible()
    page.get_by_label("读者类型").select_option(label="教师")
    page.get_by_label("姓名").fill("刘老师")
    page.get_by_label("学号/工号").fill("T0100")
    page.get_by_label("性别").select_option(label="女")
    page.get_by_label("登录账号（教师可填写用户名）").fill("teacher3")
    page.get_by_role("button", name="保存").click()

    # Saved: the browser lands on her reader page, which has no card yet.
    expect(page.get_by_role("alert")).to_contain_text("读者已保存。")
    expect(page.get_by_test_id("reader-title")).to_have_text("刘老师")
    expect(page.get_by_test_id("reader-cards")).to_contain_text("尚未办证。")
    teacher = Reader.objects.get(student_number="T0100")
    assert (teacher.kind, teacher.name, teacher.gender, teacher.school_class_id, teacher.is_active) == (
        "teacher",
        "刘老师",
        "F",
        None,
        True,
    )
    assert User.objects.get(pk=account.pk).reader == teacher
    assert page.url == f"{live_server.url}/circulation/readers/{teacher.pk}/"

    # 办证 with an automatic number.
    first = f"D{teacher.pk:07d}"
    page.get_by_test_id("card-issue").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已办证，证号 {first}。")
    expect(card_status(page, first)).to_have_text("有效")
    expect(page.get_by_test_id("card-issue")).to_have_count(0)

    # She lost it: 挂失 stops it; the page then offers 补办, not a second card.
    page.get_by_test_id("card-lost").click()
    expect(page.get_by_role("alert")).to_contain_text(f"借书证 {first}：挂失")
    expect(card_status(page, first)).to_have_text("挂失")
    expect(page.get_by_test_id("card-lost")).to_have_count(0)
    expect(page.get_by_test_id("card-issue")).to_have_count(0)
    lost = LibraryCard.objects.get(number=first)
    assert (lost.status, lost.ended_at is not None) == ("lost", True)

    # 补办: a new number; the lost card is kept in her history as replaced.
    second = f"{first}-2"
    page.get_by_test_id("card-reissue").click()
    expect(page.get_by_role("alert")).to_contain_text(f"借书证 {second}：有效")
    expect(card_status(page, second)).to_have_text("有效")
    expect(card_status(page, first)).to_have_text("已补办")
    expect(page.get_by_test_id("card-reissue")).to_have_count(0)
    expect(page.get_by_test_id("card-lost")).to_have_count(1)
    assert list(teacher.cards.order_by("pk").values_list("number", "status", "issued_by__username")) == [
        (first, "replaced", "librarian1"),
        (second, "valid", "librarian1"),
    ]

    # The teachers' 办证率 counts her again.
    page.goto(f"{live_server.url}/circulation/classes/")
    expect(page.get_by_test_id("coverage-total")).to_contain_text("教师：1 / 1，办证率 100.0%")
