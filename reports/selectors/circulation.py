"""Circulation figures of a period: loans, visits, returns, holds, top titles, loans by CLC class."""

from django.utils.translation import gettext as _

from reports.periods import Period
from reports.selectors.base import CLC_BASE, _record_labels, clc_label, share
from reports.selectors.period_pass import PeriodPass


def circulation_figures(period: Period, figures: PeriodPass | None = None) -> dict:
    data = (figures or PeriodPass(period)).loans
    row = dict(data["totals"])
    row.update(data["returns"])
    for key in ("renewals", "refused", "holds_placed", "holds_served"):
        row[key] = data[key]
    row["overdue_rate"] = share(row["overdue_returns"], row["returns"])
    row["refusal_rate"] = share(row["refused"], row["loans"] + row["refused"])
    return row


def _titles_and_classes(period: Period, limit: int, figures: PeriodPass | None = None) -> tuple[list, dict]:
    """The top titles with their rank, and the loans per CLC base class (from the period's pass)."""
    if figures is None or figures.limits["titles"] != limit:
        figures = PeriodPass(period, titles=limit)
    top = [(r["record_id"], r["n"], r["rank"]) for r in figures.loans["titles"]]
    clc = {code: n for code, n in figures.loans["clc"]}
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
