"""Catalogue fixtures: a location, and small helpers to catalogue books through the services."""

import pytest

from catalog import clc, services
from catalog.models import Location


@pytest.fixture(autouse=True)
def clc_table(request):
    """The migration loads the 中图法 table, but transactional tests (here or in other apps)
    flush every table when they end: put it back for the tests that follow."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if (marker or "db" in request.fixturenames) and not transactional:
        request.getfixturevalue("db")
        clc.ensure_table()


@pytest.fixture
def stacks(db):
    return Location.objects.create(name="书库", code="SK", position=0)


@pytest.fixture
def reading_room(db):
    return Location.objects.create(name="期刊阅览室", code="QK", is_lendable=False, position=1)


@pytest.fixture
def catalogue(stacks):
    """catalogue(title, clc, copies=1, **fields) → Record, made by record_create."""

    def _make(title, clc="I287.5", copies=1, **fields):
        data = {"title": title, "clc": clc, **fields}
        return services.record_create(data=data, copies=copies, location=stacks)

    return _make
