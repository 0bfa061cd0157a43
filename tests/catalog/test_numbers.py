"""种次号 and accession numbers: sequential, per class number, never twice — also under concurrency."""

import threading

import pytest
from django.db import connection, transaction

from catalog import services
from catalog.models import BarcodeSequence, BookNumberCounter, Record


def test_book_numbers_run_per_class_number(catalogue):
    a = catalogue("小猪唏哩呼噜", "I287.5")
    b = catalogue("大头儿子和小头爸爸", "I287.5")
    c = catalogue("稻草人", "I287.7")
    assert (a.call_number, b.call_number, c.call_number) == ("I287.5/1", "I287.5/2", "I287.7/1")


def test_book_numbers_continue_after_numbers_already_used(catalogue):
    catalogue("旧书", "I287.8", book_number="41")
    assert catalogue("新书", "I287.8").book_number == "42"


def test_a_typed_book_number_is_kept_and_later_numbers_skip_it(catalogue):
    catalogue("一", "I287.6")
    catalogue("二", "I287.6", book_number="3")
    assert catalogue("三", "I287.6").book_number == "2"
    assert catalogue("四", "I287.6").book_number == "4"


def test_changing_the_class_number_gives_a_new_book_number(catalogue):
    rec = catalogue("小王子", "I565.8")
    catalogue("夏洛的网", "I712.8")
    rec = services.record_update(record=rec, data={"clc": "I712.8"})
    assert rec.call_number == "I712.8/2"
    assert rec.shelf_key.startswith("I7128 ")


def test_accession_numbers_use_prefix_and_width_and_skip_used_ones(catalogue, stacks):
    BarcodeSequence.objects.create(name="default", prefix="B", width=5, next_value=7)
    rec = catalogue("书", copies=0)
    services.copies_add(record=rec, count=1, location=stacks, barcodes=["B00008"])
    assert services.barcodes_allocate(count=3) == ["B00007", "B00009", "B00010"]
    assert BarcodeSequence.objects.get().next_value == 11


def test_copies_get_the_next_barcodes(catalogue):
    rec = catalogue("城南旧事", "I246.5", copies=3)
    assert sorted(rec.copies.values_list("barcode", flat=True)) == ["A0000001", "A0000002", "A0000003"]


def _race(fn, n=4):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_cataloguers_never_get_the_same_book_number():
    results, errors = _race(lambda: services.book_number_assign(code="I287.45"))
    assert errors == []
    assert sorted(results, key=int) == ["1", "2", "3", "4"]
    assert BookNumberCounter.objects.get(clc="I287.45").last_number == 4


@pytest.mark.django_db(transaction=True)
def test_without_the_row_lock_the_race_hands_out_duplicates():
    """Shows the race the lock prevents: read-then-write without FOR UPDATE loses updates."""
    BookNumberCounter.objects.create(clc="I287.46", last_number=0)
    barrier = threading.Barrier(4)

    def unlocked():
        with transaction.atomic():
            counter = BookNumberCounter.objects.get(clc="I287.46")
            barrier.wait()
            counter.last_number += 1
            counter.save()
            return counter.last_number

    results, errors = _race(unlocked)
    assert errors == []
    assert len(set(results)) < 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_copy_creation_never_repeats_a_barcode():
    from catalog.models import Location

    stacks = Location.objects.create(name="书库", code="SK")
    rec = Record.objects.create(title="书")
    results, errors = _race(lambda: [c.barcode for c in services.copies_add(record=rec, count=5, location=stacks)])
    assert errors == []
    codes = [b for batch in results for b in batch]
    assert len(codes) == len(set(codes)) == 20


def test_reindex_command_rebuilds_search_fields(catalogue):
    from django.core.management import call_command

    rec = catalogue("哈利·波特", "I561.45")
    Record.objects.filter(pk=rec.pk).update(search_text="", call_number="")
    call_command("reindex_catalog", stdout=__import__("io").StringIO())
    rec.refresh_from_db()
    assert rec.call_number == "I561.45/1" and "利波" in rec.search_text.split()


def test_an_emptied_book_number_is_replaced_by_the_next_one_of_the_class(catalogue):
    # The edit form says "留空则自动取该分类号的下一个种次号": an emptied 种次号 must not leave a
    # call number without one.
    catalogue("城南旧事", "I287.5")
    rec = catalogue("小橘灯", "I287.5", book_number="7")
    rec = services.record_update(record=rec, data={"book_number": ""})
    assert (rec.book_number, rec.call_number) == ("2", "I287.5/2")
    rec.refresh_from_db()
    assert rec.call_number == "I287.5/2"


def test_an_unchanged_record_keeps_its_book_number(catalogue):
    rec = catalogue("小橘灯", "I287.5", book_number="7")
    rec = services.record_update(record=rec, data={"title": "小橘灯（插图本）", "book_number": "7"})
    assert rec.call_number == "I287.5/7"
