"""A head teacher records a pupil's reading note; it is listed, linked to the catalogue's book."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import catalogue
from tests.reading.conftest import pupil

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_head_teacher_records_a_reading_note(page, login, head_teacher, school_class, live_server, stacks):
    catalogue("草房子", "I287.45", stacks, copies=1)
    pupil("张小明", school_class)
    login(page, "headteacher1")
    page.goto(f"{live_server.url}/my/")
    page.get_by_test_id("notes-link").click()
    page.get_by_test_id("reader-search").fill("张小明")
    page.get_by_test_id("reader-search").press("Enter")
    found = page.get_by_test_id("readers-found")
    found.get_by_label("张小明读的书").fill("草房子")
    found.get_by_label("笔记摘要").fill("桑桑的成长")
    found.get_by_role("button", name="登记").click()
    expect(page.locator(".alert-success")).to_contain_text("已登记 张小明 的读书笔记")
    notes = page.get_by_test_id("notes")
    expect(notes).to_contain_text("桑桑的成长")
    notes.get_by_role("link", name="草房子").click()
    expect(page.get_by_test_id("record-title")).to_have_text("草房子")
