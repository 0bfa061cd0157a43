"""The circulation management pages: a class book corner's collective loan, the hold shelf, the
compensation list, the circulation log, the head teacher's overdue list, the school-year rollover."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Copy, CopyStatus
from circulation import services
from circulation.models import Hold, LibraryCard, Loan, Reader, SchoolClass, school_year_of
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_librarian_lends_to_a_class_and_manages_holds_compensations_and_the_log(
    page, login, live_server, librarian, teacher, other_teacher, school_class
):
    today = timezone.localdate()
    term = lending_term()
    class_name = school_class.name_on(today)
    make_copy(make_record("十万个为什么"), "C0000001")
    make_copy(make_record("安徒生童话"), "C0000002")
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    other = make_reader("李华", school_class=school_class, number="20230202")
    # A ready hold (a copy on the shelf is kept for 王老师) and a waiting one (the only copy is out).
    journey = make_record("西游记")
    make_copy(journey, "H0000001")
    ready = services.hold_place(record=journey, reader=teacher.reader, by=librarian)
    outlaws = make_record("水浒传")
    make_copy(outlaws, "H0000002")
    services.loan_checkout(reader=other, copy_barcode="H0000002")
    waiting = services.hold_place(record=outlaws, reader=other_teacher.reader, by=librarian)
    assert (ready.status, waiting.status) == (Hold.Status.READY, Hold.Status.WAITING)
    # An unpaid compensation (a lost book) and a paid one (a soiled book, back on the shelf).
    make_copy(make_record("三国演义"), "P0000001")
    make_copy(make_record("红楼梦", price="30.00"), "P0000002")
    services.loan_checkout(reader=pupil, copy_barcode="P0000001")
    services.loan_checkout(reader=other, copy_barcode="P0000002")
    unpaid = services.compensation_report(copy_barcode="P0000001", kind="lost", by=librarian)
    paid = services.compensation_report(copy_barcode="P0000002", kind="soiled", copy_action="shelf", by=librarian)
    services.compensation_settle(compensation=paid, status="paid", by=librarian)

    login(page, "librarian1")
    alerts = page.get_by_role("alert")

    # Collective loan: one unknown barcode in the batch, and nothing is lent.
    page.goto(f"{live_server.url}/circulation/collective/")
    form = page.get_by_test_id("collective-form")
    picker = form.get_by_role("combobox", name="班级")
    barcodes = form.get_by_role("textbox", name="图书条码")
    picker.select_option(label=class_name)
    barcodes.fill("C0000001\nNOPE0001")
    form.get_by_role("button", name="借给班级").click()
    expect(alerts).to_contain_text("集体借阅未办理，以下图书有问题：NOPE0001：条码“NOPE0001”不存在，请检查是否扫错。")
    expect(page.get_by_test_id("collective-loans")).to_contain_text("没有借出中的集体借阅。")
    assert not Loan.objects.filter(is_collective=True).exists()
    assert not Reader.objects.filter(kind="collective").exists()
    assert Copy.objects.get(barcode="C0000001").status == CopyStatus.ON_SHELF
    # The batch is still in the form: correct the bad line and lend again.
    expect(picker).to_have_value(str(school_class.pk))
    expect(barcodes).to_have_value("C0000001\nNOPE0001")
    barcodes.fill("C0000001\nC0000002")
    form.get_by_role("button", name="借给班级").click()
    expect(alerts).to_contain_text(f"已借给{class_name} 2 册，应还日期 {term.end.isoformat()}。")
    corner = page.get_by_test_id("collective-loans")
    for barcode, title in (("C0000001", "十万个为什么"), ("C0000002", "安徒生童话")):
        expect(corner.get_by_role("row").filter(has_text=barcode)).to_contain_text(title)
    expect(corner).to_contain_text(term.end.isoformat())
    loans = Loan.objects.filter(copy__barcode__in=["C0000001", "C0000002"]).select_related("reader")
    assert len(loans) == 2
    for loan in loans:
        assert loan.is_collective and loan.due_date == term.end and loan.returned_at is None
        assert (loan.reader.kind, loan.reader.school_class_id) == ("collective", school_class.pk)
        assert (loan.school_class_id, loan.checked_out_by_id, loan.desk) == (school_class.pk, librarian.pk, "总台")

    # The hold shelf: 王老师's book waits there, 赵老师 is in the queue; the queued hold is cancelled.
    page.goto(f"{live_server.url}/circulation/holds/")
    shelf = page.get_by_test_id("hold-shelf")
    queue = page.get_by_test_id("hold-queue")
    expect(shelf.get_by_role("row").filter(has_text="王老师")).to_contain_text("西游记")
    expect(shelf).to_contain_text("H0000001")
    queued = queue.get_by_role("row").filter(has_text="水浒传")
    expect(queued).to_contain_text("赵老师")
    queued.get_by_role("button", name="取消").click()
    expect(alerts).to_contain_text("已取消《水浒传》的预约。")
    expect(queue).to_contain_text("没有排队的预约。")
    expect(shelf).to_contain_text("王老师")
    assert Hold.objects.get(pk=waiting.pk).status == Hold.Status.CANCELLED
    assert Hold.objects.get(pk=ready.pk).status == Hold.Status.READY
    # The hold slip to put in the book opens in a new tab.
    with page.context.expect_page() as popup:
        shelf.get_by_role("link", name="预约条").click()
    slip_page = popup.value
    slip_page.wait_for_load_state()
    slip = slip_page.get_by_test_id("hold-slip")
    expect(slip).to_contain_text("王老师")
    expect(slip).to_contain_text("《西游记》")
    expect(slip).to_contain_text("H0000001")
    slip_page.close()

    # Compensations: unpaid ones by default, the status buttons filter.
    page.goto(f"{live_server.url}/circulation/compensations/")
    listing = page.get_by_test_id("compensation-list")
    expect(listing.get_by_role("row").filter(has_text="三国演义")).to_contain_text("¥50.00")
    expect(listing).not_to_contain_text("红楼梦")
    page.get_by_role("link", name="已赔款", exact=True).click()
    expect(listing.get_by_role("row").filter(has_text="红楼梦")).to_contain_text("¥15.00")
    expect(listing).to_contain_text("李华")
    expect(listing).not_to_contain_text("三国演义")
    page.get_by_role("link", name="全部", exact=True).click()
    expect(listing).to_contain_text("三国演义")
    expect(listing).to_contain_text("红楼梦")
    page.get_by_role("link", name="未处理", exact=True).click()
    expect(listing).not_to_contain_text("红楼梦")
    listing.get_by_role("row").filter(has_text="三国演义").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/circulation/compensations/{unpaid.pk}/")
    expect(page.get_by_test_id("compensation")).to_contain_text("张小明")
    expect(page.get_by_test_id("compensation")).to_contain_text("《三国演义》 P0000001")
    expect(page.get_by_test_id("compensation-amount")).to_have_text("¥50.00")
    expect(page.get_by_test_id("settle-form")).to_be_visible()

    # The circulation log, filtered by action: who did it, at which desk.
    page.goto(f"{live_server.url}/circulation/log/")
    log = page.get_by_test_id("event-log")
    action = page.get_by_role("combobox", name="操作")
    action.select_option(label="借出")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(f"{live_server.url}/circulation/log/?action=checkout")
    # The two collective loans and the three loans of the set-up; no other action.
    expect(log.locator("tbody tr")).to_have_count(5)
    for barcode in ("C0000001", "C0000002"):
        row = log.get_by_role("row").filter(has_text=barcode)
        expect(row).to_contain_text(f"{class_name}图书角")
        expect(row).to_contain_text("李老师")
        expect(row).to_contain_text("总台")
    expect(log).not_to_contain_text("取消预约")
    action.select_option(label="取消预约")
    page.get_by_role("button", name="筛选").click()
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log.get_by_role("row").filter(has_text="赵老师")).to_contain_text("水浒传")
    expect(log.get_by_role("row").filter(has_text="赵老师")).to_contain_text("李老师")


def test_head_teacher_sees_the_class_overdue_books_and_prints_reminders(
    page, login, live_server, head_teacher, school_class
):
    today = timezone.localdate()
    other_class = SchoolClass.objects.create(entry_year=school_class.entry_year - 1, number=1)

    def lend(reader, barcode, title, due):
        copy = make_copy(make_record(title), barcode, status="on_loan")
        Loan.objects.create(
            copy=copy,
            reader=reader,
            reader_kind="student",
            school_class=reader.school_class,
            grade=reader.school_class.grade_on(today),
            checked_out_at=timezone.now() - timedelta(days=20),
            due_date=due,
        )

    lend(
        make_reader("李华", school_class=school_class, number="20230202"),
        "O0000001",
        "水浒传",
        today - timedelta(days=5),
    )
    lend(
        make_reader("张小明", school_class=school_class, number="20230201"),
        "O0000002",
        "小王子",
        today + timedelta(days=3),
    )
    lend(
        make_reader("王芳", school_class=other_class, number="20220101"),
        "O0000003",
        "红楼梦",
        today - timedelta(days=8),
    )

    login(page, "headteacher1")
    page.get_by_test_id("my-class-overdue-link").click()
    expect(page.get_by_test_id("my-class-name")).to_have_text(school_class.name_on(today))
    late = page.get_by_role("row").filter(has_text="李华")
    expect(late.get_by_role("cell")).to_have_text(
        ["20230202", "李华", "水浒传", "O0000001", (today - timedelta(days=5)).isoformat(), "5"]
    )
    # Only overdue books, and only of the head teacher's own class.
    expect(page.get_by_role("main")).not_to_contain_text("张小明")
    expect(page.get_by_role("main")).not_to_contain_text("王芳")

    # The reminder slips (催还单) open in a new tab, one per pupil.
    with page.context.expect_page() as popup:
        page.get_by_role("link", name="打印催还单").click()
    slips_page = popup.value
    slips_page.wait_for_load_state()
    slips = slips_page.get_by_test_id("reminder-slip")
    expect(slips).to_have_count(1)
    expect(slips).to_contain_text(f"{school_class.name_on(today)} 李华 同学")
    expect(slips).to_contain_text("《水浒传》（O0000001）")
    expect(slips).to_contain_text("已逾期 5 天")


def test_school_year_rollover_waits_for_the_books_then_graduates_the_leavers(
    page, login, live_server, librarian, school_class
):
    today = timezone.localdate()
    year = school_year_of(today)
    lending_term()
    # A primary class that finished its sixth grade: it graduates in this rollover.
    leaving = SchoolClass.objects.create(entry_year=year - 6, number=1)
    leaver = make_reader("周晓雨", school_class=leaving, number=f"{year - 6}0101")
    staying = make_reader("张小明", school_class=school_class, number="20230201")
    make_copy(make_record("小王子"), "G0000001")
    services.loan_checkout(reader=leaver, copy_barcode="G0000001", by=librarian)
    # The leaver also has a book waiting on the hold shelf.
    journey = make_record("西游记")
    make_copy(journey, "G0000002")
    kept = services.hold_place(record=journey, reader=leaver, by=librarian)
    assert kept.status == Hold.Status.READY

    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/rollover/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{year}学年升级")
    expect(page.get_by_test_id("graduating-classes")).to_have_text(f"六年级(1)班（{year - 6}年入学）")
    unreturned = page.get_by_test_id("graduation-loans").get_by_role("row").filter(has_text="周晓雨")
    expect(unreturned).to_contain_text("小王子")
    expect(unreturned).to_contain_text("G0000001")
    run = page.get_by_test_id("rollover-run")
    expect(run).to_be_disabled()

    # The book comes back at the desk.
    page.goto(f"{live_server.url}/circulation/desk/")
    page.keyboard.press("F3")
    code = page.get_by_test_id("desk-code")
    code.fill("G0000001")
    code.press("Enter")
    expect(page.get_by_test_id("desk-feedback")).to_contain_text("已还《小王子》")

    page.goto(f"{live_server.url}/circulation/rollover/")
    expect(page.get_by_test_id("graduation-loans")).to_contain_text("毕业班的图书已全部还清。")
    expect(run).to_be_enabled()
    # The button asks for confirmation first; saying no changes nothing.
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    run.click()
    expect(run).to_be_enabled()
    assert questions == ["确认执行学年升级？此操作不可撤销。"]
    leaving.refresh_from_db()
    assert leaving.is_active

    page.once("dialog", lambda dialog: dialog.accept())
    run.click()
    expect(page.get_by_role("alert")).to_contain_text("升级完成：1 个班毕业（1 名学生），新建 1 个一年级班。")
    expect(page.get_by_test_id("rollover-done")).to_be_visible()
    expect(run).to_have_count(0)

    leaving.refresh_from_db()
    leaver.refresh_from_db()
    assert (leaving.is_active, leaving.graduated_on) == (False, today)
    assert (leaver.is_active, leaver.left_on) == (False, today)
    assert list(LibraryCard.objects.filter(reader=leaver).values_list("status", flat=True)) == ["cancelled"]
    assert Hold.objects.get(pk=kept.pk).status == Hold.Status.CANCELLED
    # The book kept for the leaver is free again, not stuck on the hold shelf for nobody.
    assert Copy.objects.get(barcode="G0000002").status == CopyStatus.ON_SHELF
    # Grades follow from the entry year, so the other classes move up without being rewritten:
    # the class keeps its entry year and its pupils; a new first grade is opened.
    school_class.refresh_from_db()
    staying.refresh_from_db()
    assert (school_class.is_active, school_class.entry_year, school_class.graduated_on) == (True, 2023, None)
    assert (staying.is_active, staying.left_on) == (True, None)
    assert list(LibraryCard.objects.filter(reader=staying).values_list("status", flat=True)) == ["valid"]
    new = SchoolClass.objects.get(entry_year=year)
    assert (new.stage, new.number, new.is_active) == ("primary", 1, True)

    # The class pickers list the classes of the new year, without the graduated one.
    page.goto(f"{live_server.url}/circulation/collective/")
    options = page.get_by_test_id("collective-form").get_by_role("combobox", name="班级").locator("option")
    expect(options).to_have_text(["选择班级", "一年级(1)班", school_class.name_on(today)])
