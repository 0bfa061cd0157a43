"""The demo school's reader list as a librarian first sees it: pupils by grade, class and 学号 with
card number, loans on hand and overdue; the class book corners in their own tab."""

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog import clc
from catalog import demo as catalog_demo
from circulation import demo as circulation_demo
from library.demo import DEMO_PASSWORD, DemoContext, DemoScale, build_people

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_school(db):
    clc.ensure_table()
    ctx = DemoContext(
        scale=DemoScale(students=120, teachers=8, titles=600, copies=1200, terms=2),
        today=timezone.localdate(),
        stdout=io.StringIO(),
    )
    build_people(ctx)
    catalog_demo.build(ctx)
    circulation_demo.build(ctx)
    return ctx


def test_the_demo_reader_list_opens_with_first_graders_in_order(page, login, live_server, demo_school):
    login(page, "librarian", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/circulation/readers/")
    rows = page.get_by_test_id("reader-row")
    expect(rows.first).to_be_visible()
    first = [rows.nth(i).locator("td").all_inner_texts() for i in range(5)]
    # Class, 学号, name, kind, card, on loan, overdue, status.
    assert all(r[0] == "一年级(1)班" for r in first), first
    numbers = [r[1] for r in first]
    assert numbers == sorted(numbers)
    assert all(re.fullmatch(r"\S+", r[4]) and r[4] != "—" for r in first)  # every pupil has a card
    assert all(r[5].isdigit() and r[6].isdigit() for r in first)
    expect(page.get_by_test_id("reader-list")).not_to_contain_text("图书角")

    page.get_by_test_id("tab-collective").click()
    corners = page.get_by_test_id("reader-row")
    expect(corners.first).to_contain_text("图书角")
    classes = corners.locator("td:first-child").all_inner_texts()
    assert classes[:2] == ["一年级(1)班", "一年级(2)班"]
    assert classes == sorted(classes, key=lambda c: ("一二三四五六".index(c[0]), c))
