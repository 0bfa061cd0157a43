"""A librarian imports a supplier's GB18030 CNMARC file in which one record has no 中图法 number:
the preview asks for it, a wrong class is shown again, the right one imports every record."""

import pytest
from playwright.sync_api import expect

from catalog.models import Location, Record, SourceRecord
from tests.catalog.fixtures.make_fixtures import read

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_class_is_typed_on_the_preview(page, login, librarian, live_server, tmp_path):
    Location.objects.create(name="书库", code="SK")
    path = tmp_path / "xinlei.mrc"
    path.write_bytes(read("cnmarc-gb18030.mrc"))
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/import/marc/")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=location]", label="书库")
    page.click("text=上传并预览")
    expect(page.get_by_test_id("import-unclassified")).to_contain_text("有 1 条新记录没有中图法分类号")
    expect(page.get_by_test_id("import-preview")).to_contain_text("将新建书目 2 种")
    expect(page.locator("table")).to_contain_text("The little prince")

    page.get_by_label("第 3 条的中图法分类号").fill("乱码")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-problems")).to_contain_text("请改正下面标红的分类号")
    expect(page.locator("table")).to_contain_text("第 3 条记录，字段 690$a")
    assert not Record.objects.exists()

    page.get_by_label("第 3 条的中图法分类号").fill("I286.5")
    page.get_by_test_id("import-confirm").click()
    expect(page.locator(".alert-success")).to_contain_text("新书目 3 种")
    assert Record.objects.get(title="寄小读者").clc == "I286.5"
    assert not SourceRecord.objects.exists()
