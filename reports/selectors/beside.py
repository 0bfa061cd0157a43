"""Run a read-only piece of a report beside the request's own queries, on a second connection.

The semester summary reads two periods' loans (this term and the one it is compared with) and the
copies; each pass is one long statement that PostgreSQL runs on one core. On a two-core school
server the previous term's pass and the copies' pass can run while this term's runs, in a thread
with its own database connection, which is closed when the piece ends. (What the thread reads must
not wait on a lock the caller holds: PeriodPass uses Django's cached_property, not functools', which
on Python 3.11 locks across instances.)

Only outside a transaction: a second connection cannot see what the caller's open transaction has
written (the tests run inside one; so would a caller that wraps a report in atomic()), so there
the piece simply runs in the caller's thread when its result is asked for. Either way the result is
the same (tests/reports/test_beside.py compares them).
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection, connections

_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-beside")


class _Later:
    """A piece run in the caller's thread, on the caller's connection, when asked for."""

    def __init__(self, work: Callable[[], Any]):
        self._work = work

    def result(self) -> Any:
        return self._work()


def _in_own_connection(work: Callable[[], Any]) -> Any:
    try:
        return work()
    finally:
        connections.close_all()  # this thread's connections only (they are per thread)


def may_run_beside() -> bool:
    return not connection.in_atomic_block


def start(work: Callable[[], Any]) -> Future | _Later:
    """`work()` now, beside the caller, when that is safe; else later, in the caller's thread."""
    if may_run_beside():
        return _pool.submit(_in_own_connection, work)
    return _Later(work)
