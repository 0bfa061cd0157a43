"""Several scanners at once, and two librarians opening overlapping stocktakes at the same moment."""

import pytest

from stocktake import services
from stocktake.exceptions import ScopeOverlap
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
