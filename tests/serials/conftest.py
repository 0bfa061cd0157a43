"""Periodical fixtures: a monthly magazine and a weekly newspaper, subscribed through the service."""

from decimal import Decimal

import pytest

from catalog import clc
from catalog.models import Location
from serials import services
from serials.models import Serial

# 977 + ISSN 0317-8471 without its check digit + 00 + EAN check digit.
ISSN = "0317-8471"


def ean(issn7: str = "0317847") -> str:
    body = f"977{issn7}00"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


@pytest.fixture
def reading_room(db):
    clc.ensure_table()
    return Location.objects.create(name="期刊阅览室", code="QK", position=1)


@pytest.fixture
def magazine(db):
    return Serial.objects.create(
        title="少年科学",
        issn=ISSN,
        cn_number="CN 31-1234/N",
        postal_code="4-123",
        publisher="少年儿童出版社",
        frequency="monthly",
        clc="N49",
    )


@pytest.fixture
def subscription(magazine, librarian):
    return services.subscription_create(
        serial=magazine, year=2026, unit_price=Decimal("96.00"), copies=2, source="post_office", by=librarian
    )


@pytest.fixture
def school_settings(db):
    """A primary school with the 规程 defaults (transactional tests elsewhere flush them)."""
    from library.models import School
    from reports.defaults import load_defaults
    from reports.models import CollectionTarget, HoldingsStandard, ReportSettings

    load_defaults(HoldingsStandard, CollectionTarget, ReportSettings)
    School.objects.update_or_create(pk=1, defaults={"name": "测试小学", "stage": School.Stage.PRIMARY})
