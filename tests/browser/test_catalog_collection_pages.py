"""The collection pages around cataloguing: a librarian checks in a delivery (验收批次) and prints its
labels, edits a copy and sends it to repair, opens a 注销清单 and the Excel export; a visitor reads the
新书通报 and browses the 中图法 classes down to a book; reading records for a librarian and a teacher."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from catalog import services
from catalog.models import AcquisitionBatch, Copy, CopyStatus, Location
from circulation.models import Loan, Term
from tests.browser.helpers import catalogue, open_catalogue_menu
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_acquisition_batch_gets_copies_and_prints_its_labels(page, login, librarian, live_server, stacks):
    today = timezone.localdate()
    record = catalogue("草房子", "I287.45", stacks, authors="曹文轩", price=Decimal("25.00"))
    login(page, "librarian1")

    # A delivery arrives: the cataloguer opens a new 验收批次 for it.
    open_catalogue_menu(page, "验收批次")
    expect(page.get_by_test_id("batch-list")).to_contain_text("还没有验收批次。")
    page.get_by_role("link", name="新建验收批次").click()
    expect(page.locator("#id_received_on")).to_have_value(today.isoformat())
    page.fill("#id_supplier", "新华书店")
    page.fill("#id_invoice_number", "FP-0118")
    page.fill("#id_invoice_total", "50.00")
    page.get_by_role("button", name="保存").click()
    number = f"YS{today.year}-001"
    expect(page.locator(".alert-success")).to_contain_text(f"已建立验收批次 {number}")
    expect(page.get_by_test_id("batch-copies")).to_contain_text("这个批次还没有图书")
    batch = AcquisitionBatch.objects.get(number=number)
    assert batch.supplier == "新华书店" and batch.received_on == today

    # Two copies of a catalogued title are added to that batch from the record's page.
    page.goto(f"{live_server.url}/catalog/records/{record.pk}/")
    page.fill("#id_c-copies", "2")
    page.select_option("#id_c-batch", label=number)
    page.get_by_test_id("add-copies").click()
    expect(page.locator(".alert-success")).to_contain_text("已添加 2 册：A0000001 – A0000002")
    expect(page.get_by_test_id("staff-copies").get_by_role("row").filter(has_text="A0000002")).to_contain_text(number)
    assert list(Copy.objects.filter(batch=batch).order_by("barcode").values_list("barcode", "acquired_on")) == [
        ("A0000001", today),
        ("A0000002", today),
    ]

    # The list of batches counts them; the batch's page lists them with the total.
    open_catalogue_menu(page, "验收批次")
    row = page.get_by_test_id("batch-list").get_by_role("row").filter(has_text=number)
    expect(row.get_by_role("cell").nth(5)).to_have_text("1")  # 种
    expect(row.get_by_role("cell").nth(6)).to_have_text("2")  # 册
    row.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("batch-copies")).to_contain_text("A0000001")
    expect(page.get_by_test_id("batch-copies")).to_contain_text("草房子")
    expect(page.get_by_test_id("total-titles")).to_have_text("1")
    expect(page.get_by_test_id("total-volumes")).to_have_text("2")
    expect(page.get_by_test_id("total-amount")).to_have_text("50.00")

    # Labels: spine labels for the whole batch, then barcode labels for one accession number.
    open_catalogue_menu(page, "打印标签")
    form = page.get_by_test_id("labels-form")
    form.locator("select[name=batch]").select_option(str(batch.pk))
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    spine = popup.value
    expect(spine.get_by_test_id("label")).to_have_count(2)
    expect(spine.get_by_test_id("label").first.locator(".l1")).to_have_text("I287.45")
    expect(spine.get_by_test_id("label").first.locator(".l2")).to_have_text("1")
    spine.close()

    form.locator("select[name=kind]").select_option("barcode")
    form.locator("select[name=batch]").select_option("")
    form.locator("input[name=from]").fill("A0000002")
    form.locator("input[name=to]").fill("A0000002")
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    barcodes = popup.value
    expect(barcodes.get_by_test_id("label")).to_have_count(1)
    expect(barcodes.get_by_test_id("label").locator(".code")).to_have_text("A0000002")
    expect(barcodes.get_by_test_id("label").locator("svg")).to_have_count(1)
    expect(barcodes.get_by_test_id("label")).to_contain_text("草房子")


def test_copy_is_moved_and_goes_to_repair_and_back(page, login, librarian, live_server, stacks):
    Location.objects.create(name="阅览室", code="YL", position=1)
    record = catalogue("小橘灯", "I287.6", stacks, copies=1)
    copy = record.copies.get()
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/records/{record.pk}/")
    page.get_by_test_id("staff-copies").get_by_role("row").filter(has_text=copy.barcode).get_by_role(
        "link", name="修改"
    ).click()
    expect(page.get_by_test_id("copy-status")).to_have_text("在架")
    page.select_option("#id_location", label="阅览室")
    page.fill("#id_notes", "封面有折痕")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(f"复本 {copy.barcode} 已保存。")
    expect(page.get_by_test_id("staff-copies").get_by_role("row").filter(has_text=copy.barcode)).to_contain_text(
        "阅览室"
    )
    copy.refresh_from_db()
    assert (copy.location.name, copy.notes) == ("阅览室", "封面有折痕")

    # To the repair table and back on the shelf; the status history records both.
    page.goto(f"{live_server.url}/catalog/copies/{copy.pk}/")
    expect(page.locator("#id_notes")).to_have_value("封面有折痕")
    page.get_by_role("button", name="送去修补").click()
    expect(page.get_by_test_id("copy-status")).to_have_text("修补中")
    copy.refresh_from_db()
    assert copy.status == CopyStatus.REPAIR
    page.get_by_role("button", name="修补完成，上架").click()
    expect(page.get_by_test_id("copy-status")).to_have_text("在架")
    copy.refresh_from_db()
    assert copy.status == CopyStatus.ON_SHELF
    history = page.get_by_test_id("copy-history")
    expect(history.get_by_role("row").filter(has_text="送修")).to_contain_text("修补中")
    expect(history.get_by_role("row").filter(has_text="修补完成")).to_contain_text("在架")
    assert list(copy.status_changes.order_by("changed_at", "pk").values_list("to_status", flat=True)) == [
        CopyStatus.REPAIR,
        CopyStatus.ON_SHELF,
    ]


def class_row(page, code):
    tree = page.get_by_test_id("class-tree")
    return tree.get_by_role("row").filter(has=page.get_by_role("cell", name=code, exact=True))


def expect_counts(page, code, titles, copies):
    cells = class_row(page, code).get_by_role("cell")
    expect(cells.nth(2)).to_have_text(str(titles))
    expect(cells.nth(3)).to_have_text(str(copies))


def test_visitor_reads_new_arrivals_and_browses_the_classes_to_a_book(page, live_server, stacks):
    today = timezone.localdate()
    earlier = services.batch_create(received_on=today - timedelta(days=40), supplier="新华书店")
    latest = services.batch_create(received_on=today - timedelta(days=2), supplier="博库")
    reportage = catalogue("大熊猫的故乡", "I287.59", stacks)  # 报告文学
    services.copies_add(record=reportage, count=1, location=stacks, batch=earlier)
    novel = catalogue("草房子", "I287.45", stacks, authors="曹文轩")  # 长篇小说
    services.copies_add(record=novel, count=2, location=stacks, batch=latest)

    # 新书通报, from the OPAC's front page: the latest delivery comes first.
    page.goto(f"{live_server.url}/")
    page.get_by_role("main").get_by_role("link", name="新书通报").first.click()  # the shelf below has one too
    sections = page.get_by_test_id("arrival-batch")
    expect(sections).to_have_count(2)
    expect(sections.first).to_contain_text("草房子")
    expect(sections.first).not_to_contain_text("大熊猫的故乡")
    expect(sections.nth(1)).to_contain_text("大熊猫的故乡")
    sections.first.get_by_role("link", name="草房子").click()
    expect(page.get_by_test_id("record-call-number")).to_have_text("I287.45/1")

    # The class tree, one level at a time: 文学 → 中国文学 → 儿童文学 → 当代作品 → 小说.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="按分类浏览").click()
    expect_counts(page, "I", 2, 3)
    expect_counts(page, "A", 0, 0)
    for code in ("I", "I2", "I28", "I287"):
        class_row(page, code).get_by_role("link", name=code, exact=True).click()
        expect(page.locator(".breadcrumb-item.active")).to_have_text(re.compile(rf"^{re.escape(code)} "))
    # I287.5 (故事) and I287.59 (报告文学) are siblings: each book counts under its own class.
    expect_counts(page, "I287.4", 1, 2)
    expect_counts(page, "I287.59", 1, 1)
    expect_counts(page, "I287.5", 0, 0)
    class_row(page, "I287.4").get_by_role("link", name="I287.4", exact=True).click()
    expect_counts(page, "I287.45", 1, 2)
    page.get_by_role("link", name="检索分类号 I287.4 下的图书").click()
    expect(page.get_by_test_id("results")).to_contain_text("草房子")
    expect(page.get_by_test_id("results")).not_to_contain_text("大熊猫的故乡")
    page.get_by_test_id("results").get_by_role("link", name="草房子").click()
    expect(page.get_by_test_id("record-title")).to_have_text("草房子")
    expect(page.get_by_test_id("copies")).to_contain_text("书库")


def test_withdrawal_list_shows_the_written_off_copy_and_reason(page, login, librarian, live_server, stacks):
    record = catalogue("稻草人", "I287.7", stacks, copies=2, authors="叶圣陶")
    damaged, kept = record.copies.order_by("barcode")
    batch = services.withdrawal_create(
        barcodes=[damaged.barcode], reason="damaged", approver="张校长", disposal="送废品回收站", by=librarian
    )
    login(page, "librarian1")

    open_catalogue_menu(page, "编目工作台")
    page.get_by_role("link", name=batch.number).click()
    expect(page.get_by_role("heading", level=1).first).to_contain_text(f"注销清单 {batch.number}")
    summary = page.get_by_test_id("withdrawal-summary")
    expect(summary).to_contain_text("注销原因：破损")
    expect(summary).to_contain_text("处置方式：送废品回收站")
    expect(summary).to_contain_text("经办人：李老师")
    copies = page.get_by_test_id("withdrawal-copies")
    expect(copies).to_contain_text(damaged.barcode)
    expect(copies).to_contain_text("稻草人")
    expect(copies).to_contain_text("I287.7/1")
    expect(copies).not_to_contain_text(kept.barcode)
    expect(page.get_by_test_id("total-volumes")).to_have_text("1")
    expect(page.get_by_text("审批人：张校长")).to_be_visible()


def test_excel_export_holds_the_titles_and_copies(page, login, librarian, live_server, stacks):
    catalogue("草房子", "I287.45", stacks, copies=2, authors="曹文轩")
    catalogue("西游记", "I242.4", stacks, copies=1, authors="吴承恩")
    login(page, "librarian1")

    open_catalogue_menu(page, "导出")
    expect(page.get_by_role("main")).to_contain_text("书目 2 种、复本 3 册")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename == f"catalogue-{timezone.localdate():%Y%m%d}.xlsx"
    book = load_workbook(BytesIO(Path(download.path()).read_bytes()))
    titles = [row[1] for row in book["书目"].iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["草房子", "西游记"]
    barcodes = [row[0] for row in book["复本"].iter_rows(min_row=2, values_only=True)]
    assert barcodes == ["A0000001", "A0000002", "A0000003"]


def lend(reader, copy, *, days_ago, returned_days_ago=None, school_class=None):
    now = timezone.now()
    if returned_days_ago is None:
        Copy.objects.filter(pk=copy.pk).update(status=CopyStatus.ON_LOAN)
    return Loan.objects.create(
        copy=copy,
        reader=reader,
        reader_kind=reader.kind,
        school_class=school_class,
        checked_out_at=now - timedelta(days=days_ago),
        due_date=timezone.localdate() + timedelta(days=14 - days_ago),
        returned_at=now - timedelta(days=returned_days_ago) if returned_days_ago is not None else None,
    )


def test_reading_records_for_the_librarian_and_for_a_teacher(
    page, login, librarian, teacher, school_class, live_server, stacks
):
    today = timezone.localdate()
    Term.objects.create(
        name="本学期", school_year=2099, number=1, start=today - timedelta(days=60), end=today + timedelta(days=90)
    )
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    make_reader("李华", school_class=school_class, number="20230202")  # borrowed nothing
    straw = catalogue("草房子", "I287.45", stacks, copies=1).copies.get()
    lamp = catalogue("小橘灯", "I287.6", stacks, copies=1).copies.get()
    journey = catalogue("西游记", "I242.4", stacks, copies=1).copies.get()
    lend(pupil, straw, days_ago=20, returned_days_ago=10, school_class=school_class)
    lend(pupil, lamp, days_ago=3, school_class=school_class)
    lend(teacher.reader, journey, days_ago=5)

    # The librarian: class report → the pupil's reading record.
    login(page, "librarian1")
    page.get_by_role("button", name="统计报表").click()
    page.get_by_role("link", name="班级借阅报表", exact=True).click()
    page.get_by_test_id("class-list").get_by_role("link").filter(has_text=school_class.name_on(today)).click()
    expect(page.get_by_test_id("class-borrowers")).to_contain_text("张小明")
    expect(page.get_by_test_id("class-non-borrowers")).to_contain_text("李华")
    page.get_by_test_id("class-borrowers").get_by_role("link", name="张小明").click()
    expect(page.get_by_test_id("record-title")).to_have_text("张小明 · 借阅记录")
    expect(page.get_by_test_id("record-headline")).to_have_text("本期共借阅 2 册次（2 种），续借 0 次。")
    table = page.get_by_test_id("record-table")
    expect(table.get_by_role("row").filter(has_text="草房子")).to_have_count(1)
    expect(table.get_by_role("row").filter(has_text="草房子")).not_to_contain_text("未还")
    expect(table.get_by_role("row").filter(has_text="小橘灯")).to_contain_text("未还")
    expect(table).not_to_contain_text("西游记")
    page.locator("nav.navbar").get_by_role("button", name="退出").click()

    # A teacher with a linked reader opens their own record from the menu, and only their own.
    login(page, "teacher1")
    page.locator("nav.navbar").get_by_role("link", name="借阅记录").click()
    expect(page).to_have_url(f"{live_server.url}/reports/readers/{teacher.reader.pk}/")
    expect(page.get_by_test_id("record-title")).to_have_text("王老师 · 借阅记录")
    expect(page.get_by_test_id("record-headline")).to_have_text("本期共借阅 1 册次（1 种），续借 0 次。")
    expect(page.get_by_test_id("record-table")).to_contain_text("西游记")
    response = page.goto(f"{live_server.url}/reports/readers/{pupil.pk}/")
    assert response.status == 403
