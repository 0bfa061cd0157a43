"""Card numbers and copy barcodes never coincide: the desk reads a scan as a card first, so a
copy whose barcode is also a card number could never be lent."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog import importing
from catalog import models as catalog_models
from catalog import services as catalog_services
from catalog.exceptions import CatalogError
from circulation import exceptions as exc
from circulation import services
from circulation.models import LibraryCard, Loan
from tests.circulation.conftest import make_copy
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db

SCAN = reverse("circulation:desk_scan")


def _scan(client, code, reader=None):
    data = {"code": code, "mode": "checkout", "desk": "一号台"}
    if reader:
        data["reader"] = reader.pk
    return client.post(SCAN, data, HTTP_HX_REQUEST="true").content.decode()


def test_a_card_number_equal_to_a_copy_barcode_is_refused_with_a_message(setup):
    reader = make_reader("王老师", kind="teacher", card=False)
    with pytest.raises(exc.CardError, match="A0000001.*登记号"):
        services.card_issue(reader=reader, number="A0000001", by=setup["by"])
    assert not reader.cards.exists()


def test_a_generated_card_number_skips_a_copy_barcode_and_the_desk_lends_that_copy(client, setup, school_class):
    reader = make_reader("李小红", school_class=school_class, card=False)
    clash = make_copy(barcode=f"D{reader.pk:07d}")  # a school whose accession numbers start with D
    card = services.card_issue(reader=reader, by=setup["by"])
    assert card.number != clash.barcode

    client.force_login(setup["by"])
    assert "李小红" in _scan(client, card.number)
    assert "已借出" in _scan(client, clash.barcode, reader)
    assert Loan.objects.filter(reader=reader, copy=clash, returned_at__isnull=True).exists()


def test_the_database_refuses_a_card_number_that_is_a_copy_barcode(setup):
    reader = make_reader("王老师", kind="teacher", card=False)
    with pytest.raises(IntegrityError, match="circulation_barcode_not_card_number"), transaction.atomic():
        LibraryCard.objects.create(reader=reader, number="A0000002", issued_at=timezone.now())


def test_the_database_refuses_a_copy_barcode_that_is_a_card_number(setup):
    number = setup["reader"].cards.get().number
    with pytest.raises(IntegrityError, match="circulation_barcode_not_card_number"), transaction.atomic():
        make_copy(barcode=number)


def test_the_catalogue_refuses_a_barcode_that_is_a_card_number_with_a_message(setup):
    number = setup["reader"].cards.get().number
    copy = setup["c1"]
    with pytest.raises(CatalogError, match="借书证"):
        catalog_services.copies_add(record=copy.record, count=1, location=copy.location, barcodes=[number])
    assert not copy.record.copies.filter(barcode=number).exists()


def test_new_accession_numbers_skip_card_numbers(setup):
    reader = make_reader("王老师", kind="teacher", card=False)
    next_code = catalog_services.barcodes_allocate(count=1)[0]
    # A card took the next accession number (e.g. cards pre-printed from the same roll).
    LibraryCard.objects.create(reader=reader, number=f"A{int(next_code[1:]) + 1:07d}", issued_at=timezone.now())
    copies = catalog_services.copies_add(record=setup["record"], count=1, location=setup["c1"].location)
    assert copies[0].barcode != reader.cards.get().number


def test_the_import_preview_flags_a_barcode_that_is_a_card_number(setup):
    number = setup["reader"].cards.get().number
    rows = [(2, {"title": "草房子", "clc": "I287.45", "barcodes": [number], "location": setup["c1"].location.name})]
    checked = importing.check_rows(
        rows, kind="excel", filename="f.xlsx", content=b"x", default_location=setup["c1"].location
    )
    assert any("借书证" in p for p in checked.rows[0].problems)


@pytest.mark.django_db(transaction=True)
def test_a_card_and_a_copy_taking_the_same_code_at_once_cannot_both_win():
    import threading
    import time

    from django.db import connection

    reader = make_reader("王老师", kind="teacher", card=False)
    template = make_copy(barcode="A0000100")
    card_written, results = threading.Event(), {}

    def issue_card():
        try:
            with transaction.atomic():
                LibraryCard.objects.create(reader=reader, number="X0000001", issued_at=timezone.now())
                card_written.set()
                time.sleep(0.5)  # the copy's insert runs now, before this commits
            results["card"] = "ok"
        finally:
            connection.close()

    def add_copy():
        card_written.wait(5)
        try:
            with transaction.atomic():
                make_copy(template.record, "X0000001")
            results["copy"] = "ok"
        except IntegrityError:
            results["copy"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=issue_card), threading.Thread(target=add_copy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    # Without the trigger's lock the copy's check would not see the uncommitted card: both would win.
    assert results == {"card": "ok", "copy": "refused"}


def test_a_transaction_writing_many_copies_holds_at_most_64_barcode_locks(setup):
    """The trigger's advisory lock is one of 64 buckets of codes: one lock per code ran out of
    lock-table slots (out of shared memory) when the benchmark school wrote 100,000 copies."""
    from django.db import connection

    first = make_copy()
    with transaction.atomic():
        catalog_models.Copy.objects.bulk_create(
            catalog_models.Copy(
                record=first.record,
                barcode=f"BULK{n:06d}",
                location=first.location,
                acquired_on=first.acquired_on,
                price=first.price,
            )
            for n in range(2_000)
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            held = cursor.fetchone()[0]
    assert 0 < held <= 64
    assert catalog_models.Copy.objects.filter(barcode__startswith="BULK").count() == 2_000
