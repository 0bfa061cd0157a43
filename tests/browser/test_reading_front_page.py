"""Reading promotion: a librarian makes a recommended list from the catalogue (shown on the front
page), uploads a cover and recomputes the rankings; a visitor then browses the front page's shelves
of covers with the keyboard and opens a record with "readers of this book also borrowed"."""

import io

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import expect

from reading.models import ReadingList
from tests.browser.helpers import catalogue
from tests.reading.conftest import lend, pupil

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def test_a_list_on_the_front_page_then_shelves_and_also_borrowed(page, login, librarian, live_server, stacks):
    charlotte = catalogue("夏洛的网", "I712.8", stacks, copies=1, authors="E.B.怀特")
    stuart = catalogue("精灵鼠小弟", "I712.8", stacks, copies=1, authors="E.B.怀特")
    catalogue("昆虫记", "Q96", stacks, copies=1, authors="法布尔")
    readers = [pupil(name) for name in ("张小明", "李小红", "王小刚")]
    for reader in readers:
        lend(charlotte, reader)
    for reader in readers[:2]:
        lend(stuart, reader)

    login(page, "librarian1")
    page.locator("nav.navbar").get_by_role("button", name="阅读推广").click()
    page.get_by_role("link", name="推荐书目与排行").click()
    form = page.get_by_test_id("list-new")
    form.get_by_label("书目名称").fill("三年级推荐书目")
    form.get_by_label("学段").select_option("primary")
    form.get_by_label("年级").fill("3")
    form.get_by_label("在首页展示").check()
    form.get_by_role("button", name="新建").click()
    expect(page.locator(".alert-success")).to_contain_text("已新建书目“三年级推荐书目”")

    page.get_by_test_id("list-search").fill("夏洛")
    page.get_by_test_id("list-search").press("Enter")
    found = page.get_by_test_id("list-found")
    found.get_by_placeholder("推荐语（可不填）").fill("一只蜘蛛和一头小猪的友谊")
    found.get_by_role("button", name="加入").click()
    expect(page.get_by_test_id("list-items")).to_contain_text("夏洛的网")
    assert ReadingList.objects.get().items.get().note == "一只蜘蛛和一头小猪的友谊"

    page.goto(f"{live_server.url}/reading/manage/")
    page.get_by_role("button", name="现在重算排行").click()
    expect(page.locator(".alert-success")).to_contain_text("借阅排行已重新计算")

    # A visitor at the kiosk: no login.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("shelf-new")).to_contain_text("昆虫记")
    expect(page.get_by_test_id("shelf-popular")).to_contain_text("夏洛的网")
    expect(page.get_by_test_id("shelf-recommended")).to_contain_text("夏洛的网")
    expect(page.get_by_test_id("shelves")).not_to_contain_text("张小明")
    # Generated covers, no holes: every cover on the new-arrivals shelf loaded as an image.
    covers = page.get_by_test_id("shelf-new").get_by_test_id("cover")
    expect(covers).to_have_count(3)
    for i in range(3):
        covers.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=covers.nth(i).element_handle())

    # The keyboard moves along a shelf.
    links = page.get_by_test_id("shelf-new").locator(".shelf-link")
    links.first.focus()
    page.keyboard.press("ArrowRight")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(links.nth(2)).to_be_focused()

    page.get_by_test_id("shelf-recommended").get_by_role("link", name="查看书目与推荐语").click()
    expect(page.get_by_test_id("list-items")).to_contain_text("一只蜘蛛和一头小猪的友谊")
    page.get_by_test_id("list-items").get_by_role("link", name="夏洛的网").click()
    expect(page.get_by_test_id("record-title")).to_have_text("夏洛的网")
    expect(page.get_by_test_id("shelf-also")).to_contain_text("精灵鼠小弟")
    expect(page.get_by_test_id("shelf-also")).not_to_contain_text("张小明")


def test_the_librarian_uploads_a_cover_on_the_record_form(page, login, librarian, live_server, stacks, tmp_path):
    rec = catalogue("小王子", "I565.88", stacks, copies=1)
    photo = tmp_path / "cover.png"
    Image.new("RGB", (900, 1260), "navy").save(photo)
    not_a_photo = tmp_path / "cover.jpg"
    not_a_photo.write_bytes(b"just text")
    login(page, "librarian1")

    page.goto(f"{live_server.url}/catalog/records/{rec.pk}/edit/")
    page.get_by_label("封面图片").set_input_files(str(not_a_photo))
    page.get_by_role("main").get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".invalid-feedback, .text-danger").first).to_contain_text("不是可用的图片")

    page.get_by_label("封面图片").set_input_files(str(photo))
    page.get_by_role("main").get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("书目已保存。")

    page.goto(f"{live_server.url}/record/{rec.pk}/")
    cover = page.locator(".record-cover img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=cover.element_handle())
    response = page.request.get(live_server.url + cover.get_attribute("src"))
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.body())) as image:
        assert image.size == (400, 560)
