"""Current issues at the circulation desk (the pages): the title's lending setting is edited on its
form; a checked-in issue is lent by scanning its barcode, with the title's due date; a reading-room
title's cover barcode is refused in Chinese."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.calendar_rules import due_date_for
from circulation.models import Loan, TitleLoanRule
from serials import services
from serials.models import Serial
from tests.circulation.conftest import lending_term
from tests.serials.conftest import ean

pytestmark = pytest.mark.django_db

SCAN = reverse("circulation:desk_scan")


def scan(client, code, reader):
    session = client.session  # what the card scan leaves in the desk session
    session["desk_reader"], session["desk_seen"] = reader.pk, [reader.pk]
    session.save()
    return client.post(SCAN, {"code": code, "mode": "checkout", "reader": reader.pk}, HTTP_HX_REQUEST="true")


@pytest.fixture
def this_year(magazine, librarian):
    lending_term()
    return services.subscription_create(
        serial=magazine, year=timezone.localdate().year, unit_price=Decimal("96.00"), copies=1, by=librarian
    )


def settings_form(serial, **changes):
    data = {
        "title": serial.title,
        "kind": serial.kind,
        "issn": serial.issn,
        "frequency": serial.frequency,
        "clc": serial.clc,
        "is_active": "on",
        "lending": "lendable",
        "loan_days": "10",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_title_form_sets_the_lending_of_its_current_issues(client, librarian, magazine, reading_room, this_year):
    client.force_login(librarian)
    client.post(reverse("serials:serial_edit", args=[magazine.pk]), settings_form(magazine, location=reading_room.pk))
    services.issue_check_in(issue=this_year.issues.get(number=5))
    client.post(reverse("serials:serial_edit", args=[magazine.pk]), settings_form(magazine, location=reading_room.pk))
    magazine.refresh_from_db()
    rule = TitleLoanRule.objects.get(record=magazine.record)
    assert (rule.lendable, rule.loan_days, rule.counts_toward_limit) == (True, 10, False)


def test_a_lendable_title_without_a_location_is_not_saved(client, librarian, magazine):
    client.force_login(librarian)
    response = client.post(reverse("serials:serial_edit", args=[magazine.pk]), settings_form(magazine))
    assert "可外借的现刊要选择馆藏地点" in response.content.decode()
    assert Serial.objects.get(pk=magazine.pk).lending == "reading_room"


def test_the_desk_lends_an_issue_by_its_barcode_for_the_titles_period(
    client, librarian, student_reader, magazine, reading_room, this_year
):
    magazine.lending, magazine.loan_days, magazine.location = "lendable", 7, reading_room
    services.serial_save(serial=magazine)
    issue = services.issue_check_in(issue=this_year.issues.get(number=5))
    client.force_login(librarian)
    body = scan(client, issue.new_copies[0].barcode, student_reader).content.decode()
    loan = Loan.objects.get(copy=issue.new_copies[0])
    assert loan.due_date == due_date_for(timezone.localdate(), 7)
    assert "已借出《少年科学》" in body and loan.due_date.isoformat() in body
    assert f"{this_year.year}年第5期" in body  # the reader panel names the issue


def test_a_reading_room_cover_scanned_at_the_desk_is_refused(client, librarian, student_reader, magazine, this_year):
    services.issue_check_in(issue=this_year.issues.get(number=5))
    client.force_login(librarian)
    body = scan(client, ean() + "05", student_reader).content.decode()
    assert f"《少年科学》{this_year.year}年第5期 仅限馆内阅览" in body and 'data-tone="error"' in body
    assert not Loan.objects.exists()


def test_a_lendable_cover_scanned_at_the_desk_names_the_issues_barcode(
    client, assistant, student_reader, magazine, reading_room, this_year
):
    magazine.lending, magazine.location = "lendable", reading_room
    services.serial_save(serial=magazine)
    issue = services.issue_check_in(issue=this_year.issues.get(number=5))
    client.force_login(assistant)
    body = scan(client, ean() + "05", student_reader).content.decode()
    assert issue.new_copies[0].barcode in body and not Loan.objects.exists()


def test_lending_an_issue_costs_the_desk_no_more_queries_than_a_book(
    client, librarian, student_reader, magazine, reading_room, this_year, django_assert_num_queries
):
    magazine.lending, magazine.location = "lendable", reading_room
    services.serial_save(serial=magazine)
    first, second = (services.issue_check_in(issue=this_year.issues.get(number=n)).new_copies[0] for n in (5, 6))
    client.force_login(librarian)
    scan(client, first.barcode, student_reader)  # warm the session and the user
    data = {"code": second.barcode, "mode": "checkout", "reader": student_reader.pk}
    # The same 12 as a book (tests/circulation/test_desk_views.py): the title's rule comes with the copy.
    with django_assert_num_queries(12):
        response = client.post(SCAN, data, HTTP_HX_REQUEST="true")
    assert "已借出" in response.content.decode()
