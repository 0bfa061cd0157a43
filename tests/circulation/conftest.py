"""Fixtures for circulation tests: a small catalogue, default policies and a school calendar."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Copy, Location, Record
from circulation.models import CirculationSettings, LoanPolicy, Term

_seq = itertools.count(1)


def aware(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_record(title: str = "小王子", price: str = "25.00") -> Record:
    return Record.objects.create(title=title, price=Decimal(price), authors="圣埃克苏佩里")


def make_copy(record: Record | None = None, barcode: str | None = None, *, lendable: bool = True, **extra) -> Copy:
    record = record or make_record()
    code = "STACKS" if lendable else "READING"
    location, _ = Location.objects.get_or_create(
        code=code, defaults={"name": "书库" if lendable else "阅览室", "is_lendable": lendable}
    )
    return Copy.objects.create(
        record=record,
        barcode=barcode or f"Z{next(_seq):07d}",
        location=location,
        acquired_on=date(2024, 9, 1),
        price=extra.pop("price", record.price),
        **extra,
    )


def lending_term() -> Term:
    """The default loan policies and a term around today: what a live-server (browser) test needs
    before anything can be lent (those tests see the real date, not the frozen fixture day)."""
    today = timezone.localdate()
    make_policies()
    return Term.objects.create(
        name="本学期", school_year=2099, number=1, start=today - timedelta(days=60), end=today + timedelta(days=90)
    )


def make_policies():
    LoanPolicy.objects.create(
        name="学生", reader_kind="student", max_items=2, loan_days=14, max_renewals=1, renewal_days=14
    )
    LoanPolicy.objects.create(
        name="教师", reader_kind="teacher", max_items=10, loan_days=60, max_renewals=2, renewal_days=30, max_holds=5
    )
    LoanPolicy.objects.create(
        name="职工", reader_kind="staff", max_items=5, loan_days=30, max_renewals=1, renewal_days=30
    )
    LoanPolicy.objects.create(name="集体", reader_kind="collective", max_items=60, loan_days=120, max_renewals=0)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch, today):
    """Pages and services use timezone.now(): pin it to the fixture day (a Wednesday in term)."""
    fixed = aware(today, 10)
    monkeypatch.setattr(timezone, "now", lambda: fixed)


@pytest.fixture
def policies(db):
    make_policies()
    CirculationSettings.current()


@pytest.fixture
def term(db):
    return Term.objects.create(
        name="2025—2026学年第一学期", school_year=2025, number=1, start=date(2025, 9, 1), end=date(2026, 1, 20)
    )


@pytest.fixture
def now(today):
    # 2025-11-12, a Wednesday, in the first term of 2025-2026
    return aware(today)


@pytest.fixture
def copy_factory(db):
    return make_copy


@pytest.fixture
def setup(policies, term, student_reader, librarian, now):
    """The everyday scene: a pupil with a card, the librarian, two copies of one title."""
    record = make_record("小王子")
    return {
        "reader": student_reader,
        "by": librarian,
        "now": now,
        "record": record,
        "c1": make_copy(record, "A0000001"),
        "c2": make_copy(record, "A0000002"),
        "c3": make_copy(make_record("西游记"), "A0000003"),
    }
