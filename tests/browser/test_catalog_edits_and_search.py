"""Catalogue pages with no browser test so far: a cataloguer edits a record (title, class number,
ISBN, 种次号), works from the 编目工作台, exports MARC21, downloads the Excel template and imports a
sheet with a bad row, prints each label sheet preset and weeds from the search list; a visitor
narrows an OPAC search with the facets and pages through it. Each page also gets a bad input."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect
from pymarc import MARCReader

from catalog import excel, services
from catalog.models import BookNumberCounter, Copy, CopyStatus, ImportLog, Location, ReaderLevel, Record
from tests.browser.helpers import catalogue, open_catalogue_menu

pytestmark = pytest.mark.django_db(transaction=True)


def save_button(page):
    return page.get_by_role("main").get_by_role("button", name="保存", exact=True)


# --- 1. record edit ---------------------------------------------------------------------------


def test_edit_title_and_class_number_gives_the_next_book_number_of_the_new_class(
    page, login, librarian, live_server, stacks
):
    catalogue("城南旧事", "I287.5", stacks)  # I287.5/1
    rec = catalogue("小橘灯", "I287.45", stacks, copies=1)  # I287.45/1
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/records/{rec.pk}/")
    expect(page.get_by_test_id("call-number")).to_have_text("I287.45/1")
    page.get_by_role("link", name="修改书目").click()
    expect(page.locator("#id_title")).to_have_value("小橘灯")
    expect(page.locator("#id_book_number")).to_have_value("1")
    page.fill("#id_title", "小橘灯（插图本）")
    page.fill("#id_clc", "i287.5")  # typed in lower case: cleaned to I287.5
    save_button(page).click()

    # The class changed and the 种次号 was left as it was: the next number of I287.5 is given.
    expect(page.locator(".alert-success")).to_contain_text("书目已保存。")
    expect(page.get_by_test_id("record-title")).to_have_text("小橘灯（插图本）")
    expect(page.get_by_test_id("call-number")).to_have_text("I287.5/2")
    rec.refresh_from_db()
    assert (rec.title, rec.clc, rec.book_number, rec.call_number) == ("小橘灯（插图本）", "I287.5", "2", "I287.5/2")
    assert BookNumberCounter.objects.get(clc="I287.5").last_number == 2

    # The record is found by its new title, in the OPAC too.
    page.goto(f"{live_server.url}/?q=插图本")
    expect(page.get_by_test_id("results")).to_contain_text("小橘灯（插图本）")
    expect(page.get_by_test_id("results")).to_contain_text("I287.5/2")


def test_edit_with_an_emptied_book_number_takes_the_next_one_as_the_form_says(
    page, login, librarian, live_server, stacks
):
    catalogue("城南旧事", "I287.5", stacks)  # I287.5/1
    rec = catalogue("小橘灯", "I287.5", stacks, book_number="7")  # typed by hand: I287.5/7
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/records/{rec.pk}/edit/")
    expect(page.locator("#id_book_number")).to_have_value("7")
    # The help text promises: leave it empty and the next 种次号 of the class is taken.
    expect(page.get_by_text("留空则自动取该分类号的下一个种次号。")).to_be_visible()
    page.fill("#id_book_number", "")
    save_button(page).click()
    expect(page.locator(".alert-success")).to_contain_text("书目已保存。")
    # The next free number of the class (1 is taken), never a call number without 种次号.
    expect(page.get_by_test_id("call-number")).to_have_text("I287.5/2")
    rec.refresh_from_db()
    assert (rec.book_number, rec.call_number) == ("2", "I287.5/2")


def test_edit_with_a_wrong_isbn_check_digit_saves_nothing_and_keeps_the_input(
    page, login, librarian, live_server, stacks
):
    rec = catalogue("草房子", "I287.45", stacks, isbn="9787544800013", authors="曹文轩")
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/records/{rec.pk}/edit/")
    expect(page.locator("#id_isbn")).to_have_value("9787544800013")
    page.fill("#id_title", "草房子（典藏版）")
    page.fill("#id_isbn", "978-7-5448-0001-4")
    save_button(page).click()
    expect(page.get_by_role("main")).to_contain_text("ISBN “978-7-5448-0001-4”的校验位不对，请核对。")
    expect(page.locator(".alert-success")).to_have_count(0)
    # What was typed is still there to correct; the heading still names the saved title.
    expect(page.locator("#id_title")).to_have_value("草房子（典藏版）")
    expect(page.locator("#id_isbn")).to_have_value("978-7-5448-0001-4")
    expect(page.get_by_role("heading", level=1)).to_have_text("修改书目：草房子")
    rec.refresh_from_db()
    assert (rec.title, rec.isbn) == ("草房子", "9787544800013")

    # Too short is not an ISBN at all.
    page.fill("#id_isbn", "97875448")
    save_button(page).click()
    expect(page.get_by_role("main")).to_contain_text("“97875448”不是 ISBN：应为 10 位或 13 位。")
    rec.refresh_from_db()
    assert rec.title == "草房子"

    # Corrected: an ISBN-10 is stored as ISBN-13 and shown hyphenated on the record page.
    page.fill("#id_isbn", "7-02-000220-X")
    save_button(page).click()
    expect(page.locator(".alert-success")).to_contain_text("书目已保存。")
    expect(page.get_by_test_id("record-isbn")).to_have_text("978-7-02-000220-7")
    expect(page.get_by_test_id("record-title")).to_have_text("草房子（典藏版）")
    rec.refresh_from_db()
    assert (rec.title, rec.isbn) == ("草房子（典藏版）", "9787020002207")


def test_edit_to_the_isbn_of_another_record_runs_the_duplicate_check(page, login, librarian, live_server, stacks):
    other = catalogue("西游记", "I242.4", stacks, isbn="9787020002207", authors="吴承恩")
    rec = catalogue("草房子", "I287.45", stacks, isbn="9787544800013", authors="曹文轩")
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/records/{rec.pk}/edit/")
    page.fill("#id_isbn", "7-02-000220-X")  # 西游记's ISBN, as an ISBN-10
    save_button(page).click()
    duplicates = page.get_by_test_id("isbn-matches")
    expect(duplicates).to_contain_text("查重：馆藏里已经有这个 ISBN 的书。")
    expect(duplicates.get_by_role("link", name="西游记")).to_have_attribute("href", f"/catalog/records/{other.pk}/")
    expect(page.locator(".alert-success")).to_have_count(0)
    expect(page.locator("#id_isbn")).to_have_value("7-02-000220-X")
    rec.refresh_from_db()
    assert rec.isbn == "9787544800013"

    # The cataloguer checked it (a reprint under the same ISBN) and says so explicitly.
    page.get_by_label("不同版本：同一 ISBN 的另一版本或印次").check()
    save_button(page).click()
    expect(page.locator(".alert-success")).to_contain_text("书目已保存。")
    rec.refresh_from_db()
    assert rec.isbn == "9787020002207"
    assert Record.objects.filter(isbn="9787020002207").count() == 2

    # Saving other changes later does not ask again: the ISBN did not change.
    page.get_by_role("link", name="修改书目").click()
    page.fill("#id_publisher", "天天出版社")
    save_button(page).click()
    expect(page.locator(".alert-success")).to_contain_text("书目已保存。")
    rec.refresh_from_db()
    assert rec.publisher == "天天出版社"


def test_edit_with_an_unknown_base_class_is_a_form_error(page, login, librarian, live_server, stacks):
    rec = catalogue("草房子", "I287.45", stacks)
    login(page, "librarian1")
    page.goto(f"{live_server.url}/catalog/records/{rec.pk}/edit/")
    page.fill("#id_clc", "L12")
    save_button(page).click()
    expect(page.get_by_role("main")).to_contain_text("分类号“L12”的基本大类 L 不存在（中图法没有 L、M、W、Y 类）。")
    rec.refresh_from_db()
    assert (rec.clc, rec.call_number) == ("I287.45", "I287.45/1")
    assert not BookNumberCounter.objects.filter(clc="L12").exists()


# --- 2. the cataloguing workbench ---------------------------------------------------------------


def test_workbench_finds_by_scanned_barcode_and_by_title(page, login, librarian, live_server, stacks):
    rec = catalogue("小橘灯", "I287.6", stacks, copies=2, authors="冰心")
    catalogue("草房子", "I287.45", stacks, authors="曹文轩")
    login(page, "librarian1")

    open_catalogue_menu(page, "编目工作台")
    expect(page.get_by_test_id("manage-recent")).to_contain_text("草房子")
    expect(page.get_by_test_id("manage-recent")).to_contain_text("小橘灯")

    # A scanner types the barcode (in lower case here) and Enter: straight to the record page.
    page.get_by_test_id("manage-q").fill("a0000002")
    page.get_by_test_id("manage-q").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/catalog/records/{rec.pk}/")
    expect(page.get_by_test_id("record-title")).to_have_text("小橘灯")

    # By two characters of a title: the list links to the record page.
    page.goto(f"{live_server.url}/catalog/")
    page.get_by_test_id("manage-q").fill("房子")
    page.get_by_role("button", name="查找").click()
    results = page.get_by_test_id("manage-results")
    expect(results.get_by_role("row")).to_have_count(2)  # header + one book
    expect(results).not_to_contain_text("小橘灯")
    expect(page.get_by_test_id("manage-q")).to_have_value("房子")
    results.get_by_role("link", name="草房子").click()
    expect(page.get_by_test_id("call-number")).to_have_text("I287.45/1")

    # The links of the workbench.
    page.goto(f"{live_server.url}/catalog/")
    page.get_by_role("main").get_by_role("link", name="新书编目").click()
    expect(page.get_by_test_id("isbn-step")).to_be_visible()
    for name, heading in (("导出", "导出馆藏"), ("剔旧注销", "剔旧注销"), ("打印标签", "打印标签")):
        page.goto(f"{live_server.url}/catalog/")
        page.get_by_role("main").get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def test_workbench_unknown_barcode_punctuation_and_a_very_long_scan(page, login, librarian, live_server, stacks):
    catalogue("小橘灯", "I287.6", stacks, copies=1)
    login(page, "librarian1")
    for query in ("A9999999", "？！……", "a" * 3000, "小橘灯" * 400):
        page.goto(f"{live_server.url}/catalog/")
        page.get_by_test_id("manage-q").fill(query)
        page.get_by_test_id("manage-q").press("Enter")
        expect(page.get_by_test_id("manage-results")).to_contain_text("没有找到。")
        expect(page.get_by_role("heading", level=1)).to_have_text("编目工作台")


# --- 3. OPAC: facets, pages, odd queries ----------------------------------------------------------


@pytest.fixture
def many_books(stacks):
    """35 records made with bulk_create, then indexed by the service a reindex uses.

    童话 01–25: class I, 低年级, a copy in 书库 (01–05 lent out);
    童话 26–35: class Q, 中年级, a copy in the (not lendable) 阅览室."""
    reading_room = Location.objects.create(name="阅览室", code="YL", is_lendable=False, position=1)
    records = Record.objects.bulk_create(
        [
            Record(
                title=f"科学童话{n:02d}",
                authors="叶永烈",
                clc="I287.7" if n <= 25 else "Q-49",
                book_number=str(n),
                reader_level=ReaderLevel.LOWER if n <= 25 else ReaderLevel.MIDDLE,
            )
            for n in range(1, 36)
        ]
    )
    Copy.objects.bulk_create(
        [
            Copy(
                barcode=f"B{n:07d}",
                record=r,
                location=stacks if n <= 25 else reading_room,
                acquired_on="2026-09-01",
                status=CopyStatus.ON_LOAN if n <= 5 else CopyStatus.ON_SHELF,
            )
            for n, r in enumerate(records, start=1)
        ]
    )
    # bulk_create does not fill the derived fields: rebuild them (the trigger makes the document).
    services.record_reindex(Record.objects.all())
    services.record_locations_refresh()
    return reading_room


def result_count(page):
    return page.get_by_test_id("result-count")


def facet(page, group, label):
    return page.get_by_test_id(f"facet-{group}").get_by_role("link", name=re.compile(label))


def test_opac_facets_narrow_the_results_and_can_be_removed(page, live_server, many_books):
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("opac-q").fill("科学童话")
    page.get_by_test_id("opac-q").press("Enter")
    expect(result_count(page)).to_have_text("找到 35 种图书")
    expect(facet(page, "clc", "^I 文学")).to_contain_text("25")
    expect(facet(page, "clc", "^Q 生物科学")).to_contain_text("10")
    expect(facet(page, "level", "低年级")).to_contain_text("25")
    expect(facet(page, "location", "阅览室")).to_contain_text("10")

    # Base class Q: 10 books, all 中年级; the other facets count within it.
    facet(page, "clc", "^Q").click()
    expect(result_count(page)).to_have_text("找到 10 种图书")
    expect(page.get_by_test_id("results")).not_to_contain_text("科学童话01")
    expect(facet(page, "level", "中年级")).to_contain_text("10")
    expect(facet(page, "level", "低年级")).to_have_count(0)
    expect(page.get_by_test_id("opac-q")).to_have_value("科学童话")
    # Clicking the active facet removes it.
    facet(page, "clc", "^Q").click()
    expect(result_count(page)).to_have_text("找到 35 种图书")

    # Reader level, then location: each narrows, and 清除筛选 removes both.
    facet(page, "level", "低年级").click()
    expect(result_count(page)).to_have_text("找到 25 种图书")
    facet(page, "location", "书库").click()
    expect(result_count(page)).to_have_text("找到 25 种图书")
    expect(facet(page, "location", "书库")).to_have_class(re.compile(r"\bactive\b"))
    page.get_by_role("link", name="清除筛选").click()
    expect(result_count(page)).to_have_text("找到 35 种图书")
    facet(page, "location", "阅览室").click()
    expect(result_count(page)).to_have_text("找到 10 种图书")
    expect(page.get_by_test_id("results")).to_contain_text("科学童话26")
    page.get_by_role("link", name="清除筛选").click()

    # 只看现在可借: lent copies (01–05) and the 阅览室 (not lendable) drop out.
    page.get_by_test_id("facet-available").get_by_role("link", name="只看现在可借").click()
    expect(result_count(page)).to_have_text("找到 20 种图书")
    expect(page.get_by_test_id("results")).not_to_contain_text("科学童话05")
    expect(page.get_by_test_id("results")).to_contain_text("科学童话06")
    expect(facet(page, "clc", "^Q")).to_have_count(0)
    page.get_by_test_id("facet-available").get_by_role("link", name="只看现在可借").click()
    expect(result_count(page)).to_have_text("找到 35 种图书")


def test_opac_pages_through_many_results_with_a_facet_kept(page, live_server, many_books):
    page.goto(f"{live_server.url}/?q=kxth")  # pinyin initials of 科学童话
    expect(result_count(page)).to_have_text("找到 35 种图书")
    results = page.get_by_test_id("results").get_by_role("listitem")
    expect(results).to_have_count(20)
    expect(results.first).to_contain_text("科学童话01")
    pages = page.get_by_test_id("pagination")
    expect(pages).to_contain_text("第 1 / 2 页")
    expect(pages.get_by_role("link", name="上一页")).to_have_count(0)
    pages.get_by_role("link", name="下一页").click()
    expect(page.get_by_test_id("pagination")).to_contain_text("第 2 / 2 页")
    expect(results).to_have_count(15)
    expect(results.first).to_contain_text("科学童话21")
    expect(results.last).to_contain_text("科学童话35")

    # A facet on page 2 starts again from page 1 of the narrowed list.
    facet(page, "clc", "^I").click()
    expect(result_count(page)).to_have_text("找到 25 种图书")
    expect(page).not_to_have_url(re.compile(r"page="))
    expect(results).to_have_count(20)
    page.get_by_test_id("pagination").get_by_role("link", name="下一页").click()
    expect(results).to_have_count(5)
    expect(result_count(page)).to_have_text("找到 25 种图书")
    expect(page.get_by_test_id("results")).not_to_contain_text("科学童话26")
    page.get_by_test_id("pagination").get_by_role("link", name="上一页").click()
    expect(results).to_have_count(20)

    # A page number past the end (an old bookmark) shows the last page; a broken one the first.
    page.goto(f"{live_server.url}/?q=kxth&page=9")
    expect(page.get_by_test_id("pagination")).to_contain_text("第 2 / 2 页")
    page.goto(f"{live_server.url}/?q=kxth&page=abc&base=I&loc=x&level=nonsense")
    expect(page.get_by_test_id("pagination")).to_contain_text("第 1 / 2 页")
    expect(result_count(page)).to_have_text("找到 25 种图书")


def test_opac_empty_punctuation_and_very_long_queries(page, live_server, many_books):
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("opac-q").press("Enter")  # nothing typed
    expect(page.get_by_test_id("home-title")).to_have_text("馆藏检索")
    expect(page.get_by_test_id("results")).to_have_count(0)
    expect(page.locator(".alert-warning")).to_have_count(0)

    page.get_by_test_id("opac-q").fill("《》？！……——")
    page.get_by_test_id("opac-q").press("Enter")
    expect(page.locator(".alert-warning")).to_have_text("请输入书名、著者、ISBN 或拼音等检索词。")
    expect(page.get_by_test_id("opac-q")).to_have_value("《》？！……——")

    for query in ("科学童话" * 200, "x" * 3000, "9787544800013" * 50):
        page.goto(f"{live_server.url}/")
        page.get_by_test_id("opac-q").fill(query)
        page.get_by_test_id("opac-q").press("Enter")
        expect(result_count(page)).to_have_text("找到 0 种图书")
        expect(page.get_by_role("main")).to_contain_text("没有找到相关图书。")


# --- 4. MARC21 export ---------------------------------------------------------------------------


def download(page, click):
    with page.expect_download() as info:
        click()
    return Path(info.value.path()).read_bytes()


def read_marc(data: bytes) -> list:
    return list(MARCReader(data, force_utf8=True))


def test_marc21_export_of_chosen_records_batch_and_class(page, login, librarian, live_server, stacks):
    batch = services.batch_create(received_on=timezone.localdate(), supplier="新华书店")
    novel = catalogue("草房子", "I287.45", stacks, authors="曹文轩；王晓", isbn="9787544800013")
    services.copies_add(record=novel, count=2, location=stacks, batch=batch)
    lamp = catalogue("小橘灯", "I287.6", stacks, copies=1)
    catalogue("十万个为什么", "Z228", stacks, copies=1)
    login(page, "librarian1")
    open_catalogue_menu(page, "导出")

    # By record ids, typed with a Chinese comma.
    page.fill("#ids", f"{novel.pk}，{lamp.pk}")
    data = download(page, lambda: page.get_by_role("button", name="导出 MARC21").click())
    records = read_marc(data)
    assert [r["245"]["a"] for r in records] == ["草房子", "小橘灯"]  # shelf order: I287.45 < I287.6
    assert records[0]["020"]["a"] == "9787544800013"
    assert records[0]["100"]["a"] == "曹文轩" and records[0]["700"]["a"] == "王晓"
    holdings = [(f["b"], f["h"], f["p"]) for f in records[0].get_fields("852")]
    assert holdings == [("书库", "I287.45/1", "A0000001"), ("书库", "I287.45/1", "A0000002")]
    assert [f["p"] for f in records[1].get_fields("852")] == ["A0000003"]

    # By acquisition batch: only the book of that delivery.
    page.goto(f"{live_server.url}/catalog/export/")
    page.select_option("#batch", str(batch.pk))
    records = read_marc(download(page, lambda: page.get_by_role("button", name="导出 MARC21").click()))
    assert [r["245"]["a"] for r in records] == ["草房子"]
    assert len(records[0].get_fields("852")) == 2

    # By class prefix (typed in lower case).
    page.goto(f"{live_server.url}/catalog/export/")
    page.fill("#clc", "z")
    records = read_marc(download(page, lambda: page.get_by_role("button", name="导出 MARC21").click()))
    assert [r["245"]["a"] for r in records] == ["十万个为什么"]
    assert records[0]["084"]["a"] == "Z228"


def test_marc21_export_with_nothing_or_nothing_matching_says_so(page, login, librarian, live_server, stacks):
    catalogue("草房子", "I287.45", stacks, copies=1)
    login(page, "librarian1")
    page.goto(f"{live_server.url}/catalog/export/")
    # A barcode where a record id belongs: nothing usable was chosen.
    page.fill("#ids", "A0000001")
    page.get_by_role("button", name="导出 MARC21").click()
    expect(page.locator(".alert-danger")).to_contain_text("请选择要导出的书目：填写书目 ID、分类号前缀或验收批次。")
    page.fill("#clc", "K8")
    page.get_by_role("button", name="导出 MARC21").click()
    expect(page.locator(".alert-danger")).to_contain_text("没有符合条件的书目。")
    page.fill("#ids", "99999999999999999999")  # beyond any id (past 64 bits): not an id at all
    page.get_by_role("button", name="导出 MARC21").click()
    expect(page.locator(".alert-danger")).to_contain_text("请选择要导出的书目")
    expect(page.get_by_role("heading", level=1)).to_have_text("导出馆藏")


# --- 5. Excel import template and a sheet with a bad row --------------------------------------------


def test_excel_template_downloads_with_the_chinese_headers(page, login, librarian, live_server, stacks):
    login(page, "librarian1")
    open_catalogue_menu(page, "Excel 导入")
    data = download(page, lambda: page.get_by_role("link", name="下载导入模板").click())
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["图书", "说明"]
    headers = [c.value for c in wb["图书"][1]]
    assert headers[:3] == ["题名", "其他题名", "丛编"]
    assert {
        "著者",
        "出版者",
        "出版年",
        "定价",
        "ISBN",
        "中图法分类号",
        "种次号",
        "复本数",
        "登记号",
        "馆藏地点",
    } <= set(headers)
    assert headers == [h for h, _k, _e in excel.COLUMNS]
    assert "必填：题名、中图法分类号" in wb["说明"]["A1"].value


def test_excel_import_with_a_bad_isbn_row_lists_it_and_saves_nothing(
    page, login, librarian, live_server, stacks, tmp_path
):
    sheet = tmp_path / "books.xlsx"
    wb = Workbook()
    wb.active.append(["题名", "著者", "ISBN", "中图法分类号", "复本数", "馆藏地点"])
    wb.active.append(["草房子", "曹文轩", "978-7-5448-0001-3", "I287.45", 2, "书库"])
    wb.active.append(["小橘灯", "冰心", "978-7-5448-0001-4", "I287.6", 1, "书库"])
    wb.save(sheet)
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/import/excel/")
    page.set_input_files("input[name=file]", str(sheet))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("import-problems")).to_contain_text("有 1 条存在问题")
    bad = page.get_by_role("row").filter(has_text="小橘灯")
    expect(bad).to_contain_text("ISBN “978-7-5448-0001-4”的校验位不对，请核对。")
    expect(bad.get_by_role("cell").first).to_have_text("3")  # sheet row 3
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    assert not Record.objects.exists() and not Copy.objects.exists() and not ImportLog.objects.exists()

    # Not an Excel file at all.
    page.get_by_role("link", name="重新上传").click()
    csv = tmp_path / "books.csv"
    csv.write_text("题名,ISBN\n草房子,9787544800013\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(csv))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator(".alert-danger")).to_contain_text(
        "无法读取这个文件：请上传 .xlsx 格式的 Excel 文件（可先下载模板）。"
    )
    assert not Record.objects.exists()


# --- 6. labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "preset", "columns", "rows"),
    [
        ("spine", "书标 5×13（38×21 mm，65 枚）", 5, 13),
        ("spine", "书标 4×10（48×25 mm，40 枚）", 4, 10),
        ("barcode", "条码 3×10（70×25 mm，30 枚）", 3, 10),
        ("barcode", "条码 4×12（48×22 mm，48 枚）", 4, 12),
    ],
)
def test_each_label_sheet_preset_lays_out_columns_by_rows(
    page, login, librarian, live_server, stacks, kind, preset, columns, rows
):
    catalogue("草房子", "I287.45", stacks, copies=50)  # A0000001–A0000050
    login(page, "librarian1")
    open_catalogue_menu(page, "打印标签")
    form = page.get_by_test_id("labels-form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("select[name=preset]").select_option(label=preset)
    form.locator("input[name=from]").fill("A0000001")
    form.locator("input[name=to]").fill("A0000050")
    form.locator("input[name=skip]").fill("20")  # 20 labels of the first sheet already used
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    sheet = popup.value
    expect(sheet.get_by_test_id("labels-summary")).to_contain_text(f"共 50 枚，标签纸：{preset}")
    expect(sheet.get_by_test_id("label")).to_have_count(50)
    per_page = columns * rows
    slots = 20 + 50
    sheets = sheet.get_by_test_id("sheet")
    expect(sheets).to_have_count(-(-slots // per_page))
    # The first sheet is full: columns × rows places, the 20 skipped ones empty.
    expect(sheets.first.locator(".label")).to_have_count(per_page)
    expect(sheets.first.locator(".label:not([data-testid])")).to_have_count(20)
    grid = sheets.first.locator(".grid")
    assert len(grid.evaluate("g => getComputedStyle(g).gridTemplateColumns").split()) == columns
    assert len(grid.evaluate("g => getComputedStyle(g).gridTemplateRows").split()) == rows
    expect(sheet.get_by_test_id("label").first).to_contain_text("I287.45" if kind == "spine" else "A0000001")


def test_label_ranges_backwards_uneven_and_half_filled(page, login, librarian, live_server, stacks):
    catalogue("草房子", "I287.45", stacks, copies=12)
    login(page, "librarian1")
    page.goto(f"{live_server.url}/catalog/labels/")
    form = page.get_by_test_id("labels-form")
    form.locator("select[name=kind]").select_option("barcode")
    form.locator("select[name=preset]").select_option("barcode-4x12")

    # Start after the end: the range is taken the right way round.
    form.locator("input[name=from]").fill("A0000010")
    form.locator("input[name=to]").fill("A0000005")
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    labels = popup.value.get_by_test_id("label").locator(".code")
    expect(labels).to_have_text([f"A{n:07d}" for n in range(5, 11)])
    popup.value.close()

    # Numbers of different lengths: a message, and the form keeps what was typed.
    form.locator("input[name=from]").fill("A0000001")
    form.locator("input[name=to]").fill("A00012")
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    answer = popup.value
    expect(answer.get_by_test_id("labels-problem")).to_have_text("起止登记号的位数应相同。")
    expect(answer.locator("input[name=from]")).to_have_value("A0000001")
    expect(answer.locator("input[name=to]")).to_have_value("A00012")
    expect(answer.locator("select[name=kind]")).to_have_value("barcode")
    expect(answer.locator("select[name=preset]")).to_have_value("barcode-4x12")
    answer.close()

    # Only the start typed: a message, not the same empty form again.
    form.locator("input[name=to]").fill("")
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    answer = popup.value
    expect(answer.get_by_test_id("labels-problem")).to_have_text("请填写起止两个登记号（只印一枚时两格填同一个号）。")
    expect(answer.get_by_test_id("label")).to_have_count(0)
    answer.close()

    # Nothing chosen at all.
    form.locator("input[name=from]").fill("")
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    expect(popup.value.get_by_test_id("labels-problem")).to_have_text("请选择要打印的图书：验收批次或登记号范围。")
    popup.value.close()

    # A range with no copy in it.
    form.locator("input[name=from]").fill("A0000100")
    form.locator("input[name=to]").fill("A0000200")
    with page.context.expect_page() as popup:
        form.get_by_role("button", name="生成标签页").click()
    expect(popup.value.get_by_test_id("labels-problem")).to_have_text("没有找到符合条件的在藏图书。")


# --- 7. weeding from the search list -----------------------------------------------------------------


def test_weeding_add_from_search_remove_again_and_confirm(page, login, librarian, live_server, stacks):
    rec = catalogue("小橘灯", "I287.6", stacks, copies=3)  # A0000001–A0000003
    catalogue("草房子", "I287.45", stacks, copies=1)  # A0000004
    login(page, "librarian1")

    open_catalogue_menu(page, "剔旧注销")
    page.get_by_test_id("weeding-q").fill("小橘")
    page.get_by_test_id("weeding-q").press("Enter")
    found = page.get_by_test_id("weeding-found")
    expect(found.get_by_role("row")).to_have_count(3)
    expect(found).not_to_contain_text("草房子")
    for code in ("A0000001", "A0000002"):
        found.get_by_role("row").filter(has_text=code).get_by_role("button", name="加入注销单").click()
    barcodes = page.locator("#id_barcodes")
    expect(barcodes).to_have_value("A0000001\nA0000002\n")
    add_second = found.get_by_role("row").filter(has_text="A0000002").get_by_role("button")
    expect(add_second).to_be_disabled()

    # Taken off the list again: its button can add it back.
    barcodes.fill("A0000001\n")
    expect(add_second).to_be_enabled()
    page.select_option("#id_reason", label="破损")
    page.fill("#id_approver", "张校长")
    page.get_by_role("button", name="核对图书").click()
    preview = page.get_by_test_id("weeding-preview")
    expect(preview).to_contain_text("A0000001")
    expect(preview).not_to_contain_text("A0000002")

    # Emptied before confirming: refused, nothing written off.
    page.locator("#id_barcodes").fill("")
    page.get_by_role("button", name="确认注销").click()
    expect(page.get_by_role("main")).to_contain_text("这个字段是必填项。")
    expect(page.locator("#id_approver")).to_have_value("张校长")
    assert not Copy.objects.filter(withdrawn_on__isnull=False).exists()

    # Only separators typed: the same refusal from the service.
    page.locator("#id_barcodes").fill("，，")
    page.get_by_role("button", name="核对图书").click()
    expect(page.locator(".alert-danger")).to_contain_text("请扫描或输入要注销的图书登记号。")

    # An unknown barcode next to a good one: nothing is written off.
    page.locator("#id_barcodes").fill("A0000001\nA0009999\n")
    page.get_by_role("button", name="核对图书").click()
    expect(page.locator(".alert-danger")).to_contain_text("没有登记号为 A0009999 的图书。")
    assert not Copy.objects.filter(withdrawn_on__isnull=False).exists()

    page.locator("#id_barcodes").fill("A0000001\n")
    page.get_by_role("button", name="核对图书").click()
    page.get_by_role("button", name="确认注销").click()
    expect(page.get_by_test_id("withdrawal-copies")).to_contain_text("A0000001")
    expect(page.get_by_test_id("total-volumes")).to_have_text("1")
    assert list(Copy.objects.filter(withdrawn_on__isnull=False).values_list("barcode", flat=True)) == ["A0000001"]
    assert rec.copies.filter(status=CopyStatus.ON_SHELF).count() == 2
