"""Real concurrent transactions on PostgreSQL: two desks, one copy; one reader, many desks."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from circulation import exceptions as exc
from circulation import services
from circulation.models import CirculationEvent, Loan
from tests.circulation.conftest import aware, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(calls):
    """Start every call at the same moment in its own thread (own DB connection); collect outcomes."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_the_database_refuses_a_second_open_loan_for_a_copy(policies, term, student_reader, school_class):
    """Without the service's locks, the partial unique index is the last line of defence."""
    copy = make_copy(make_record(), "A0000001")
    other = make_reader("李华", school_class=school_class, number="20230202")
    now = aware(date(2025, 11, 12))
    fields = {"copy": copy, "reader_kind": "student", "checked_out_at": now, "due_date": date(2025, 11, 26)}
    Loan.objects.create(reader=student_reader, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(reader=other, **fields)


def test_two_desks_scanning_the_same_copy_give_one_loan_and_one_clear_refusal(
    policies, term, student_reader, school_class, librarian
):
    make_copy(make_record(), "A0000001")
    other = make_reader("李华", school_class=school_class, number="20230202")
    now = aware(date(2025, 11, 12))
    results = run_concurrently(
        [
            lambda r=r, d=d: services.loan_checkout(reader=r, copy_barcode="A0000001", by=librarian, now=now, desk=d)
            for r, d in ((student_reader, "一号台"), (other, "二号台"))
        ]
    )
    loans = [r for r in results if isinstance(r, Loan)]
    refusals = [r for r in results if isinstance(r, exc.CirculationError)]
    assert len(loans) == 1 and len(refusals) == 1, results
    assert isinstance(refusals[0], exc.CopyNotAvailable) and "已借出" in refusals[0].message
    assert Loan.objects.filter(returned_at__isnull=True).count() == 1
    assert CirculationEvent.objects.filter(action="refused").count() == 1


def test_reader_limit_holds_under_concurrency(policies, term, student_reader, librarian):
    for i in range(4):
        make_copy(make_record(f"书{i}"), f"B000000{i}")
    now = aware(date(2025, 11, 12))
    results = run_concurrently(
        [
            lambda i=i: services.loan_checkout(
                reader=student_reader, copy_barcode=f"B000000{i}", by=librarian, now=now, desk=f"台{i}"
            )
            for i in range(4)
        ]
    )
    assert sum(isinstance(r, Loan) for r in results) == 2, results
    assert sum(isinstance(r, exc.LoanLimitReached) for r in results) == 2, results
    assert Loan.objects.filter(reader=student_reader, returned_at__isnull=True).count() == 2
