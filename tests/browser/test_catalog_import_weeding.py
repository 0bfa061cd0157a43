"""A librarian imports a vendor's CNMARC file and an Excel sheet (preview, then import), then weeds
a damaged copy by scanning it and prints the 注销清单."""

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from catalog.models import Copy, Location, Record
from tests.catalog import marc_fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_cnmarc_and_excel_then_weed_a_copy(page, login, librarian, live_server, tmp_path):
    Location.objects.create(name="书库", code="SK")
    iso = tmp_path / "vendor.iso"
    iso.write_bytes(marc_fixtures.iso_encoded(marc_fixtures.cnmarc(), "gb18030"))  # as suppliers send it
    sheet = tmp_path / "books.xlsx"
    wb = Workbook()
    wb.active.append(["题名", "著者", "中图法分类号", "复本数", "馆藏地点"])
    wb.active.append(["草房子", "曹文轩", "I287.45", 1, "书库"])
    wb.save(sheet)
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/import/marc/")
    page.set_input_files("input[name=file]", str(iso))
    page.select_option("select[name=location]", label="书库")
    page.click("text=上传并预览")
    expect(page.get_by_test_id("import-preview")).to_contain_text("将新建书目 1 种，新增复本 2 册")
    expect(page.get_by_test_id("import-encoding")).to_contain_text("GB18030 / GBK（自动识别）")
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".alert-success")).to_contain_text("新书目 1 种")
    assert Record.objects.filter(title="小橘灯", publisher="新蕾出版社").exists()

    page.goto(f"{live_server.url}/catalog/import/excel/")
    page.set_input_files("input[name=file]", str(sheet))
    page.click("text=上传并预览")
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".alert-success")).to_contain_text("新复本 1 册")
    assert Record.objects.count() == 2

    # Weeding: find one copy by title and add it, scan the other (typing + Enter), check, confirm.
    page.goto(f"{live_server.url}/catalog/weeding/?q=xjd")
    page.get_by_test_id("weeding-found").get_by_role("row").filter(has_text="C0000002").get_by_role("button").click()
    page.type("#id_barcodes", "C0000001\n")
    page.select_option("#id_reason", "damaged")
    page.fill("#id_approver", "张校长")
    page.click("text=核对图书")
    expect(page.get_by_test_id("weeding-preview")).to_contain_text("C0000001")
    expect(page.get_by_test_id("weeding-preview")).to_contain_text("C0000002")
    page.get_by_role("button", name="确认注销").click()
    expect(page.get_by_test_id("withdrawal-copies")).to_contain_text("小橘灯")
    expect(page.get_by_test_id("total-volumes")).to_have_text("2")
    assert set(Copy.objects.filter(barcode__in=["C0000001", "C0000002"]).values_list("status", flat=True)) == {
        "withdrawn"
    }
