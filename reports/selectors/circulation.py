"""Circulation figures of a period: loans, visits, returns, holds, top titles, loans by CLC class."""

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from circulation.models import CirculationEvent, Hold, Loan, Renewal
from reports.periods import Period
from reports.selectors.base import (
    CLC_BASE,
    COLLECTIVE_LOAN,
    STAFF_LOAN,
    STUDENT_LOAN,
    _record_labels,
    _visit_key,
    clc_label,
    loans_in,
    share,
)


def circulation_figures(period: Period) -> dict:
    start, end = period.bounds()
    row = loans_in(period).aggregate(
        loans=Count("id"),
        student_loans=Count("id", filter=STUDENT_LOAN),
        staff_loans=Count("id", filter=STAFF_LOAN),
        collective_loans=Count("id", filter=COLLECTIVE_LOAN),
        borrowers=Count("reader", distinct=True, filter=~COLLECTIVE_LOAN),
        student_borrowers=Count("reader", distinct=True, filter=STUDENT_LOAN),
        staff_borrowers=Count("reader", distinct=True, filter=STAFF_LOAN),
        collective_borrowers=Count("reader", distinct=True, filter=COLLECTIVE_LOAN),
        visits=Count(_visit_key(), distinct=True),
        student_visits=Count(_visit_key(), distinct=True, filter=STUDENT_LOAN),
        staff_visits=Count(_visit_key(), distinct=True, filter=STAFF_LOAN),
        copies_lent=Count("copy", distinct=True),
    )
    returns = (
        Loan.objects.filter(returned_at__gte=start, returned_at__lt=end)
        .annotate(return_day=TruncDate("returned_at"))
        .aggregate(returns=Count("id"), overdue_returns=Count("id", filter=Q(return_day__gt=F("due_date"))))
    )
    row.update(returns)
    row["renewals"] = Renewal.objects.filter(renewed_at__gte=start, renewed_at__lt=end).count()
    row["refused"] = CirculationEvent.objects.filter(
        action=CirculationEvent.Action.REFUSED, at__gte=start, at__lt=end
    ).count()
    row.update(
        Hold.objects.aggregate(
            holds_placed=Count("id", filter=Q(placed_at__gte=start, placed_at__lt=end)),
            holds_served=Count("id", filter=Q(status=Hold.Status.FULFILLED, closed_at__gte=start, closed_at__lt=end)),
        )
    )
    row["overdue_rate"] = share(row["overdue_returns"], row["returns"])
    row["refusal_rate"] = share(row["refused"], row["loans"] + row["refused"])
    return row


_TITLES_SQL = """
    WITH per_record AS (
        SELECT c.record_id, COUNT(*) AS n
        FROM circulation_loan l JOIN catalog_copy c ON c.id = l.copy_id
        WHERE l.checked_out_at >= %s AND l.checked_out_at < %s
        GROUP BY c.record_id
    )
    (SELECT 'clc' AS part, r.clc_base AS clc, NULL::bigint AS record_id, SUM(p.n)::bigint AS n, NULL::bigint AS rank
       FROM per_record p JOIN catalog_record r ON r.id = p.record_id
      GROUP BY r.clc_base)
    UNION ALL
    (SELECT 'top', NULL, record_id, n, RANK() OVER (ORDER BY n DESC) AS rank
       FROM per_record ORDER BY n DESC, record_id LIMIT %s)
"""


def _titles_and_classes(period: Period, limit: int) -> tuple[list, dict]:
    """Loans per title grouped once (a CTE): the top titles with their rank and loans per CLC base class."""
    start, end = period.bounds()
    with connection.cursor() as cursor:
        cursor.execute(_TITLES_SQL, [start, end, limit])
        rows = cursor.fetchall()
    clc = {code: n for part, code, _r, n, _rank in rows if part == "clc"}
    top = [(record_id, n, rank) for part, _c, record_id, n, rank in rows if part == "top"]
    return top, clc


def top_titles(period: Period, limit: int = 20, ranked: list | None = None) -> list[dict]:
    """借阅排行榜: titles by loans in the period (all readers), ties share a rank."""
    if ranked is None:
        ranked, _clc = _titles_and_classes(period, limit)
    records = _record_labels([record_id for record_id, _n, _rank in ranked])
    rows = [
        {
            "rank": rank,
            "record_id": record_id,
            "title": records[record_id]["title"],
            "authors": records[record_id]["authors"],
            "call_number": records[record_id]["call_number"],
            "loans": n,
        }
        for record_id, n, rank in ranked
    ]
    rows.sort(key=lambda r: (r["rank"], r["title"]))
    return rows


def loans_by_clc(period: Period, counts: dict | None = None) -> list[dict]:
    """Loans by CLC base class of the title (which shelves are read), all 22 classes listed."""
    if counts is None:
        _top, counts = _titles_and_classes(period, 0)
    counts = dict(counts)
    total = sum(counts.values())
    rows = [{"code": k, "name": clc_label(k), "loans": counts.pop(k, 0)} for k in CLC_BASE]
    other = sum(counts.values())
    if other:
        rows.append({"code": "", "name": _("未分类"), "loans": other})
    for r in rows:
        r["share"] = share(r["loans"], total)
    return rows
