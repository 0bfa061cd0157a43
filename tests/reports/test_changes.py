"""The change mark behind the kept report figures (reports.changes): every table the reports could
read is watched, any committed write moves the mark, a page view does not, folding keeps it."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse

from catalog.models import Copy
from reports import changes
from reports.models import ReportSettings, SummaryCache
from reports.periods import previous_period, term_period
from reports.selectors import cache

pytestmark = pytest.mark.django_db


def _tables_without_the_trigger() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(changes._WATCHED_SQL, [changes.TRIGGER])
        return {name for (name,) in cursor.fetchall()}


def test_every_table_is_watched_or_named_unwatched():
    unwatched = _tables_without_the_trigger()
    assert "circulation_loan" not in unwatched and "catalog_copy" not in unwatched
    assert unwatched == set(changes.UNWATCHED) & set(connection.introspection.table_names())
    assert not set(changes.UNWATCHED) - set(connection.introspection.table_names()), "a stale name"


def test_a_table_created_later_is_watched_after_the_next_migrate():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE reports_test_later (id int)")
    assert "reports_test_later" in _tables_without_the_trigger()
    assert changes.install() == ["reports_test_later"]
    assert "reports_test_later" not in _tables_without_the_trigger()
    before = changes.mark()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO reports_test_later VALUES (1)")
    assert changes.mark() == before + 1


def test_writes_move_the_mark_and_reads_do_not(school):
    before = changes.mark()
    assert list(Copy.objects.all()[:3]) and changes.mark() == before
    Copy.objects.filter(pk=school.copies["c1"].pk).update(price=Decimal("9.27"))
    moved = changes.mark()
    assert moved > before
    SummaryCache.objects.create(key="k", fingerprint="f", figures={})  # the kept figures themselves
    assert changes.mark() == moved


def test_a_page_view_leaves_the_kept_figures_valid(client, librarian, school, monkeypatch):
    client.force_login(librarian)
    url = reverse("reports:summary") + f"?term={school.term.pk}"
    assert client.get(url).status_code == 200  # computed (the day's chores run first)
    before = changes.mark()
    monkeypatch.setattr(
        cache, "semester_summary", lambda *a, **k: (_ for _ in ()).throw(AssertionError("computed again"))
    )
    assert client.get(url).status_code == 200  # the session and the kept row written: no change
    assert changes.mark() == before


def test_a_report_setting_changed_computes_the_figures_again(school):
    period = term_period(school.term)
    cache.summary_for(period, previous_period(period), school.term.end.replace(year=2026, month=3, day=1))
    first = SummaryCache.objects.get().fingerprint
    settings = ReportSettings.current()
    settings.duplicate_cap += 1
    settings.save()
    assert cache._fingerprint() != first


def test_folding_the_rows_keeps_the_mark():
    for _ in range(3):
        Copy.objects.filter(pk=-1).update(price=1)  # a statement, even of no row, counts
    before = changes.mark()
    changes.compact()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_datachange")
        assert cursor.fetchone()[0] == 1
    assert changes.mark() == before
    changes.compact()
    assert changes.mark() == before


def test_many_rows_are_folded_when_the_mark_is_read(monkeypatch):
    monkeypatch.setattr(changes, "COMPACT_OVER", 3)
    for _ in range(5):
        Copy.objects.filter(pk=-1).update(price=1)
    before = changes.mark()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_datachange")
        assert cursor.fetchone()[0] == 1
    assert changes.mark() == before


@pytest.mark.django_db(transaction=True)
def test_an_uncommitted_write_moves_the_mark_only_when_it_commits(school):
    """Figures computed while another transaction's write is open are kept under a mark that the
    write's commit then moves: they are computed again on the next view."""
    written, commit = threading.Event(), threading.Event()

    def writer():
        from django.db import transaction

        try:
            with transaction.atomic():
                Copy.objects.filter(pk=school.copies["c1"].pk).update(price=Decimal("1.00"))
                written.set()
                commit.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(5)
    seen = changes.mark()  # the open transaction's row is not seen
    commit.set()
    thread.join(5)
    assert changes.mark() == seen + 1
