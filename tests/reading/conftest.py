"""Fixtures for the reading app: books catalogued through the service, loans written directly."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog import clc, services
from catalog.models import Location
from circulation.models import Loan, SchoolClass, Term
from tests.conftest import make_reader

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stacks(db):
    clc.ensure_table()
    return Location.objects.create(name="书库", code="SK", position=0)


@pytest.fixture
def book(stacks):
    def _book(title: str, code: str = "I287", copies: int = 1, **fields):
        return services.record_create(data={"title": title, "clc": code, **fields}, copies=copies, location=stacks)

    return _book


@pytest.fixture
def term(db):
    today = timezone.localdate()
    return Term.objects.create(
        name="本学期", school_year=2099, number=1, start=today - timedelta(days=60), end=today + timedelta(days=90)
    )


def pupil(name: str, school_class: SchoolClass | None = None):
    if school_class is None:
        school_class, _new = SchoolClass.objects.get_or_create(entry_year=timezone.localdate().year - 2, number=9)
    return make_reader(name, school_class=school_class, number=f"S{next(_seq):06d}", card=False)


def lend(record, reader, *, day: date | None = None, returned: bool = True) -> Loan:
    """A loan of the record's first copy (returned, so the copy may be lent again)."""
    day = day or timezone.localdate() - timedelta(days=10)
    out = timezone.make_aware(datetime.combine(day, time(10)))
    school_class = reader.school_class
    return Loan.objects.create(
        copy=record.copies.first(),
        reader=reader,
        reader_kind=reader.kind,
        school_class=school_class,
        grade=school_class.grade_on(day) if school_class else None,
        checked_out_at=out,
        due_date=day + timedelta(days=14),
        returned_at=out + timedelta(days=3) if returned else None,
    )
