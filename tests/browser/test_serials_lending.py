"""A lendable magazine: the librarian makes its current issues lendable, checks an issue in (it gets
a barcode), lends it at the desk to a pupil by scanning that barcode, sees the due date of the
title's own period, and takes it back."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog import clc
from catalog.models import Location
from circulation.calendar_rules import due_date_for
from circulation.models import Loan
from serials import services
from serials.models import Serial
from tests.circulation.conftest import lending_term
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_issue_of_a_lendable_magazine_is_lent_and_returned_at_the_desk(
    page, login, live_server, librarian, school_class
):
    clc.ensure_table()
    lending_term()
    Location.objects.create(name="期刊阅览室", code="QK")
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    serial = Serial.objects.create(title="少年科学", issn="0317-8471", frequency="monthly", clc="N49")
    year = timezone.localdate().year
    sub = services.subscription_create(serial=serial, year=year, unit_price=Decimal("96"), copies=1, by=librarian)
    login(page, "librarian1")

    # The title's current issues become lendable for 7 days.
    page.goto(f"{live_server.url}/serials/titles/{serial.pk}/edit/")
    page.get_by_label("现刊借阅").select_option("lendable")
    page.get_by_label("现刊借期（天）").fill("7")
    page.get_by_label("现刊馆藏地点").select_option(label="期刊阅览室")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("serial-lending")).to_contain_text("可外借 · 借期 7 天")

    # Check-in of no. 5 gives it a barcode.
    page.goto(f"{live_server.url}/serials/subscriptions/{sub.pk}/")
    page.get_by_role("button", name="登到第 5 期").click()
    expect(page.get_by_role("alert")).to_contain_text("现刊条码")
    barcode = page.get_by_test_id("issue-barcode").inner_text()

    # At the desk: the pupil's card, then the issue's barcode.
    page.goto(f"{live_server.url}/circulation/desk/")
    code = page.get_by_test_id("desk-code")
    feedback = page.get_by_test_id("desk-feedback")
    code.fill(pupil.cards.get().number)
    code.press("Enter")
    expect(page.get_by_test_id("reader-name")).to_contain_text("张小明")
    code.fill(barcode)
    code.press("Enter")
    due = due_date_for(timezone.localdate(), 7).isoformat()
    expect(feedback).to_contain_text(f"已借出《少年科学》（{barcode}），应还日期 {due}")
    expect(page.get_by_test_id("reader-loans")).to_contain_text(f"少年科学 {year}年第5期")

    # Back again.
    page.get_by_test_id("mode-return").click()
    expect(page.locator("#desk-mode")).to_have_value("return")
    code.fill(barcode)
    code.press("Enter")
    expect(feedback).to_contain_text(f"已还《少年科学》（{barcode}）")
    assert Loan.objects.get(copy__barcode=barcode).returned_at is not None
