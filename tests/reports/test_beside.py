"""The previous period's loan pass and the copies' pass run beside the summary's own loan pass on a
second connection (outside a transaction), with the same figures as when they run in the request's
thread, and without waiting for it."""

import threading
from datetime import date

import pytest

from reports.periods import previous_period, term_period
from reports.selectors import beside, codec, semester_summary


@pytest.mark.django_db(transaction=True)
def test_the_previous_periods_pass_beside_gives_the_same_summary(school, monkeypatch):
    period = term_period(school.term)
    previous = previous_period(period)
    threads = []
    run = beside._in_own_connection

    def spy(work):
        threads.append(threading.current_thread().name)
        return run(work)

    monkeypatch.setattr(beside, "_in_own_connection", spy)
    alongside = semester_summary(period, previous)
    assert threads and threads[0].startswith("report-beside")
    monkeypatch.setattr(beside, "may_run_beside", lambda: False)
    inline = semester_summary(period, previous)
    assert len(threads) == 1  # the second time in the caller's thread
    assert codec.encode(alongside) == codec.encode(inline)
    assert any(row["previous"] not in (None, 0) for row in inline.compare)


def test_inside_a_transaction_the_pass_waits_for_the_caller(db):
    calls = []
    later = beside.start(lambda: calls.append(threading.current_thread().name) or "done")
    assert calls == []
    assert later.result() == "done" and calls == [threading.current_thread().name]


def test_two_periods_passes_do_not_wait_for_each_other(monkeypatch):
    """Each pass is read while the other is still running (functools.cached_property on Python 3.11
    takes one lock across all instances: the previous period's pass then waited for this one's)."""
    from reports.periods import range_period
    from reports.selectors import period_pass

    first_started, second_done = threading.Event(), threading.Event()

    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql, params):
            if threading.current_thread().name == "first":
                first_started.set()
                assert second_done.wait(5), "the second pass waited for the first"

        def fetchone(self):
            return ({"totals": {}, "borrowers": {"borrowers": 1}, "visits": {"visits": 2}},)

    class Connection:
        def cursor(self):
            return Cursor()

    monkeypatch.setattr(period_pass, "connection", Connection())
    first = period_pass.PeriodPass(range_period(date(2026, 2, 1), date(2026, 7, 1)))
    second = period_pass.PeriodPass(range_period(date(2025, 9, 1), date(2026, 1, 20)))
    errors = []

    def read_first():
        try:
            first.loans  # noqa: B018
        except AssertionError as error:
            errors.append(error)

    thread = threading.Thread(target=read_first, name="first")
    thread.start()
    assert first_started.wait(5)
    assert second.loans["totals"] == {"borrowers": 1, "visits": 2}
    second_done.set()
    thread.join(5)
    assert errors == [] and first.loans["totals"]["visits"] == 2
