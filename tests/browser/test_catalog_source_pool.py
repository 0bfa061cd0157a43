"""A librarian puts a supplier's MARC file into the source pool (书目数据源), finds a book in it,
looks at the record, and deletes the file."""

import pytest
from playwright.sync_api import expect

from catalog.models import Record, SourceFile
from tests.catalog.fixtures.make_fixtures import read

pytestmark = pytest.mark.django_db(transaction=True)


def test_upload_search_view_and_delete(page, login, librarian, live_server, tmp_path):
    path = tmp_path / "sushao.mrc"
    path.write_bytes(read("marc21-shared-isbn.mrc"))
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/")
    page.get_by_role("link", name="书目数据源").click()
    expect(page.get_by_test_id("pool-files")).to_contain_text("书目数据源还是空的")
    page.get_by_test_id("pool-upload-link").click()
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=name]", "苏少春季配书")
    page.fill("input[name=origin]", "江苏少年儿童出版社")
    page.get_by_test_id("pool-upload").click()
    expect(page.locator(".alert-success")).to_contain_text("已放入书目数据源：3 条记录")
    expect(page.get_by_test_id("pool-records")).to_contain_text("草房子 [电子资源]")
    assert not Record.objects.exists()

    page.get_by_role("link", name="书目数据源").first.click()
    expect(page.get_by_test_id("pool-files")).to_contain_text("苏少春季配书")
    page.get_by_test_id("pool-q").fill("bronze")
    page.get_by_test_id("pool-q").press("Enter")
    page.get_by_test_id("pool-found").get_by_role("link", name="The bronze and sunflower").click()
    expect(page.get_by_test_id("pool-record")).to_contain_text("江苏少年儿童出版社")
    expect(page.get_by_test_id("pool-marc")).to_contain_text("=245  10$aThe bronze and sunflower /")

    page.get_by_role("link", name="苏少春季配书").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("pool-delete").click()
    expect(page.locator(".alert-success")).to_contain_text("已从书目数据源删除“苏少春季配书”（3 条记录）")
    assert not SourceFile.objects.exists()
