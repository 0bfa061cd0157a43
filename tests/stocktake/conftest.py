"""Stocktake fixtures: two locations and a helper to put copies on their shelves."""

import itertools
from datetime import date

import pytest

from catalog.clc import shelf_key
from catalog.models import Copy, Location, Record

_seq = itertools.count(1)


@pytest.fixture
def stacks(db):
    return Location.objects.create(name="书库", code="SK", position=0)


@pytest.fixture
def reading_room(db):
    return Location.objects.create(name="阅览室", code="YL", position=1)


def shelve(location, barcode=None, *, title="小王子", clc="I565.88", book_number="1", **extra) -> Copy:
    record = Record.objects.create(
        title=title,
        clc=clc,
        clc_base=clc[:1],
        call_number=f"{clc}/{book_number}",
        shelf_key=shelf_key(clc, book_number),
    )
    return Copy.objects.create(
        record=record,
        barcode=barcode or f"T{next(_seq):07d}",
        location=location,
        acquired_on=date(2024, 9, 1),
        **extra,
    )
