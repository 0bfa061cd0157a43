"""The figures of a period, computed once and kept (reports.models.SummaryCache).

A finished period's figures never change unless somebody edits the past: a loan of that time, a
reader who left, a card, a copy written off or moved, a hold, a setting. The fingerprint below sums
up those rows in one query (the row versions of the period's loans, sums, counts and high-water
marks elsewhere); when it differs from the stored one the figures are computed again. A running period is
kept too, for today only (its figures are "up to today"): the next loan, return or hold changes the
fingerprint, so it is recomputed then, and reused while the desk is quiet.
"""

import hashlib
from datetime import date

from django.db import connection
from django.utils.translation import get_language

from reports.models import ReportSettings, SummaryCache
from reports.periods import Period
from reports.selectors.codec import decode, encode
from reports.selectors.summary import Summary, semester_summary

_FINGERPRINT_SQL = """
SELECT concat_ws('|',
  -- The period's loans, summed column by column (integers and intervals: far cheaper than hashing
  -- each loan's columns as text, for the ~120,000 loans of a term and the one before it on every
  -- view), plus the sum of the row versions' xmin: every UPDATE writes a version whose xmin is the
  -- newer writing transaction's id, so the sum grows with any later edit (two loans' values swapped too).
  (SELECT concat_ws(':', count(*), sum(l.id), sum(l.xmin::text::bigint), sum(l.copy_id), sum(l.reader_id),
          sum(l.anonymous_borrower_id), sum(hashtext(l.reader_kind)), sum(l.school_class_id), sum(l.grade),
          sum(l.checked_out_at - TIMESTAMPTZ '2000-01-01 00:00+00'), sum(l.due_date - DATE '2000-01-01'),
          count(l.returned_at), sum(l.returned_at - TIMESTAMPTZ '2000-01-01 00:00+00'),
          count(*) FILTER (WHERE l.is_collective), sum(l.renewals))
     FROM circulation_loan l
    WHERE (l.checked_out_at >= %(start)s AND l.checked_out_at < %(end)s)
       OR (l.returned_at >= %(start)s AND l.returned_at < %(end)s)),
  (SELECT count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', r.id, r.kind, r.school_class_id, r.left_on,
          r.is_active, r.name, r.student_number))::bigint), 0) FROM circulation_reader r),
  (SELECT count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', c.id, c.entry_year, c.number, c.stage,
          c.graduated_on, c.head_teacher_id))::bigint), 0) FROM circulation_schoolclass c),
  (SELECT count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', k.id, k.reader_id, k.issued_at,
          k.ended_at))::bigint), 0) FROM circulation_librarycard k),
  (SELECT concat_ws(':', count(*), max(id), sum(location_id), sum(price), count(withdrawn_on),
          sum(withdrawn_on - DATE '2000-01-01'), sum(acquired_on - DATE '2000-01-01'), sum(record_id))
     FROM catalog_copy),
  (SELECT coalesce(string_agg(concat_ws(',', id, is_lendable), ';' ORDER BY id), '') FROM catalog_location),
  (SELECT coalesce(sum(hashtext(concat_ws(',', u.id, u.username, u.first_name, u.last_name))::bigint), 0)
     FROM auth_user u),
  (SELECT coalesce(max(updated_at)::text, '') FROM catalog_record),
  (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || count(closed_at) FROM circulation_hold),
  (SELECT count(*) || ':' || coalesce(max(id), 0) FROM circulation_renewal),
  (SELECT count(*) || ':' || coalesce(max(id), 0) FROM circulation_circulationevent),
  (SELECT count(*) || ':' || coalesce(sum(hashtext(concat_ws(',', p.id, p.amount, p.paid_amount, p.status,
          p.reported_at))::bigint), 0) FROM circulation_compensation p),
  (SELECT count(*) || ':' || coalesce(max(id), 0) FROM circulation_closedday),
  (SELECT count(*) || ':' || coalesce(max(id), 0) FROM circulation_openday),
  (SELECT coalesce(string_agg(concat_ws(',', name, stage), ';'), '') FROM library_school),
  (SELECT coalesce(string_agg(concat_ws(',', school_type, volumes_per_student, new_per_student), ';'), '')
     FROM reports_holdingsstandard)
)
"""


def _fingerprint(periods: list[Period]) -> str:
    start = min(p.bounds()[0] for p in periods)
    end = max(p.bounds()[1] for p in periods)
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL, {"start": start, "end": end})
        (value,) = cursor.fetchone()
    settings = ReportSettings.current()
    standards = (settings.duplicate_cap, settings.structure_tolerance, settings.never_borrowed_years)
    return hashlib.sha256(f"{value}|{standards}".encode()).hexdigest()


# Part of every key: raise it when the Summary's shape changes, so older kept figures are not read back.
# 2: JSON in `figures` (1 was a pickle in `data`, still written by code from before migration 0004).
FORMAT = 2


def _key(period: Period, previous: Period | None, today: date) -> str:
    def part(p: Period | None) -> str:
        return "-" if p is None else f"{p.kind}:{p.start.isoformat()}:{p.end.isoformat()}:{p.term_id or ''}"

    # A running period's figures are "up to today": kept for today only.
    as_of = today.isoformat() if period.end >= today else "done"
    key = f"{FORMAT}|{get_language() or ''}|{as_of}|{part(period)}|{part(previous)}|{period.label}"
    return key if len(key) <= 200 else key[:136] + hashlib.sha256(key.encode()).hexdigest()


def summary_for(period: Period, previous: Period | None, today: date) -> Summary:
    """semester_summary(), kept and reused while its fingerprint holds (a running period: today only)."""
    key = _key(period, previous, today)
    fingerprint = _fingerprint([p for p in (period, previous) if p is not None])
    row = SummaryCache.objects.filter(key=key).only("fingerprint", "figures").first()
    if row is not None and row.fingerprint == fingerprint and row.figures is not None:
        return decode(row.figures)
    summary = semester_summary(period, previous, today)
    SummaryCache.objects.update_or_create(key=key, defaults={"fingerprint": fingerprint, "figures": encode(summary)})
    return summary
