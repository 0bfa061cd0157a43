"""Queries of stocktaking shared by views, the report, the export and the catalogue's hook."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _

from circulation.models import Loan
from stocktake.models import ItemResult, ScanResult, Stocktake, StocktakeScan


def copies_held_by_open_stocktakes(copy_ids: Iterable[int]) -> dict[int, str]:
    """The catalogue's write-off check: copies scanned in a stocktake that is still open."""
    rows = StocktakeScan.objects.filter(
        copy_id__in=list(copy_ids), stocktake__status=Stocktake.Status.OPEN
    ).values_list("copy_id", "stocktake__name")
    return {copy_id: _("盘点“%(name)s”尚未结束，此书已在其中扫描。") % {"name": name} for copy_id, name in rows}


def borrowers(copy_ids: Iterable[int]) -> dict[int, str]:
    """Who holds each lent copy: name and class. Only for staff who may see readers."""
    out = {}
    loans = Loan.objects.filter(copy_id__in=list(copy_ids), returned_at__isnull=True).select_related(
        "reader__school_class", "anonymous_borrower"
    )
    for loan in loans:
        if loan.reader is not None:
            out[loan.copy_id] = borrower_label(loan.reader)
    return out


def borrower_label(reader) -> str:
    """A borrower as the stocktake shows them: name and class (reader.school_class read with it)."""
    cls = f" · {reader.school_class}" if reader.school_class_id else ""
    return f"{reader.name}{cls}"


def scan_counts(stocktake: Stocktake) -> dict[str, int]:
    rows = stocktake.scans.values("result").annotate(n=Count("id"))
    counts = {r["result"]: r["n"] for r in rows}
    counts["scanned_in_scope"] = stocktake.items.filter(scanned_at__isnull=False).count()
    return counts


def recent_scans(stocktake: Stocktake, limit: int = 50):
    return stocktake.scans.select_related("copy__record", "copy__location", "location").order_by("-id")[:limit]


def items_with(stocktake: Stocktake, result: str):
    return (
        stocktake.items.filter(result=result)
        .select_related("copy__record", "copy__location")
        .order_by("copy__location__position", "copy__record__shelf_key", "copy__barcode")
    )


def scans_with(stocktake: Stocktake, result: str):
    return (
        stocktake.scans.filter(result=result)
        .select_related("copy__record", "copy__location", "location")
        .order_by("barcode")
    )


def result_counts(stocktake: Stocktake) -> dict[str, int]:
    rows = stocktake.items.values("result").annotate(n=Count("id"))
    return {r["result"]: r["n"] for r in rows}


LOSS_SQL = """
SELECT {key} AS k, count(*) FILTER (WHERE i.result <> 'on_loan') AS expected,
       count(*) FILTER (WHERE i.result = 'missing') AS missing
FROM stocktake_stocktakeitem i
JOIN catalog_copy c ON c.id = i.copy_id
JOIN catalog_record r ON r.id = c.record_id
JOIN catalog_location l ON l.id = c.location_id
WHERE i.stocktake_id = %s
GROUP BY 1 ORDER BY 1
"""


def loss_rates(stocktake: Stocktake) -> dict[str, list[dict]]:
    """丢失率 = 盘点确认丢失册数 ÷ 应在馆册数 (in scope, not on loan), by class and by location."""
    out = {}
    for name, key in (("by_class", "coalesce(nullif(r.clc_base, ''), '—')"), ("by_location", "l.name")):
        with connection.cursor() as cur:
            cur.execute(LOSS_SQL.format(key=key), [stocktake.pk])
            rows = [
                {"key": k, "expected": e, "missing": m, "rate": (m / e * 100) if e else 0.0}
                for k, e, m in cur.fetchall()
            ]
        expected = sum(r["expected"] for r in rows)
        missing = sum(r["missing"] for r in rows)
        out[name] = rows
        out["total"] = {
            "expected": expected,
            "missing": missing,
            "rate": (missing / expected * 100) if expected else 0.0,
        }
    return out


def report_lists(stocktake: Stocktake) -> dict:
    return {
        "missing": list(items_with(stocktake, ItemResult.MISSING)),
        "misplaced": list(scans_with(stocktake, ScanResult.ELSEWHERE)),
        "found_again": list(scans_with(stocktake, ScanResult.FOUND_AGAIN)),
        "unknown": list(scans_with(stocktake, ScanResult.UNKNOWN)),
        "on_loan": list(scans_with(stocktake, ScanResult.ON_LOAN)),
    }


def open_overlap(copy_filter_sql: str, params: list) -> list[str]:
    """Names of open stocktakes already holding copies of a scope (for a friendly message)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT s.name FROM stocktake_stocktakeitem i JOIN stocktake_stocktake s ON s.id = i.stocktake_id"
            " WHERE i.is_open AND i.copy_id IN (" + copy_filter_sql + ")",
            params,
        )
        return [row[0] for row in cur.fetchall()]
