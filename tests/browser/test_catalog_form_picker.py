"""The cataloguing form: the 中图法 picker finds a class by its name and shows the chosen class's
name; 语种 is a list; a second record with an ISBN already catalogued needs the explicit choice."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Record
from tests.browser.helpers import catalogue

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_clc_picker_finds_a_class_by_its_name(page, login, librarian, live_server, stacks):
    login(page, "librarian1")
    page.goto(f"{live_server.url}/catalog/records/new/?isbn=")
    page.fill("#id_title", "安徒生童话")
    page.locator("#id_clc").press_sequentially("童话")
    choices = page.get_by_test_id("clc-choices")
    expect(choices).to_contain_text("I287.7")
    choices.get_by_role("button", name=re.compile(r"^I287\.7 童话、寓言")).click()
    expect(page.locator("#id_clc")).to_have_value("I287.7")
    expect(page.get_by_test_id("clc-name")).to_have_text("I287.7：童话、寓言")
    page.select_option("#id_language", label="英语")
    page.get_by_role("button", name="保存书目并生成登记号").click()
    expect(page.get_by_test_id("record-clc")).to_contain_text("I287.7 童话、寓言")
    assert Record.objects.get().language == "eng"


def test_an_isbn_already_catalogued_needs_the_explicit_choice(page, login, librarian, live_server, stacks):
    catalogue("中国少年儿童百科全书", "Z228.1", stacks, copies=1, isbn="9787534205200", volume="第1册")
    login(page, "librarian1")
    page.goto(f"{live_server.url}/catalog/records/new/")
    page.fill("#id_isbn_lookup", "9787534205200")
    page.press("#id_isbn_lookup", "Enter")
    expect(page.get_by_test_id("isbn-matches")).to_contain_text("中国少年儿童百科全书 · 第1册")
    page.fill("#id_title", "中国少年儿童百科全书")
    page.fill("#id_volume", "第2册")
    page.fill("#id_clc", "Z228.1")
    page.get_by_role("button", name="保存书目并生成登记号").click()
    # Saving without the choice keeps asking; nothing is saved.
    expect(page.get_by_test_id("isbn-shared-choice")).to_be_visible()
    assert Record.objects.count() == 1
    page.get_by_label("多卷书：同一 ISBN 的另一册").check()
    page.get_by_role("button", name="保存书目并生成登记号").click()
    expect(page.get_by_test_id("record-title")).to_have_text("中国少年儿童百科全书 · 第2册")
    expect(page.get_by_test_id("record-clc")).to_contain_text("多卷书：同一 ISBN 的另一册")
