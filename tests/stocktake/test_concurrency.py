"""Several scanners at once, and two librarians opening overlapping stocktakes at the same moment."""

import threading
import time

import pytest
from django.db import connection, transaction

from stocktake import services
from stocktake.exceptions import ScopeOverlap, StocktakeClosed
from stocktake.models import Stocktake, StocktakeItem
from tests.circulation.test_concurrency import run_concurrently
from tests.stocktake.conftest import shelve

pytestmark = pytest.mark.django_db(transaction=True)


def test_four_scanners_scanning_the_same_book_record_it_once(stacks, librarian):
    shelve(stacks, "A1")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    results = run_concurrently(
        [lambda: services.scan_record(stocktake=st, barcode="A1", location=stacks, by=librarian)] * 4
    )
    assert sorted(r.repeated for r in results) == [False, True, True, True]
    assert st.scans.count() == 1 and st.items.get().scanned_at is not None


def test_overlapping_stocktakes_opened_at_once_give_one_and_a_refusal(stacks, librarian):
    for i in range(50):
        shelve(stacks, f"A{i}")
    results = run_concurrently(
        [lambda n=n: services.stocktake_open(name=n, locations=[stacks], by=librarian) for n in ("甲", "乙")]
    )
    assert sorted(type(r).__name__ for r in results) == ["ScopeOverlap", "Stocktake"]
    assert isinstance([r for r in results if not isinstance(r, Stocktake)][0], ScopeOverlap)
    assert StocktakeItem.objects.filter(is_open=True).count() == 50


def _wait_until_a_backend_waits_for_a_lock():
    with connection.cursor() as cur:
        for _ in range(1000):
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cur.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the scan never waited for the closing stocktake's lock")


def test_a_scan_arriving_while_the_stocktake_closes_waits_and_is_refused(stacks, librarian):
    """The scan's one statement takes the stocktake FOR SHARE: it waits for the closing (FOR
    UPDATE) and, once that committed, sees the stocktake closed and records nothing."""
    shelve(stacks, "A1")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    closed, release, outcome = threading.Event(), threading.Event(), {}

    def close():
        try:
            with transaction.atomic():  # holds the closing's lock until released
                services.stocktake_close(stocktake=st, by=librarian)
                closed.set()
                release.wait(30)
        finally:
            connection.close()

    def scan():
        try:
            outcome["scan"] = services.scan_record(stocktake=st.pk, barcode="A1", location=stacks.pk, by=librarian)
        except StocktakeClosed as error:
            outcome["scan"] = error
        finally:
            connection.close()

    closer = threading.Thread(target=close)
    closer.start()
    assert closed.wait(30)
    scanner = threading.Thread(target=scan)
    scanner.start()
    _wait_until_a_backend_waits_for_a_lock()
    release.set()
    closer.join(30)
    scanner.join(30)
    assert isinstance(outcome["scan"], StocktakeClosed)
    assert not st.scans.exists() and st.items.get().result == "missing"
