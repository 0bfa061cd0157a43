"""Periodical services: ISSN, predicted issues, check-in by barcode or click, claims, binding."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Copy
from serials import selectors, services
from serials.exceptions import InvalidIssn, IssueNotFound, SerialError
from serials.models import Issue, Serial
from tests.serials.conftest import ISSN, ean


def at(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 9))


def test_issn_is_validated_and_formatted():
    assert services.issn_normalize("03178471") == ISSN
    assert services.issn_normalize("ISSN 0317-8471") == ISSN
    with pytest.raises(InvalidIssn):
        services.issn_normalize("0317-8472")


def test_the_cover_barcode_names_the_issn_and_the_issue():
    assert services.barcode_parse(ean() + "05") == (ISSN, 5)
    assert services.barcode_parse(ean() + " 11") == (ISSN, 11)
    assert services.barcode_parse(ean()) == (ISSN, None)
    with pytest.raises(InvalidIssn):
        services.barcode_parse(ean()[:-1] + str((int(ean()[-1]) + 1) % 10) + "05")  # a misread digit


@pytest.mark.parametrize(
    "frequency, count, first",
    [
        ("monthly", 12, date(2026, 1, 1)),
        ("bimonthly", 6, date(2026, 1, 1)),
        ("quarterly", 4, date(2026, 1, 1)),
        ("semimonthly", 24, date(2026, 1, 1)),
        ("weekly", 52, date(2026, 1, 5)),
        ("daily", 365, date(2026, 1, 1)),
    ],
)
def test_issues_are_predicted_from_the_frequency(frequency, count, first):
    issues = services.expected_issues(Serial(frequency=frequency), 2026)
    assert (len(issues), issues[0]) == (count, (1, first))


def test_a_half_year_subscription_keeps_the_year_numbers():
    issues = services.expected_issues(Serial(frequency="monthly"), 2026, 7, 12)
    assert [n for n, _d in issues] == [7, 8, 9, 10, 11, 12]


def test_a_custom_pattern_spreads_its_issues_over_the_year():
    assert len(services.expected_issues(Serial(frequency="custom", issues_per_year=10), 2026)) == 10


def test_subscribing_twice_in_a_year_is_refused(subscription):
    with pytest.raises(SerialError):
        services.subscription_create(serial=subscription.serial, year=2026, unit_price=Decimal("1"))
    assert subscription.issues.count() == 12


def test_scanning_checks_in_the_issue_of_the_add_on(subscription, librarian):
    issue = services.check_in_scan(code=ean() + "03", year=2026, by=librarian, now=at(2026, 3, 5))
    assert (issue.number, issue.received_on, issue.received_copies) == (3, date(2026, 3, 5), 2)


def test_scanning_without_add_on_takes_the_earliest_missing_issue(subscription):
    services.check_in_scan(code=ean() + "01", year=2026, now=at(2026, 1, 5))
    assert services.check_in_scan(code=ISSN, year=2026, now=at(2026, 2, 5)).number == 2


def test_checking_in_twice_or_an_unknown_title_is_refused(subscription):
    services.check_in_scan(code=ean() + "01", year=2026)
    with pytest.raises(SerialError):
        services.check_in_scan(code=ean() + "01", year=2026)
    with pytest.raises(IssueNotFound):
        services.check_in_scan(code=ean("1234567") + "01", year=2026)
    with pytest.raises(IssueNotFound):
        services.check_in_scan(code="hello", year=2026)


def test_late_and_missing_issues_and_the_check_in_rate(subscription):
    services.check_in_scan(code=ean() + "01", year=2026, now=at(2026, 1, 3))
    services.check_in_scan(code=ean() + "02", year=2026, now=at(2026, 3, 10))  # due by 2-21: late
    today = date(2026, 4, 15)  # no. 3 (3-1, due by 3-21) is missing; no. 4 (4-1) still in its grace days
    row = selectors.year_rows(2026, today)[0]
    assert (row.expected, row.received, row.late, row.missing) == (3, 2, 1, 1)
    assert [i.number for i in selectors.missing_issues(today)] == [3]


def test_statistics_against_the_standard(subscription, school_settings):
    stats = selectors.year_statistics(2026, date(2026, 1, 30))
    assert (stats["titles"], stats["copies"], stats["spend"]) == (1, 2, Decimal("192.00"))
    assert stats["standard"]["titles"] == 60 and stats["shortfall"] == 59


def test_claiming_records_the_day(subscription):
    issue = subscription.issues.get(number=1)
    services.issues_claim(issue_ids=[issue.pk], now=at(2026, 2, 1))
    issue.refresh_from_db()
    assert issue.claimed_on == date(2026, 2, 1)


def test_binding_catalogues_a_volume_that_leaves_the_current_issues(subscription, reading_room, librarian):
    for n in (1, 2, 3):
        services.check_in_scan(code=ean() + f"0{n}", year=2026)
    ids = list(subscription.issues.filter(number__lte=3).values_list("pk", flat=True))
    volume = services.volume_bind(
        subscription=subscription, issue_ids=ids, label="2026年1-3期", location=reading_room, by=librarian
    )
    record = volume.copy.record
    assert (record.title, record.volume, record.call_number) == ("少年科学", "2026年1-3期", "N49/1")
    assert Issue.objects.filter(bound_volume=volume).count() == 3
    assert Copy.objects.get(pk=volume.copy.pk).status == "on_shelf"
    again = services.volume_bind(
        subscription=subscription,
        issue_ids=[services.check_in_scan(code=ean() + "04", year=2026).pk],
        label="2026年4期",
        location=reading_room,
    )
    assert again.copy.record.call_number == "N49/1"  # every volume of a title shares its 种次号


def test_binding_refuses_issues_not_received(subscription, reading_room):
    with pytest.raises(SerialError):
        services.volume_bind(
            subscription=subscription,
            issue_ids=[subscription.issues.get(number=1).pk],
            label="x",
            location=reading_room,
        )
    assert not Copy.objects.exists()
