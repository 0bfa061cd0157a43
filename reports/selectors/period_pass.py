"""A period's loan figures in one pass over its loans (one statement), and its enrolment in one more.

The summary used to ask the loan table a dozen times for one period (totals, returns, per class and
grade, top titles and CLC classes, 读书之星 twice, the borrowers three times, the anonymised borrowers
three times), each an index scan over the same ~60,000 loans of a term. Here those loans are read
once into a MATERIALIZED CTE and every figure is an aggregate over it, with FILTER clauses for the
reader groups and GROUPING SETS for the class and grade dimensions; the statement returns one JSON
object. The figures' definitions are those of shared/docs/statistics.md, as before:

- a loan belongs to the period of its checkout; a return (and whether it was late) to the period of
  its return, so the CTE holds the loans checked out OR returned in the period, flagged `lent`;
- student loans: reader_kind student and not collective; staff: teacher or staff and not
  collective; collective: is_collective or a collective reader;
- a borrower is COALESCE(reader_id, anonymous_borrower_id) (base.BORROWER); 人次 is one per
  (borrower, local checkout day) (base._visit_key).

`PeriodPass` runs each statement at most once, when first asked; the selectors take one
(`figures=`) so the summary shares it, and make their own when called alone.
"""

from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

# Django's cached_property, not functools': on Python 3.11 the latter holds one lock per property
# across all instances, so the previous period's pass (reports.selectors.beside) waited for this one.
from django.utils.functional import cached_property

from circulation.models import CirculationEvent, Hold, ReaderKind
from reports.periods import Period
from reports.selectors.base import STAFF_KINDS, enrolled_readers, valid_card_on

_PASS_SQL = """
WITH t AS MATERIALIZED (
    SELECT l.copy_id, l.reader_id, l.anonymous_borrower_id, l.school_class_id, l.grade, l.is_collective,
           COALESCE(l.reader_id, l.anonymous_borrower_id) AS borrower,
           l.checked_out_at >= %(start)s AND l.checked_out_at < %(end)s AS lent,
           l.reader_kind = %(student)s AND NOT l.is_collective AS student,
           l.reader_kind = ANY(%(staff)s) AND NOT l.is_collective AS staff,
           l.is_collective OR l.reader_kind = %(collective)s AS collective,
           COALESCE(l.reader_id, l.anonymous_borrower_id)::bigint * 100000
             + ((l.checked_out_at AT TIME ZONE %(tz)s)::date - DATE '2000-01-01') AS visit,
           COALESCE(l.returned_at >= %(start)s AND l.returned_at < %(end)s, false) AS returned,
           COALESCE((l.returned_at AT TIME ZONE %(tz_now)s)::date > l.due_date, false) AS late
    FROM circulation_loan l
    WHERE (l.checked_out_at >= %(start)s AND l.checked_out_at < %(end)s)
       OR (l.returned_at >= %(start)s AND l.returned_at < %(end)s)
),
-- Distinct borrowers and visits (人次) by grouping once (hashed) rather than one COUNT(DISTINCT)
-- sort per reader group.
by_borrower AS (
    SELECT borrower,
           bool_or(NOT collective) AS individual, bool_or(student) AS student, bool_or(staff) AS staff,
           bool_or(collective) AS collective,
           bool_or(NOT is_collective AND reader_id IS NOT NULL) AS named,
           bool_or(NOT is_collective AND anonymous_borrower_id IS NOT NULL) AS anonymised,
           COUNT(*) FILTER (WHERE student) AS student_loans
      FROM t WHERE lent GROUP BY borrower
),
by_visit AS (
    SELECT visit, bool_or(student) AS student, bool_or(staff) AS staff FROM t WHERE lent GROUP BY visit
),
per_copy AS (SELECT copy_id, COUNT(*) AS n FROM t WHERE lent GROUP BY copy_id)
"""

# The parts only the main period needs (not its comparison with the previous period).
_DETAIL_CTE_SQL = """,
per_record AS (
    SELECT c.record_id, SUM(p.n)::bigint AS n FROM per_copy p JOIN catalog_copy c ON c.id = p.copy_id GROUP BY c.record_id
),
-- The loans grouped once per class, grade and borrower at checkout (a few thousand rows); the class
-- and the grade figures below are read from it.
by_class_grade AS (
    SELECT school_class_id, grade, borrower, COUNT(*) FILTER (WHERE student) AS loans,
           COUNT(*) FILTER (WHERE collective) AS collective_loans
      FROM t WHERE lent AND school_class_id IS NOT NULL GROUP BY school_class_id, grade, borrower
),
by_grade AS (
    SELECT sc.stage, g.grade, g.borrower, SUM(g.loans)::bigint AS loans
      FROM by_class_grade g JOIN circulation_schoolclass sc ON sc.id = g.school_class_id
     WHERE g.loans > 0 GROUP BY sc.stage, g.grade, g.borrower
)
"""

_SELECT_SQL = """
SELECT json_build_object(
  'totals', (SELECT json_build_object(
      'loans', COUNT(*),
      'student_loans', COUNT(*) FILTER (WHERE student),
      'staff_loans', COUNT(*) FILTER (WHERE staff),
      'collective_loans', COUNT(*) FILTER (WHERE collective),
      'copies_lent', (SELECT COUNT(*) FROM per_copy)) FROM t WHERE lent),
  'borrowers', (SELECT json_build_object(
      'borrowers', COUNT(*) FILTER (WHERE individual),
      'student_borrowers', COUNT(*) FILTER (WHERE student),
      'staff_borrowers', COUNT(*) FILTER (WHERE staff),
      'collective_borrowers', COUNT(*) FILTER (WHERE collective)) FROM by_borrower),
  'visits', (SELECT json_build_object(
      'visits', COUNT(*),
      'student_visits', COUNT(*) FILTER (WHERE student),
      'staff_visits', COUNT(*) FILTER (WHERE staff)) FROM by_visit),
  'returns', (SELECT json_build_object(
      'returns', COUNT(*), 'overdue_returns', COUNT(*) FILTER (WHERE late)) FROM t WHERE returned),
  -- Who borrowed individually (for participation): readers by id; anonymised ones as [kind, class,
  -- enrolled, carded] from the facts of the first kept day on or after the period's end, else the
  -- last one (base.facts_at_end; picked here, not shipped whole: ~300 kB of JSON for a term).
  'reader_ids', (SELECT coalesce(json_agg(borrower), '[]') FROM by_borrower WHERE named),
  'anonymous', (SELECT coalesce(json_agg(json_build_array(a.reader_kind, a.school_class_id, f.value->0, f.value->1)), '[]')
                  FROM circulation_anonymousborrower a,
                       LATERAL (SELECT e.value FROM jsonb_each(a.facts) e
                                 ORDER BY e.key COLLATE "C" >= %(end_day)s DESC,
                                          CASE WHEN e.key COLLATE "C" >= %(end_day)s THEN e.key END COLLATE "C" ASC,
                                          e.key COLLATE "C" DESC
                                 LIMIT 1) f
                 WHERE a.id IN (SELECT borrower FROM by_borrower WHERE anonymised))
"""

_DETAIL_SQL = """,
  'renewals', (SELECT COUNT(*) FROM circulation_renewal WHERE renewed_at >= %(start)s AND renewed_at < %(end)s),
  'refused', (SELECT COUNT(*) FROM circulation_circulationevent
               WHERE action = %(refused)s AND at >= %(start)s AND at < %(end)s),
  'cards', (SELECT json_build_object(
      'cards_issued', COUNT(*),
      'student_cards_issued', COUNT(*) FILTER (WHERE r.kind = %(student)s),
      'staff_cards_issued', COUNT(*) FILTER (WHERE r.kind = ANY(%(staff)s)),
      'collective_cards_issued', COUNT(*) FILTER (WHERE r.kind = %(collective)s))
      FROM circulation_librarycard k JOIN circulation_reader r ON r.id = k.reader_id
     WHERE k.issued_at >= %(start)s AND k.issued_at < %(end)s),
  'holds_placed', (SELECT COUNT(*) FROM circulation_hold WHERE placed_at >= %(start)s AND placed_at < %(end)s),
  'holds_served', (SELECT COUNT(*) FROM circulation_hold
                    WHERE status = %(fulfilled)s AND closed_at >= %(start)s AND closed_at < %(end)s),
  -- Per class at checkout: student loans, students who borrowed, collective loans.
  'classes', (SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT school_class_id AS class_id, SUM(loans)::bigint AS loans,
             COUNT(DISTINCT borrower) FILTER (WHERE loans > 0) AS borrowers,
             SUM(collective_loans)::bigint AS collective_loans
        FROM by_class_grade GROUP BY school_class_id) x),
  -- Per (stage, grade) at checkout: student loans and students who borrowed.
  'grades', (SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT stage, grade, SUM(loans)::bigint AS loans, COUNT(*) AS borrowers FROM by_grade GROUP BY stage, grade) x),
  -- Loans per title: the top titles (ties share a rank) and the loans per CLC base class.
  'titles', (SELECT coalesce(json_agg(x ORDER BY x.n DESC, x.record_id), '[]') FROM (
      SELECT record_id, n, RANK() OVER (ORDER BY n DESC) AS rank FROM per_record
       ORDER BY n DESC, record_id LIMIT %(titles)s) x),
  'clc', (SELECT coalesce(json_agg(json_build_array(clc, n)), '[]') FROM (
      SELECT r.clc_base AS clc, SUM(p.n)::bigint AS n
        FROM per_record p JOIN catalog_record r ON r.id = p.record_id GROUP BY r.clc_base) x),
  -- 读书之星: students by loans (ties share a rank), overall and per grade at checkout.
  'stars', (SELECT coalesce(json_agg(x ORDER BY x.rank, x.borrower), '[]') FROM (
      SELECT borrower, loans, rank FROM (
          SELECT borrower, student_loans AS loans, RANK() OVER (ORDER BY student_loans DESC) AS rank
            FROM by_borrower WHERE student_loans > 0) r
       WHERE rank <= %(stars)s ORDER BY rank, borrower LIMIT %(stars)s * 3 + 1) x),
  'grade_stars', (SELECT coalesce(json_agg(x), '[]') FROM (
      SELECT stage, grade, borrower, loans, rank FROM (
          SELECT stage, grade, borrower, loans,
                 RANK() OVER (PARTITION BY stage, grade ORDER BY loans DESC) AS rank
            FROM by_grade WHERE grade IS NOT NULL) r
       WHERE rank <= %(grade_stars)s) x)
"""


class PeriodPass:
    """The loan figures (`loans`) and the enrolment (`enrolment`) of one period, each computed once.

    `detail=False` leaves out what only the main period shows (per class and grade, titles, stars,
    renewals, refusals, holds): enough for the comparison with the previous period.
    """

    def __init__(self, period: Period, *, detail: bool = True, titles: int = 20, stars: int = 10, grade_stars: int = 3):
        self.period = period
        self.detail = detail
        self.limits = {"titles": titles, "stars": stars, "grade_stars": grade_stars}

    @cached_property
    def loans(self) -> dict:
        start, end = self.period.bounds()
        if self.detail:
            sql = _PASS_SQL + _DETAIL_CTE_SQL + _SELECT_SQL + _DETAIL_SQL + ")"
        else:
            sql = _PASS_SQL + _SELECT_SQL + ")"
        params = {
            "start": start,
            "end": end,
            "end_day": self.period.end.isoformat(),
            "tz": django_settings.TIME_ZONE,  # as base._visit_key
            "tz_now": timezone.get_current_timezone_name(),  # as TruncDate, for late returns
            "student": ReaderKind.STUDENT.value,
            "staff": [k.value for k in STAFF_KINDS],
            "collective": ReaderKind.COLLECTIVE.value,
            "refused": CirculationEvent.Action.REFUSED.value,
            "fulfilled": Hold.Status.FULFILLED.value,
            **self.limits,
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (data,) = cursor.fetchone()
        data["totals"].update(data.pop("borrowers"), **data.pop("visits"))
        return data

    @cached_property
    def enrolment(self) -> list[dict]:
        """Readers enrolled at the period's end, grouped by kind and class: how many, with a valid
        card, who borrowed individually in the period, both (a few dozen rows)."""
        day = self.period.end
        borrowed = RawSQL("circulation_reader.id = ANY(%s)", [self.loans["reader_ids"]])
        return list(
            enrolled_readers(day)
            .annotate(carded=valid_card_on(day), borrowed=borrowed)
            .values("kind", "school_class")
            .annotate(
                n=Count("id"),
                carded_n=Count("id", filter=Q(carded=True)),
                borrowed_n=Count("id", filter=Q(borrowed=True)),
                carded_borrowed_n=Count("id", filter=Q(carded=True, borrowed=True)),
            )
            .order_by()
        )

    def read(self) -> "PeriodPass":
        """Run both statements now (the loan pass, then the enrolment); returns self."""
        self.enrolment  # noqa: B018 (reads self.loans first)
        return self

    def anonymous_borrowed(self) -> list[dict]:
        """base.anonymous_borrowed() from this pass (the facts of the day kept nearest the period's end)."""
        return [
            {"kind": kind, "school_class": school_class, "enrolled": enrolled, "carded": carded}
            for kind, school_class, enrolled, carded in self.loans["anonymous"]
        ]
