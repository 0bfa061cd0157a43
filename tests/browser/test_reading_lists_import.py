"""A librarian imports the grade's recommended list from Excel (upload, preview, confirm), sees which
titles the library lacks, exports them as a wish-list and prints the poster; the head teacher then sees how much of the list
the class has borrowed."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from tests.browser.helpers import catalogue
from tests.reading.conftest import lend, pupil

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_a_list_export_the_wishlist_and_the_head_teacher_sees_the_class(
    page, login, librarian, head_teacher, school_class, live_server, stacks, tmp_path
):
    cache.clear()
    held = catalogue("草房子", "I287.45", stacks, copies=1, authors="曹文轩")
    grade = school_class.grade_on(timezone.localdate())
    wb = Workbook()
    wb.active.append(["题名", "著者", "ISBN", "年级", "推荐语"])
    wb.active.append(["草房子", "曹文轩", "", str(grade), "油麻地的孩子们"])
    wb.active.append(["城南旧事", "林海音", "", str(grade), "老北京的童年"])
    sheet = tmp_path / "list.xlsx"
    wb.save(sheet)

    login(page, "librarian1")
    page.goto(f"{live_server.url}/reading/manage/")
    page.get_by_role("link", name="从 Excel 导入").click()
    form = page.get_by_test_id("list-import")
    form.get_by_label("Excel 文件").set_input_files(str(sheet))
    form.get_by_label("书目名称").fill("推荐书目")
    form.get_by_role("button", name="上传并预览").click()
    # The preview: each row's match, nothing written yet.
    expect(page.get_by_test_id("import-summary")).to_contain_text("1 种本馆有，1 种本馆暂无")
    expect(page.get_by_test_id("import-rows").get_by_role("row").filter(has_text="城南旧事")).to_contain_text(
        "将列入缺藏书单"
    )
    expect(page.get_by_test_id("import-rows").get_by_role("row").filter(has_text="草房子")).to_contain_text(
        "按题名和著者找到"
    )
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".alert-success")).to_contain_text("1 种本馆有，1 种本馆暂无")

    page.get_by_test_id("reading-lists").get_by_role("link", name="推荐书目").click()
    expect(page.get_by_test_id("list-items")).to_contain_text("城南旧事")
    expect(page.get_by_test_id("list-items").get_by_role("row").filter(has_text="城南旧事")).to_contain_text("本馆暂无")
    with page.expect_download() as download_info:
        page.get_by_test_id("wishlist").click()
    rows = list(
        load_workbook(BytesIO(Path(download_info.value.path()).read_bytes())).active.iter_rows(values_only=True)
    )
    assert [row[:2] for row in rows[1:]] == [("城南旧事", "林海音")]

    page.get_by_role("link", name="打印海报").first.click()
    expect(page.get_by_test_id("poster")).to_contain_text("油麻地的孩子们")
    expect(page.get_by_test_id("poster")).to_contain_text("城南旧事")

    # The head teacher of the class, after two pupils borrowed the book the library holds.
    for name in ("张小明", "李小红"):
        lend(held, pupil(name, school_class), day=timezone.localdate())
    page.context.clear_cookies()
    login(page, "headteacher1")
    page.goto(f"{live_server.url}/my/")
    page.get_by_test_id("my-class-lists-link").click()
    expect(page.get_by_test_id("list-read")).to_have_text("已借阅 1 / 2 种")
    expect(page.get_by_test_id("class-progress")).not_to_contain_text("张小明")
