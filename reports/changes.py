"""Change marks: has anything the reports read changed since the figures were kept?

Every table of the project except those in UNWATCHED has a statement-level trigger
(`reports_data_change`) that adds a row to `reports_datachange` for each INSERT, UPDATE, DELETE or
TRUNCATE statement, whatever wrote it (the desk, the back office, an import, a management command,
psql). The mark is the sum of that table's `n`: it grows with every such statement, and only when
the statement's transaction commits (its row is invisible before), so figures computed after the
mark was read are never kept under a mark that misses a change. Reading it is one small scan,
instead of summing a term's loans and the whole collection on every view of a report.

The rows are folded into one now and then (`compact`, a daily chore, or when there are many): the
sum stays the same. Inserting never waits for another writer (no row is updated), so the desk's
transactions do not queue behind each other for the mark.

The triggers are (re)installed after every `migrate` on any table that lacks one, so a table added
by a later migration is watched without anyone remembering to; tests/reports/test_changes.py fails
when a table is neither watched nor listed here.
"""

from django.db import connections

TRIGGER = "reports_data_change"

# Tables whose writes change no report figure and happen all the time (sessions, log-in attempts),
# the kept figures themselves, the marks, and bookkeeping of Django and of the tools around the
# catalogue (the source pool, Z39.50 targets, import logs, kiosk accounts, stocktake scans).
UNWATCHED = frozenset(
    {
        "reports_datachange",
        "reports_summarycache",
        "django_session",
        "django_migrations",
        "django_content_type",
        "django_admin_log",
        "auth_permission",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
        "catalog_importlog",
        "catalog_sourcefile",
        "catalog_sourcerecord",
        "catalog_z3950target",
        "selfcheck_kiosk",
        "stocktake_stocktakescan",
    }
)

# Fold the rows into one when a mark is read and more than this many are there.
COMPACT_OVER = 5000

_WATCHED_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND s.nspname = current_schema()
   AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s)
"""


def install(using: str = "default") -> list[str]:
    """Put the trigger on every table that should have it and lacks it; returns those tables."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('reports_note_change()') IS NOT NULL")
        if not cursor.fetchone()[0]:  # reports' migrations not applied (yet) on this database
            return []
        cursor.execute(_WATCHED_SQL, [TRIGGER])
        missing = sorted(name for (name,) in cursor.fetchall() if name not in UNWATCHED)
        quote = connection.ops.quote_name
        for table in missing:
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                "FOR EACH STATEMENT EXECUTE FUNCTION reports_note_change()"
            )
    return missing


def mark(using: str = "default") -> int:
    """The current change mark (the committed changes' count, as this statement sees them)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n), 0), count(*) FROM reports_datachange")
        value, rows = cursor.fetchone()
    if rows > COMPACT_OVER:
        compact(using)
    return int(value)


def compact(using: str = "default") -> bool:
    """Fold the rows this statement sees into one row of their sum (the mark is unchanged; rows of
    transactions still open are left as they are)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "WITH gone AS (DELETE FROM reports_datachange RETURNING n) "
            "INSERT INTO reports_datachange (n) SELECT sum(n) FROM gone HAVING count(*) > 0"
        )
    return False  # as a daily chore: nothing more to do today
