"""Current issues lent at the desk: a lendable title's checked-in issue gets a copy with a barcode,
lent by the title's own period, counted toward the reader's limit or not; 仅阅览 is refused;
binding waits for the issues on loan."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from catalog.models import Copy, CopyStatus
from circulation import exceptions as circ
from circulation.models import CirculationSettings, Loan, Term
from circulation.services import loan_checkout, loan_renew, loan_return
from serials import services
from serials.exceptions import SerialError
from serials.models import BoundVolume, Serial
from tests.circulation.conftest import make_copy, make_policies

NOW = timezone.make_aware(datetime(2026, 3, 4, 10))  # a Wednesday in the spring term


@pytest.fixture
def desk(db):
    make_policies()  # pupils: 2 books for 14 days
    CirculationSettings.current()
    Term.objects.create(name="春季学期", school_year=2025, number=2, start=date(2026, 2, 20), end=date(2026, 7, 10))


def make_lendable(serial, location, *, days=7, counts=False):
    serial.lending, serial.loan_days, serial.counts_toward_limit, serial.location = "lendable", days, counts, location
    return services.serial_save(serial=serial)


def check_in(subscription, number=3):
    return services.issue_check_in(issue=subscription.issues.get(number=number), now=NOW)


@pytest.fixture
def lent_issue(desk, magazine, reading_room, subscription, student_reader, librarian):
    make_lendable(magazine, reading_room)
    issue = check_in(subscription)
    loan = loan_checkout(reader=student_reader, copy_barcode=issue.new_copies[0].barcode, by=librarian, now=NOW)
    return issue, loan


def test_a_checked_in_issue_of_a_lendable_title_gets_a_copy_per_received_copy(magazine, reading_room, subscription):
    make_lendable(magazine, reading_room)
    issue = check_in(subscription)
    copies = Copy.objects.filter(serial_issue__issue=issue)
    assert sorted(c.barcode for c in copies) == sorted(c.barcode for c in issue.new_copies)
    assert [(c.volume_label, c.status, c.record_id) for c in copies] == [
        ("2026年第3期", CopyStatus.ON_SHELF, Serial.objects.get(pk=magazine.pk).record_id)
    ] * 2  # the subscription has 2 copies


def test_a_reading_room_title_gets_no_copies(magazine, subscription):
    issue = check_in(subscription)
    assert issue.new_copies == [] and not Copy.objects.exists()


def test_an_issue_is_lent_for_the_titles_own_period(lent_issue):
    _issue, loan = lent_issue
    assert loan.due_date == date(2026, 3, 11)  # 7 days, not the pupils' 14


def test_a_reading_room_issue_is_refused_at_the_desk(desk, magazine, reading_room, subscription, student_reader):
    make_lendable(magazine, reading_room)
    issue = check_in(subscription, 5)
    magazine.refresh_from_db()
    magazine.lending = "reading_room"
    services.serial_save(serial=magazine)
    with pytest.raises(circ.CopyNotAvailable) as refused:
        loan_checkout(reader=student_reader, copy_barcode=issue.new_copies[0].barcode, now=NOW)
    assert refused.value.message == "《少年科学》2026年第5期 仅限馆内阅览"
    assert not Loan.objects.exists()


def test_a_lent_issue_comes_back(lent_issue, librarian):
    issue, loan = lent_issue
    result = loan_return(copy_barcode=issue.new_copies[0].barcode, by=librarian, now=NOW + timedelta(days=3))
    assert result.loan.pk == loan.pk and result.overdue_days == 0
    assert Copy.objects.get(pk=issue.new_copies[0].pk).status == CopyStatus.ON_SHELF


def test_a_renewal_adds_the_titles_period(lent_issue, librarian):
    _issue, loan = lent_issue
    renewed = loan_renew(loan=loan, by=librarian, now=NOW + timedelta(days=6))
    assert renewed.due_date == date(2026, 3, 18)


def test_an_issue_not_counted_goes_out_at_the_limit_and_keeps_the_limit_free(
    desk, magazine, reading_room, subscription, student_reader
):
    make_lendable(magazine, reading_room, counts=False)
    issue = check_in(subscription)
    loan_checkout(reader=student_reader, copy_barcode=make_copy().barcode, now=NOW)
    loan_checkout(reader=student_reader, copy_barcode=issue.new_copies[0].barcode, now=NOW)
    loan_checkout(reader=student_reader, copy_barcode=make_copy().barcode, now=NOW)  # 2 books + the issue
    issue2 = check_in(subscription, 4)
    loan_checkout(reader=student_reader, copy_barcode=issue2.new_copies[0].barcode, now=NOW)  # at the limit
    with pytest.raises(circ.LoanLimitReached):
        loan_checkout(reader=student_reader, copy_barcode=make_copy().barcode, now=NOW)
    assert Loan.objects.filter(reader=student_reader, returned_at__isnull=True).count() == 4


def test_an_issue_that_counts_is_refused_at_the_limit(desk, magazine, reading_room, subscription, student_reader):
    make_lendable(magazine, reading_room, counts=True)
    issue = check_in(subscription)
    loan_checkout(reader=student_reader, copy_barcode=make_copy().barcode, now=NOW)
    loan_checkout(reader=student_reader, copy_barcode=issue.new_copies[0].barcode, now=NOW)
    with pytest.raises(circ.LoanLimitReached):
        loan_checkout(reader=student_reader, copy_barcode=issue.new_copies[1].barcode, now=NOW)


def test_binding_refuses_an_issue_on_loan(lent_issue, subscription):
    issue, _loan = lent_issue
    with pytest.raises(SerialError) as refused:
        services.volume_bind(
            subscription=subscription, issue_ids=[issue.pk], label="2026年1-6期", location=issue.new_copies[0].location
        )
    assert issue.new_copies[0].barcode in str(refused.value) and "借出" in str(refused.value)
    assert not BoundVolume.objects.exists()
    assert Copy.objects.get(pk=issue.new_copies[1].pk).withdrawn_on is None


def test_a_bound_issue_leaves_circulation(lent_issue, subscription, student_reader, librarian):
    issue, _loan = lent_issue
    code = issue.new_copies[0].barcode
    loan_return(copy_barcode=code, by=librarian, now=NOW + timedelta(days=1))
    services.volume_bind(
        subscription=subscription, issue_ids=[issue.pk], label="2026年1-6期", location=issue.new_copies[0].location
    )
    assert not Copy.objects.filter(serial_issue__issue=issue, withdrawn_on__isnull=True).exists()
    with pytest.raises(circ.CopyNotAvailable):
        loan_checkout(reader=student_reader, copy_barcode=code, now=NOW + timedelta(days=2))


def test_a_lendable_title_needs_a_location(magazine):
    magazine.lending = "lendable"
    with pytest.raises(SerialError):
        services.serial_save(serial=magazine)
