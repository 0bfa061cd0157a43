"""Z39.50 服务器: a librarian adds the school's union-catalogue server, 测试连接 finds a book on it
(a real Zebra server on 127.0.0.1), a wrong database name is reported in Chinese, and the server
is removed again."""

import pytest
from playwright.sync_api import expect

from catalog.models import Z3950Target
from tests.browser.helpers import open_catalogue_menu

pytestmark = pytest.mark.django_db(transaction=True)


def test_add_test_and_delete_a_z3950_target(page, login, live_server, librarian, zebra_server):
    login(page, "librarian1")
    open_catalogue_menu(page, "Z39.50 服务器")
    expect(page.get_by_test_id("z3950-targets")).to_contain_text("还没有 Z39.50 服务器。")

    page.get_by_test_id("z3950-new").click()
    page.get_by_label("名称").fill("区联合目录")
    page.get_by_label("主机").fill(zebra_server.host)
    page.get_by_label("端口").fill(str(zebra_server.port))
    page.get_by_label("数据库名").fill("cnmarc")
    page.get_by_label("记录格式").select_option(label="CNMARC")
    page.get_by_label("字符编码").select_option(label="UTF-8")
    page.get_by_label("超时（秒）").fill("5")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("Z39.50 服务器“区联合目录”已保存。")
    row = page.get_by_test_id("z3950-target")
    expect(row).to_contain_text(f"{zebra_server.host}:{zebra_server.port}")

    row.get_by_label("测试检索词").fill("小王子")
    row.get_by_role("button", name="测试连接").click()
    expect(page.get_by_role("alert")).to_contain_text("测试连接“区联合目录”成功：检索“小王子”命中 1 条。 小王子")

    # A wrong database name: the librarian is told so, in Chinese.
    page.get_by_role("link", name="区联合目录").click()
    page.get_by_label("数据库名").fill("nosuchdb")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存")
    page.get_by_test_id("z3950-target").get_by_role("button", name="测试连接").click()
    expect(page.get_by_role("alert")).to_contain_text("服务器上没有名为“nosuchdb”的数据库")

    page.get_by_role("link", name="区联合目录").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除服务器").click()
    expect(page.get_by_role("alert")).to_contain_text("已删除 Z39.50 服务器“区联合目录”。")
    expect(page.get_by_test_id("z3950-targets")).to_contain_text("还没有 Z39.50 服务器。")
    assert not Z3950Target.objects.exists()
