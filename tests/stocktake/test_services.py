"""Stocktake services: scope, scans and their classification, closing, write-off, found again."""

from datetime import date

import pytest

from catalog.exceptions import CopyNotWithdrawable
from catalog.models import CopyStatus
from catalog.services import withdrawal_create
from catalog.status import copy_write_off
from stocktake import selectors, services
from stocktake.exceptions import ApprovalRefused, ScopeOverlap, StocktakeClosed, StocktakeError
from stocktake.models import ItemResult, ScanResult, StocktakeItem
from tests.conftest import make_reader, make_user
from tests.stocktake.conftest import shelve

pytestmark = pytest.mark.django_db


def test_a_location_stocktake_lists_only_that_locations_copies(stacks, reading_room, librarian):
    shelve(stacks, "A1")
    shelve(reading_room, "B1")
    st = services.stocktake_open(name="书库盘点", locations=[stacks], by=librarian)
    assert st.expected_count == 1
    assert list(st.items.values_list("copy__barcode", flat=True)) == ["A1"]


def test_a_class_range_stocktake_lists_only_those_classes(stacks, librarian):
    shelve(stacks, "A1", clc="I565")
    shelve(stacks, "A2", clc="K20")
    st = services.stocktake_open(name="I 类", class_prefixes="i", by=librarian)
    assert list(st.items.values_list("copy__barcode", flat=True)) == ["A1"]


def test_a_call_number_range_takes_in_whole_classes_at_its_end(stacks, librarian):
    shelve(stacks, "A1", clc="I1", book_number="9")
    shelve(stacks, "A2", clc="I2", book_number="1")
    shelve(stacks, "A3", clc="I287.5", book_number="12")
    shelve(stacks, "A4", clc="I299", book_number="5")
    shelve(stacks, "A5", clc="I3", book_number="1")
    st = services.stocktake_open(name="I2–I29", call_from="I2", call_to="I29", by=librarian)
    assert sorted(st.items.values_list("copy__barcode", flat=True)) == ["A2", "A3", "A4"]
    st2 = services.stocktake_open(name="到 I3/1", call_from="I3", call_to="I3/1", by=librarian)
    assert list(st2.items.values_list("copy__barcode", flat=True)) == ["A5"]


def test_a_call_number_range_backwards_is_refused(librarian):
    with pytest.raises(StocktakeError):
        services.stocktake_open(name="x", call_from="K", call_to="I2", by=librarian)


def test_overlapping_scopes_are_refused_while_the_first_is_open(stacks, reading_room, librarian):
    shelve(stacks, "A1")
    shelve(reading_room, "B1")
    first = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    with pytest.raises(ScopeOverlap):
        services.stocktake_open(name="全部", by=librarian)
    services.stocktake_open(name="阅览室", locations=[reading_room], by=librarian)  # disjoint: fine
    services.stocktake_close(stocktake=first, by=librarian)
    services.stocktake_open(name="书库再盘", locations=[stacks], by=librarian)


def test_each_scan_is_classified(stacks, reading_room, librarian):
    shelve(stacks, "A1")
    shelve(reading_room, "B1")
    shelve(stacks, "A3", status=CopyStatus.ON_LOAN)
    shelve(stacks, "A4", status=CopyStatus.LOST, withdrawn_on=date(2024, 1, 1), withdrawal_reason="lost")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)

    def scan(code):
        return services.scan_record(stocktake=st, barcode=code, location=stacks, by=librarian)

    assert scan("a1").scan.result == ScanResult.IN_PLACE
    assert scan("B1").scan.result == ScanResult.ELSEWHERE
    assert scan("A3").scan.result == ScanResult.ON_LOAN
    assert scan("A4").scan.result == ScanResult.FOUND_AGAIN
    assert scan("ZZZ").scan.result == ScanResult.UNKNOWN
    again = scan("A1")
    assert again.repeated and st.scans.count() == 5


def test_a_scan_of_a_closed_stocktake_is_refused(stacks, librarian):
    shelve(stacks, "A1")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    services.stocktake_close(stocktake=st, by=librarian)
    with pytest.raises(StocktakeClosed):
        services.scan_record(stocktake=st, barcode="A1", location=stacks, by=librarian)


def test_a_collector_file_is_reconciled_with_times_and_repeats(stacks, librarian):
    for i in range(1, 5):
        shelve(stacks, f"A{i}")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    services.scan_record(stocktake=st, barcode="A1", location=stacks, by=librarian)
    content = b"A1\nA2,2025-11-10 09:30:00\nA2\n\nA3\t2025/11/10 09:31\nX9\n"
    outcome = services.scan_file(stocktake=st, content=content, filename="pd1.txt", location=stacks, by=librarian)
    assert (outcome.lines, outcome.new) == (5, 3)
    assert st.items.filter(scanned_at__isnull=False).count() == 3
    assert st.scans.get(barcode="A2").scanned_at.minute == 30


def test_closing_gives_missing_misplaced_and_loss_rate(stacks, reading_room, librarian):
    shelve(stacks, "A1", clc="I565")
    shelve(stacks, "A2", clc="I565")
    shelve(stacks, "A3", clc="K20", status=CopyStatus.ON_LOAN)
    shelve(stacks, "A4", clc="K20")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    services.scan_record(stocktake=st, barcode="A1", location=stacks, by=librarian)
    services.scan_record(stocktake=st, barcode="A4", location=reading_room, by=librarian)
    services.stocktake_close(stocktake=st, by=librarian)
    results = dict(st.items.values_list("copy__barcode", "result"))
    assert results == {"A1": "in_place", "A2": "missing", "A3": "on_loan", "A4": "misplaced"}
    rates = selectors.loss_rates(st)
    assert rates["total"] == {"expected": 3, "missing": 1, "rate": pytest.approx(100 / 3)}
    assert [(r["key"], r["missing"], r["expected"]) for r in rates["by_class"]] == [("I", 1, 2), ("K", 0, 1)]
    assert not StocktakeItem.objects.filter(is_open=True).exists()


def _closed_with_missing(stacks, librarian):
    shelve(stacks, "A1")
    missing = shelve(stacks, "A2")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    services.scan_record(stocktake=st, barcode="A1", location=stacks, by=librarian)
    return services.stocktake_close(stocktake=st, by=librarian), missing


def test_the_proposer_cannot_approve_their_own_write_off(stacks, librarian):
    st, missing = _closed_with_missing(stacks, librarian)
    wo = services.writeoff_propose(stocktake=st, by=librarian)
    with pytest.raises(ApprovalRefused):
        services.writeoff_approve(write_off=wo, by=librarian)
    missing.refresh_from_db()
    assert missing.withdrawn_on is None


def test_a_second_librarian_approves_and_the_missing_copy_is_lost(stacks, librarian):
    st, missing = _closed_with_missing(stacks, librarian)
    wo = services.writeoff_propose(stocktake=st, by=librarian)
    second = make_user("librarian2", "图书管理员")
    batch = services.writeoff_approve(write_off=wo, by=second)
    missing.refresh_from_db()
    assert missing.status == CopyStatus.LOST and missing.withdrawal == batch
    assert list(batch.copies.values_list("barcode", flat=True)) == ["A2"]


def test_a_missing_copy_seen_in_a_later_stocktake_is_not_written_off(stacks, librarian):
    st, missing = _closed_with_missing(stacks, librarian)
    wo = services.writeoff_propose(stocktake=st, by=librarian)
    later = services.stocktake_open(name="复盘", locations=[stacks], by=librarian)
    services.scan_record(stocktake=later, barcode="A2", location=stacks, by=librarian)
    services.stocktake_close(stocktake=later, by=librarian)
    with pytest.raises(StocktakeError):
        services.writeoff_approve(write_off=wo, by=make_user("librarian2", "图书管理员"))
    missing.refresh_from_db()
    assert missing.withdrawn_on is None


def test_an_administrator_may_approve_their_own_proposal(stacks, admin):
    st, missing = _closed_with_missing(stacks, admin)
    wo = services.writeoff_propose(stocktake=st, by=admin)
    services.writeoff_approve(write_off=wo, by=admin)
    missing.refresh_from_db()
    assert missing.status == CopyStatus.LOST


def test_a_written_off_copy_found_later_is_restored_with_its_history(stacks, librarian):
    st, missing = _closed_with_missing(stacks, librarian)
    wo = services.writeoff_propose(stocktake=st, by=librarian)
    services.writeoff_approve(write_off=wo, by=make_user("librarian2", "图书管理员"))
    later = services.stocktake_open(name="复盘", locations=[stacks], by=librarian)
    outcome = services.scan_record(stocktake=later, barcode="A2", location=stacks, by=librarian)
    assert outcome.scan.result == ScanResult.FOUND_AGAIN
    services.copy_found_restore(stocktake=later, copy=missing, by=librarian)
    missing.refresh_from_db()
    assert missing.status == CopyStatus.ON_SHELF and missing.withdrawn_on is None
    history = list(missing.status_changes.order_by("changed_at", "id").values_list("to_status", flat=True))
    assert history == ["lost", "on_shelf"]


def test_a_copy_scanned_in_an_open_stocktake_cannot_be_written_off_elsewhere(stacks, librarian):
    copy = shelve(stacks, "A1")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    services.scan_record(stocktake=st, barcode="A1", location=stacks, by=librarian)
    with pytest.raises(CopyNotWithdrawable):
        withdrawal_create(barcodes=["A1"], reason="damaged", by=librarian)
    with pytest.raises(CopyNotWithdrawable):
        copy_write_off(copy, reason="lost", by=librarian)
    services.stocktake_close(stocktake=st, by=librarian)
    withdrawal_create(barcodes=["A1"], reason="damaged", by=librarian)  # closed: allowed again


def test_only_missing_items_are_listed_as_missing(stacks, librarian):
    st, missing = _closed_with_missing(stacks, librarian)
    assert [i.copy for i in selectors.items_with(st, ItemResult.MISSING)] == [missing]


def test_a_lent_copy_scanned_in_an_open_stocktake_cannot_be_reported_lost(stacks, librarian, school_class):
    from circulation import exceptions as circ_exc
    from circulation import services as circulation
    from tests.circulation.conftest import lending_term

    lending_term()
    pupil = make_reader("张小明", school_class=school_class)
    shelve(stacks, "A1")
    circulation.loan_checkout(reader=pupil, copy_barcode="A1", by=librarian)
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    assert services.scan_record(stocktake=st, barcode="A1", location=stacks, by=librarian).scan.result == "on_loan"
    with pytest.raises(circ_exc.CompensationError):
        circulation.compensation_report(copy_barcode="A1", kind="lost", by=librarian)
