"""A librarian sets up an account for a new self-service machine."""

import pytest
from playwright.sync_api import expect

from selfcheck.models import Kiosk

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_librarian_adds_a_kiosk_account(page, login, live_server, librarian):
    login(page, "librarian1")
    page.locator("nav.navbar").get_by_role("button", name="借阅管理").click()
    page.get_by_role("link", name="自助借还机", exact=True).click()
    expect(page.get_by_test_id("kiosk-list")).to_contain_text("还没有自助借还机账号")
    page.get_by_role("link", name="新增自助借还机").click()
    page.get_by_label("登录名").fill("一楼自助机")
    page.get_by_label("位置说明").fill("一楼大厅")
    page.get_by_label("字符编码").select_option("gb18030")
    page.get_by_label("新密码").fill("kiosk-pass-9")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("kiosk-list")).to_contain_text("一楼自助机")
    expect(page.get_by_test_id("kiosk-list")).to_contain_text("GB18030")
    assert Kiosk.objects.get(name="一楼自助机").check_password("kiosk-pass-9")
