"""A librarian sets up a 读书节 for a class, adds two pupils, records their prizes and attaches a
photographed entry, which only staff with the permission can open."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from reading.models import Participant
from tests.reading.conftest import pupil

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_activity_with_participants_and_results(page, login, librarian, school_class, live_server, tmp_path):
    pupil("张小明", school_class)
    pupil("李小红", school_class)
    entry = tmp_path / "entry.png"
    Image.new("RGB", (1200, 900), "orange").save(entry)

    login(page, "librarian1")
    page.locator("nav.navbar").get_by_role("button", name="阅读推广").click()
    page.get_by_role("link", name="读书活动").click()
    form = page.get_by_test_id("activity-new")
    form.get_by_label("活动名称").fill("第三届校园读书节")
    form.get_by_label("开始日期").fill("2025-04-01")
    form.get_by_label("结束日期").fill("2025-04-30")
    form.get_by_label(str(school_class)).check()
    form.get_by_role("button", name="新建").click()
    expect(page.get_by_test_id("activity-title")).to_have_text("第三届校园读书节")
    expect(page.get_by_role("main")).to_contain_text(str(school_class))

    for name in ("张小明", "李小红"):
        page.get_by_test_id("reader-search").fill(name)
        page.get_by_test_id("reader-search").press("Enter")
        page.get_by_test_id("readers-found").get_by_role("button", name="加入").click()
        expect(page.locator(".alert-success")).to_contain_text(f"已加入参加者：{name}")

    page.get_by_label("李小红的获奖等级").select_option(label="一等奖")
    page.get_by_label("李小红的作品题目").fill("我和《草房子》")
    page.get_by_label("李小红的作品附件").set_input_files(str(entry))
    page.get_by_test_id("participants").get_by_role("row").filter(has_text="李小红").get_by_role(
        "button", name="保存"
    ).click()
    expect(page.locator(".alert-success")).to_contain_text("已记录 李小红 的结果")
    page.get_by_label("张小明的获奖等级").select_option(label="优秀奖")
    page.get_by_test_id("participants").get_by_role("row").filter(has_text="张小明").get_by_role(
        "button", name="保存"
    ).click()

    # Prizes first: 一等奖 before 优秀奖.
    rows = page.get_by_test_id("participants").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("李小红")
    expect(rows.nth(1)).to_contain_text("张小明")
    assert Participant.objects.get(reader__name="李小红").prize == "first"
    href = page.get_by_test_id("attachment-link").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.headers["content-type"] == "image/jpeg"

    # The file is not for anyone else: signed out, it asks for a login.
    page.context.clear_cookies()
    page.goto(live_server.url + href)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
