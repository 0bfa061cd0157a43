"""The figures of a period, computed once and kept (reports.models.SummaryCache).

A finished period's figures never change unless somebody edits the past: a loan of that time, a
reader who left, a card, a copy written off or moved, a hold, a setting. The fingerprint is the
data's change mark (reports.changes: it moves with every committed write to any table the reports
read, the report settings included); when it differs from the stored one the figures are computed again.
It is read before the figures are computed, so a change committed meanwhile is never hidden. A
running period is kept too, for today only (its figures are "up to today"): the next loan, return
or hold changes the mark, so it is recomputed then, and reused while the desk is quiet. (So is a
finished one: any write moves the mark, a cheap and safe test rather than a precise one.)
"""

import hashlib
from datetime import date

from django.utils.translation import get_language

from reports import changes
from reports.models import SummaryCache
from reports.periods import Period
from reports.selectors.codec import decode, encode
from reports.selectors.summary import Summary, semester_summary


def _fingerprint() -> str:
    """What kept figures depend on: the data's change mark (reports.changes; the report settings are
    rows of a watched table too)."""
    return str(changes.mark())


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
    fingerprint = _fingerprint()
    row = SummaryCache.objects.filter(key=key).only("fingerprint", "figures").first()
    if row is not None and row.fingerprint == fingerprint and row.figures is not None:
        return decode(row.figures)
    summary = semester_summary(period, previous, today)
    SummaryCache.objects.update_or_create(key=key, defaults={"fingerprint": fingerprint, "figures": encode(summary)})
    return summary
