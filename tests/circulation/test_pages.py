"""Every circulation page renders for the role that uses it; mutating views: happy path, GET → 405,
domain error → message. That every role without the permission gets 403 (or the login page) on every
view, and changes nothing, is checked for all pages at once by tests/production/test_url_walk.py."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from circulation import services
from circulation.models import (
    ClosedDay,
    Compensation,
    Hold,
    LibraryCard,
    Loan,
    Reader,
    SchoolClass,
    Term,
)
from tests.circulation.conftest import aware, make_copy

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(setup, teacher, head_teacher):
    """A loan that is overdue today, a ready hold, an unpaid compensation."""
    s = setup
    services.loan_checkout(reader=s["reader"], copy_barcode="A0000001", by=s["by"], now=aware(date(2025, 10, 20)))
    hold = services.hold_place(record=s["record"], reader=teacher.reader, by=teacher, now=s["now"])
    lost = make_copy(barcode="L0000001")
    services.loan_checkout(reader=teacher.reader, copy_barcode="L0000001", by=s["by"], now=s["now"])
    comp = services.compensation_report(copy_barcode="L0000001", kind="lost", by=s["by"], now=s["now"])
    s.update(hold=hold, comp=comp, lost=lost, teacher=teacher, head=head_teacher)
    return s


def pages(s):
    reader, school_class = s["reader"], s["reader"].school_class
    return [
        reverse("circulation:desk"),
        reverse("circulation:desk") + f"?reader={reader.pk}",
        reverse("circulation:holds"),
        reverse("circulation:hold_slip", args=[s["hold"].pk]),
        reverse("circulation:readers"),
        reverse("circulation:readers") + "?q=张",
        reverse("circulation:reader_detail", args=[reader.pk]),
        reverse("circulation:card_print_reader", args=[reader.pk]),
        reverse("circulation:card_print_class", args=[school_class.pk]),
        reverse("circulation:coverage"),
        reverse("circulation:roster_import"),
        reverse("circulation:overdue"),
        reverse("circulation:overdue") + "?by=reader",
        reverse("circulation:overdue_class_print", args=[school_class.pk]),
        reverse("circulation:compensations"),
        reverse("circulation:compensation_detail", args=[s["comp"].pk]),
        reverse("circulation:session_start"),
        reverse("circulation:collective"),
        reverse("circulation:policies"),
        reverse("circulation:policy_new"),
        reverse("circulation:calendar"),
        reverse("circulation:term_new"),
        reverse("circulation:settings"),
        reverse("circulation:log"),
        reverse("circulation:rollover"),
    ]


def test_every_page_renders_for_the_librarian_and_is_closed_to_teachers(client, scene):
    client.force_login(scene["by"])
    for url in pages(scene):
        assert client.get(url).status_code == 200, url
    client.force_login(scene["teacher"])
    for url in pages(scene):
        assert client.get(url).status_code == 403, url
    client.logout()
    for url in pages(scene):
        assert client.get(url).status_code == 302, url


def test_overdue_list_and_reminder_slips_show_days(client, scene):
    client.force_login(scene["by"])
    body = client.get(reverse("circulation:overdue")).content.decode()
    assert "三年级(2)班" in body and "张小明" in body
    slips = client.get(reverse("circulation:overdue_class_print", args=[scene["reader"].school_class.pk]))
    assert "已逾期 9 天" in slips.content.decode()


def test_head_teacher_sees_own_class_overdue_only(client, scene, school_class):
    client.force_login(scene["head"])
    body = client.get(reverse("circulation:my_class_overdue")).content.decode()
    assert "张小明" in body
    other = SchoolClass.objects.create(entry_year=2022, number=1)
    assert client.get(reverse("circulation:overdue_class_print", args=[other.pk])).status_code == 403
    assert client.get(reverse("circulation:overdue_class_print", args=[school_class.pk])).status_code == 200
    client.force_login(scene["teacher"])  # heads no class
    assert client.get(reverse("circulation:my_class_overdue")).status_code == 403


def test_teacher_reserves_from_the_record_page_and_sees_it(client, setup, teacher):
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    # A second copy of the same title: the librarian confirmed the warning.
    services.loan_checkout(
        reader=setup["reader"], copy_barcode="A0000002", by=setup["by"], now=setup["now"], confirm=True
    )
    url = reverse("circulation:reserve", args=[setup["record"].pk])
    assert client.post(url).status_code == 302 and not Hold.objects.exists()  # anonymous → login
    client.force_login(teacher)
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "/my/"}, follow=True)
    assert "您排在第 1 位" in response.content.decode()
    response = client.post(url, {"next": "/my/"}, follow=True)
    assert "已预约过" in response.content.decode() and Hold.objects.count() == 1
    assert "小王子" in client.get(reverse("circulation:my_holds")).content.decode()
    hold = Hold.objects.get()
    client.post(reverse("circulation:hold_cancel", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.status == "cancelled"


def test_reserve_button_partial_renders_for_teachers_only(rf, setup, teacher, assistant):
    from django.contrib.auth.context_processors import PermWrapper
    from django.template.loader import render_to_string

    def render(user):
        request = rf.get("/")
        request.user = user
        return render_to_string(
            "circulation/_reserve_button.html",
            {"record": setup["record"], "user": user, "perms": PermWrapper(user), "request": request},
        )

    assert reverse("circulation:reserve", args=[setup["record"].pk]) in render(teacher)
    assert "reserve-button" not in render(assistant)


def test_teacher_cannot_reserve_on_behalf_of_others(client, setup, teacher):
    client.force_login(teacher)
    url = reverse("circulation:reserve", args=[setup["record"].pk])
    assert client.post(url, {"reader": "20230201"}).status_code == 403


def test_librarian_reserves_on_behalf_of_a_reader(client, setup):
    client.force_login(setup["by"])
    url = reverse("circulation:reserve", args=[setup["record"].pk])
    client.post(url, {"reader": "20230201"})
    assert Hold.objects.get().reader == setup["reader"]


def test_cancelling_someone_elses_hold_is_forbidden(client, scene, other_teacher):
    client.force_login(other_teacher)
    assert client.post(reverse("circulation:hold_cancel", args=[scene["hold"].pk])).status_code == 403


def test_card_views(client, setup, assistant):
    card = setup["reader"].cards.get()
    url = reverse("circulation:card_lost", args=[card.pk])
    assert client.post(url).status_code == 302
    client.force_login(assistant)
    assert client.post(url).status_code == 403
    client.force_login(setup["by"])
    assert client.get(url).status_code == 405
    client.post(url)
    card.refresh_from_db()
    assert card.status == "lost"
    response = client.post(url, follow=True)  # domain error: already lost
    assert "只有有效的借书证才能挂失" in response.content.decode()
    client.post(reverse("circulation:card_reissue", args=[card.pk]))
    assert LibraryCard.objects.filter(reader=setup["reader"], status="valid").count() == 1
    body = client.get(reverse("circulation:card_print_reader", args=[setup["reader"].pk])).content.decode()
    assert "<svg" in body and "张小明" in body


def test_compensation_report_settle_and_receipt(client, setup, assistant):
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    url = reverse("circulation:compensation_new")
    data = {"barcode": "A0000001", "kind": "lost", "reader": setup["reader"].pk}
    client.force_login(assistant)
    assert client.post(url, data).status_code == 403
    client.force_login(setup["by"])
    assert client.get(url).status_code == 405
    response = client.post(url, {**data, "barcode": "NOPE"}, follow=True)
    assert "不存在" in response.content.decode() and not Compensation.objects.exists()
    client.post(url, data)
    comp = Compensation.objects.get()
    assert comp.amount == Decimal("50.00")
    settle = reverse("circulation:compensation_settle", args=[comp.pk])
    response = client.post(settle, {"status": "paid", "paid_amount": "abc"}, follow=True)
    assert "不是有效的数字" in response.content.decode()
    client.post(settle, {"status": "paid", "paid_amount": "50"})
    comp.refresh_from_db()
    assert comp.status == "paid"
    receipt = client.get(reverse("circulation:compensation_receipt", args=[comp.pk])).content.decode()
    assert comp.receipt_number in receipt and "¥50.00" in receipt


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["学号", "姓名", "性别", "年级", "班级"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "roster.xlsx"
    return buf


def test_roster_template_downloads(client, librarian):
    client.force_login(librarian)
    response = client.get(reverse("circulation:roster_template"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]][:5] == ["学号", "姓名", "性别", "年级", "班级"]


def test_roster_import_is_all_or_nothing_and_reimport_updates(client, librarian, monkeypatch, today):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: today)
    client.force_login(librarian)
    url = reverse("circulation:roster_import")
    bad = client.post(url, {"file": _xlsx([["S1", "甲", "男", "三年级", "2"], ["S2", "", "女", "九年级", "x"]])})
    body = bad.content.decode()
    assert "第 3 行" in body and "姓名为空" in body and "年级“九年级”无法识别" in body
    assert client.post(reverse("circulation:roster_confirm")).status_code == 302
    assert not Reader.objects.exists()

    client.post(url, {"file": _xlsx([["S1", "甲", "男", "三年级", "2"], ["S2", "乙", "女", "4", "(1)班"]])})
    client.post(reverse("circulation:roster_confirm"), {"issue_cards": "1"})
    assert Reader.objects.count() == 2 and LibraryCard.objects.count() == 2
    s2 = Reader.objects.get(student_number="S2")
    assert s2.school_class.grade_on(today) == 4 and s2.school_class.number == 1

    preview = client.post(url, {"file": _xlsx([["S1", "甲改名", "男", "三年级", "3"]])}).content.decode()
    assert "更新 1 人" in preview
    client.post(reverse("circulation:roster_confirm"))
    s1 = Reader.objects.get(student_number="S1")
    assert Reader.objects.count() == 2 and s1.name == "甲改名" and s1.school_class.number == 3


def test_roster_rejects_a_non_excel_file(client, librarian):
    client.force_login(librarian)
    upload = io.BytesIO(b"not a spreadsheet")
    upload.name = "x.xlsx"
    body = client.post(reverse("circulation:roster_import"), {"file": upload}).content.decode()
    assert "无法读取这个文件" in body


def test_class_session_flow(client, setup, assistant):
    client.force_login(assistant)
    school_class = setup["reader"].school_class
    response = client.post(reverse("circulation:session_start"), {"school_class": school_class.pk})
    token = response["Location"].rstrip("/").split("/")[-1]
    scan = reverse("circulation:session_scan", args=[token])
    assert client.get(scan).status_code == 405
    card = setup["reader"].cards.get().number
    body = client.post(scan, {"code": card}).content.decode()
    assert "张小明" in body
    body = client.post(scan, {"code": "A0000001", "reader": setup["reader"].pk}).content.decode()
    assert "借出《小王子》" in body and "已借 1 册" in body
    summary = client.get(reverse("circulation:session_summary", args=[token])).content.decode()
    assert "本次共借出 1 册，1 人借书" in summary
    assert Loan.objects.get().desk.startswith("班级借阅")


def test_collective_loan_page(client, setup):
    client.force_login(setup["by"])
    school_class = setup["reader"].school_class
    url = reverse("circulation:collective")
    response = client.post(url, {"school_class": school_class.pk, "barcodes": "A0000001\nNOPE"}, follow=True)
    assert "NOPE" in response.content.decode() and not Loan.objects.exists()
    # The refused batch stays in the form, to correct the bad line instead of scanning all again.
    assert f'<option value="{school_class.pk}" selected>' in response.content.decode()
    assert ">A0000001\nNOPE</textarea>" in response.content.decode()
    client.post(url, {"school_class": school_class.pk, "barcodes": "A0000001\nA0000002"})
    assert Loan.objects.filter(is_collective=True, due_date=date(2026, 1, 20)).count() == 2


def test_class_pickers_list_the_classes_in_school_order(client, setup, school_class):
    import re

    for stage, entry_year, number in (("junior", 2025, 1), ("primary", 2024, 1), ("primary", 2023, 10)):
        SchoolClass.objects.create(stage=stage, entry_year=entry_year, number=number)
    client.force_login(setup["by"])
    expected = ["二年级(1)班", "三年级(2)班", "三年级(10)班", "初一(1)班"]  # not sorted as strings
    for url in (reverse("circulation:collective"), reverse("circulation:session_start")):
        body = client.get(url).content.decode()
        assert re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', body) == expected, url


def test_calendar_pages_add_closed_days(client, setup, assistant):
    url = reverse("circulation:day_add", args=["closed"])
    client.force_login(assistant)
    assert client.post(url).status_code == 403
    client.force_login(setup["by"])
    assert client.get(url).status_code == 405
    client.post(url, {"closed-day": "2025-12-01", "closed-until": "2025-12-03", "closed-reason": "运动会"})
    assert ClosedDay.objects.count() == 3
    response = client.post(url, {"closed-day": "2025-12-05", "closed-until": "2025-12-01"}, follow=True)
    assert "结束日期应在开始日期之后" in response.content.decode() and ClosedDay.objects.count() == 3


def test_term_form_refuses_overlaps(client, setup):
    client.force_login(setup["by"])
    response = client.post(
        reverse("circulation:term_new"),
        {"name": "2025—2026学年第二学期", "school_year": 2025, "number": 2, "start": "2026-01-10", "end": "2026-03-01"},
    )
    assert response.status_code == 200
    assert "与已有学期“2025—2026学年第一学期”的日期重叠" in response.content.decode()
    assert not Term.objects.filter(number=2).exists()


def test_rollover_page_lists_unreturned_books_then_runs(client, setup, monkeypatch):
    from django.utils import timezone

    six = SchoolClass.objects.create(entry_year=2019, number=1)  # graduates in 2025
    pupil = Reader.objects.create(name="毕业生", kind="student", school_class=six, student_number="G1")
    client.force_login(setup["by"])
    services.loan_checkout  # noqa: B018 - pupil has no card: give the loan directly
    Loan.objects.create(
        copy=setup["c3"], reader=pupil, reader_kind="student", checked_out_at=setup["now"], due_date=date(2025, 11, 26)
    )
    body = client.get(reverse("circulation:rollover")).content.decode()
    assert "毕业生" in body and "西游记" in body
    response = client.post(reverse("circulation:rollover"), follow=True)
    assert "未归还" in response.content.decode()
    Loan.objects.update(returned_at=timezone.now())
    client.post(reverse("circulation:rollover"))
    pupil.refresh_from_db()
    assert not pupil.is_active


def test_head_teacher_home_page_lists_the_class_overdue_books(client, scene):
    client.force_login(scene["head"])
    body = client.get(reverse("my_account")).content.decode()
    assert "三年级(2)班 · 逾期未还" in body and "张小明：《小王子》 逾期 9 天" in body


def test_librarian_adds_a_teacher_reader_linked_to_a_login(client, librarian, other_teacher, school_class):
    from tests.conftest import make_user

    account = make_user("newteacher", None)
    client.force_login(librarian)
    url = reverse("circulation:reader_new")
    response = client.post(url, {"kind": "student", "name": "无班级", "is_active": "on"})
    assert "必须选择班级" in response.content.decode() and not Reader.objects.filter(name="无班级").exists()
    response = client.post(url, {"kind": "teacher", "name": "孙老师", "username": "teacher2", "is_active": "on"})
    assert "已关联其他读者" in response.content.decode()
    client.post(
        url, {"kind": "teacher", "name": "孙老师", "student_number": "JS9", "username": "newteacher", "is_active": "on"}
    )
    reader = Reader.objects.get(name="孙老师")
    assert reader.user == account and reader.name_pinyin.startswith("sunlaoshi")


def test_expiring_holds_from_the_hold_page(client, scene, teacher):
    from datetime import timedelta

    from django.utils import timezone

    url = reverse("circulation:holds_expire")
    client.force_login(teacher)
    assert client.post(url).status_code == 403
    client.force_login(scene["by"])
    assert client.get(url).status_code == 405
    Hold.objects.filter(pk=scene["hold"].pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    response = client.post(url, follow=True)
    assert "已处理 1 条过期预约" in response.content.decode()
    assert Hold.objects.get(pk=scene["hold"].pk).status == "expired"


def test_rollover_command_dry_run_lists_unreturned_books(setup):
    from django.core.management import call_command

    six = SchoolClass.objects.create(entry_year=2019, number=1)
    pupil = Reader.objects.create(name="毕业生", kind="student", school_class=six, student_number="G1")
    Loan.objects.create(
        copy=setup["c3"], reader=pupil, reader_kind="student", checked_out_at=setup["now"], due_date=date(2025, 11, 26)
    )
    out = io.StringIO()
    call_command("school_year_rollover", "--dry-run", stdout=out)
    assert "1 graduating classes, 1 unreturned books" in out.getvalue() and "毕业生" in out.getvalue()
    six.refresh_from_db()
    assert six.is_active


def test_librarian_sets_a_head_teacher(client, librarian, teacher, school_class):
    client.force_login(librarian)
    url = reverse("circulation:class_edit", args=[school_class.pk])
    data = {"stage": "primary", "entry_year": 2023, "number": 2, "is_active": "on"}
    response = client.post(url, {**data, "head_teacher_username": "nobody"})
    assert "没有这个登录账号" in response.content.decode()
    client.post(url, {**data, "head_teacher_username": "teacher1"})
    school_class.refresh_from_db()
    assert school_class.head_teacher == teacher
    assert "王老师" in client.get(reverse("circulation:coverage")).content.decode()
    response = client.post(reverse("circulation:class_new"), data)
    assert "已经存在" in response.content.decode()
    assert SchoolClass.objects.count() == 1


def test_coverage_page_lists_a_class_without_a_head_teacher(client, librarian, school_class, student_reader):
    """A class made by the roster import has no head teacher yet: its row is blank there, no error."""
    client.force_login(librarian)
    body = client.get(reverse("circulation:coverage")).content.decode()
    assert ">三年级(2)班</a></td><td></td><td>1</td><td>1</td><td>100.0%</td>" in body


def test_coverage_totals_say_zero_percent_and_dash_apart(client, librarian, school_class):
    from tests.conftest import make_reader

    make_reader("李华", school_class=school_class, number="20230299", card=False)
    client.force_login(librarian)
    total = client.get(reverse("circulation:coverage")).content.decode()
    # One pupil without a card: 0.0 %, not "no figure"; no teachers at all: no figure.
    assert "全校学生：0 / 1，办证率 0.0%" in total and "教师：0 / 0，办证率 —" in total
