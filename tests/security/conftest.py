"""The circulation and catalogue fixtures (policies, term, copies) are needed here too.

The day is frozen only where a test asks for it (frozen_today): the hostile-input corpus runs on
the demo school of tests/urlwalk.py, which is built for the real date."""

import pytest
from django.utils import timezone

from tests.catalog.conftest import clc_table, stacks  # noqa: F401
from tests.circulation.conftest import aware, copy_factory, now, policies, setup, term  # noqa: F401


@pytest.fixture
def frozen_today(monkeypatch, today):
    fixed = aware(today, 10)
    monkeypatch.setattr(timezone, "now", lambda: fixed)


CORPUS_COUNTS = {"requests": 0, "urls": 0, "forms": 0}


def pytest_terminal_summary(terminalreporter):
    if CORPUS_COUNTS["requests"]:
        terminalreporter.write_line(
            "hostile-input corpus: {requests} requests to {urls} URLs ({forms} distinct forms)".format(**CORPUS_COUNTS)
        )
