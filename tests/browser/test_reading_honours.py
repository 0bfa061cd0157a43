"""Term-end honours: the librarian proposes them from the term's loans, takes one pupil off and adds
another, publishes, and prints the certificates and the announcement."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.models import SchoolClass, Term
from tests.browser.helpers import catalogue
from tests.reading.conftest import lend, pupil

pytestmark = pytest.mark.django_db(transaction=True)


def test_propose_edit_publish_and_print(page, login, librarian, school_class, live_server, stacks):
    today = timezone.localdate()
    term = Term.objects.create(
        name="本学期", school_year=2099, number=1, start=today - timedelta(days=60), end=today + timedelta(days=90)
    )
    keen, also, quiet = pupil("张小明", school_class), pupil("李小红", school_class), pupil("王小刚", school_class)
    for i in range(3):
        lend(catalogue(f"书{i}", "I287", stacks, copies=1), keen)
    for i in range(2):
        lend(catalogue(f"另一本{i}", "I287", stacks, copies=1), also)

    login(page, "librarian1")
    page.locator("nav.navbar").get_by_role("button", name="阅读推广").click()
    page.get_by_role("link", name="读书表彰").click()
    form = page.get_by_test_id("honours-new")
    form.get_by_label("学期").select_option(label=term.name)
    form.get_by_label("表彰名称").fill("本学期读书表彰")
    form.get_by_label("最少借阅册数").fill("2")
    form.get_by_role("button", name="提名").click()
    expect(page.locator(".alert-success")).to_contain_text("请核对后公布")
    honours = page.get_by_test_id("honours")
    expect(honours).to_contain_text("张小明")
    expect(honours).to_contain_text("李小红")
    expect(honours).to_contain_text("先进班级")

    honours.get_by_role("button", name="移除 李小红").click()
    expect(page.get_by_test_id("honours")).not_to_contain_text("李小红")
    page.get_by_test_id("reader-search").fill("王小刚")
    page.get_by_test_id("reader-search").press("Enter")
    found = page.get_by_test_id("readers-found")
    found.get_by_label("荣誉").select_option("active")
    found.get_by_role("button", name="加入").click()
    expect(page.get_by_test_id("honours").get_by_role("row").filter(has_text="王小刚")).to_contain_text("读书积极分子")

    page.get_by_role("button", name="公布").click()
    expect(page.get_by_test_id("round-status")).to_have_text("已公布")
    expect(page.get_by_role("button", name="移除 王小刚")).to_have_count(0)

    page.get_by_role("link", name="打印奖状").click()
    certificates = page.get_by_test_id("certificate")
    expect(certificates).to_have_count(3)  # the class, 张小明, 王小刚
    expect(certificates.filter(has_text="张小明")).to_contain_text("读书之星")
    expect(certificates.filter(has_text=quiet.name)).to_contain_text("读书积极分子")

    page.go_back()
    page.get_by_role("link", name="公告名单").click()
    expect(page.get_by_test_id("announcement")).to_contain_text("张小明")
    expect(page.get_by_test_id("announcement")).not_to_contain_text("李小红")


def test_honours_per_grade(page, login, librarian, school_class, live_server, stacks):
    """按年级评选: the grade's best readers win whichever class they are in."""
    today = timezone.localdate()
    term = Term.objects.create(
        name="本学期", school_year=2099, number=1, start=today - timedelta(days=60), end=today + timedelta(days=90)
    )
    sibling = SchoolClass.objects.create(entry_year=school_class.entry_year, number=school_class.number + 1)
    first, second = pupil("张小明", school_class), pupil("李小红", school_class)
    other = pupil("王小刚", sibling)
    for reader, n in ((first, 4), (second, 3), (other, 2)):
        for i in range(n):
            lend(catalogue(f"{reader.name}的书{i}", "I287", stacks, copies=1), reader)

    login(page, "librarian1")
    page.goto(f"{live_server.url}/reading/honours/")
    form = page.get_by_test_id("honours-new")
    form.get_by_label("学期").select_option(label=term.name)
    form.get_by_label("表彰名称").fill("年级读书表彰")
    form.get_by_label("评选范围").select_option(label="按年级评选")
    form.get_by_label("每班（年级）读书之星人数").fill("2")
    form.get_by_label("每班（年级）读书积极分子人数").fill("0")
    form.get_by_label("最少借阅册数").fill("2")
    form.get_by_role("button", name="提名").click()
    expect(page.get_by_test_id("round-rules")).to_contain_text("每个年级读书之星 2 人")
    honours = page.get_by_test_id("honours")
    expect(honours.get_by_role("row").filter(has_text="张小明")).to_contain_text("读书之星")
    expect(honours.get_by_role("row").filter(has_text="李小红")).to_contain_text("读书之星")
    expect(honours).not_to_contain_text("王小刚")  # per class, he would have been his class's star
