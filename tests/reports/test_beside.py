"""The previous period's loan pass runs beside the summary's own on a second connection (outside a
transaction), with the same figures as when it runs in the request's thread."""

import threading

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
