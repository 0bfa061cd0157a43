"""Fixtures shared by the browser tests (the browser itself is set up in tests/conftest.py)."""

import pytest

from catalog import clc
from catalog.models import Location


@pytest.fixture
def stacks(db):
    # Browser tests are transactional: the 中图法 table may have been flushed by an earlier test.
    clc.ensure_table()
    return Location.objects.create(name="书库", code="SK", position=0)
