"""Stocktaking (盘点): open a session over a scope, record scans, close it, write off what is missing.

Everything that touches many copies is one set-based statement (INSERT ... SELECT, UPDATE ... FROM):
a stocktake of the whole collection lists, reconciles and closes 100,000 copies without a Python loop.
"""

import functools
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from catalog import clc
from catalog.exceptions import CatalogError
from catalog.models import Copy, CopyStatus, Location, Record, WithdrawalBatch
from catalog.services import withdrawal_number
from catalog.status import copy_restore, copy_write_off
from library.prepared import Part, PreparedSelect
from stocktake import selectors
from stocktake.exceptions import ApprovalRefused, ScopeOverlap, StocktakeClosed, StocktakeError
from stocktake.models import ItemResult, Stocktake, StocktakeScan, WriteOff

PREFIX_RE = re.compile(r"[A-Z0-9.\-/]{1,20}")


def class_prefixes_normalize(text: str) -> str:
    parts = [p for p in (text or "").upper().replace(",", " ").replace("，", " ").split() if p]
    for part in parts:
        if not PREFIX_RE.fullmatch(part):
            raise StocktakeError(_("分类号范围只能写中图法分类号的开头，如 I 或 K2，以空格分隔。"))
    return " ".join(dict.fromkeys(parts))


def call_range_keys(call_from: str, call_to: str) -> tuple[str, str, bool]:
    """Shelf keys bounding a call-number range (catalog.clc shelf order). A bound without a 书次号
    takes in the whole class: I2–I29 runs from I2 to the last book of I29 (I299/5 included).
    Returns (low, high, high_inclusive); empty strings for an open end."""
    low = high = ""
    inclusive = True
    for value, is_low in ((call_from, True), (call_to, False)):
        value = (value or "").strip()
        if not value:
            continue
        code, number = clc.split_call_number(value)
        try:
            code = clc.validate(code)
        except clc.ClcError as exc:
            raise StocktakeError(str(exc)) from exc
        if is_low:
            low = clc.shelf_key(code, number)
        elif number:
            high = clc.shelf_key(code, number)
        else:
            high, inclusive = clc.class_key(code)[:-1] + "~", False  # "~" sorts after every key character
    if low and high and (low > high or (low == high and not inclusive)):
        raise StocktakeError(_("索书号范围的起点在终点之后。"))
    return low, high, inclusive


def _scope_sql(
    location_ids: list[int], prefixes: list[str], call_from: str = "", call_to: str = ""
) -> tuple[str, list]:
    """The copies of a scope: in the collection, at these locations, of these classes, within
    these call numbers (shelf keys compared byte by byte, as catalog.clc requires)."""
    sql = "SELECT c.id FROM catalog_copy c JOIN catalog_record r ON r.id = c.record_id WHERE c.withdrawn_on IS NULL"
    params: list = []
    if location_ids:
        sql += " AND c.location_id = ANY(%s)"
        params.append(location_ids)
    if prefixes:
        sql += " AND upper(r.clc) LIKE ANY(%s)"
        params.append([p + "%" for p in prefixes])
    low, high, inclusive = call_range_keys(call_from, call_to)
    if low:
        sql += ' AND r.shelf_key COLLATE "C" >= %s'
        params.append(low)
    if high:
        sql += ' AND r.shelf_key COLLATE "C" ' + ("<=" if inclusive else "<") + " %s"
        params.append(high)
    return sql, params


def stocktake_open(
    *,
    name: str,
    locations: list[Location] | None = None,
    class_prefixes: str = "",
    call_from: str = "",
    call_to: str = "",
    by=None,
    now: datetime | None = None,
) -> Stocktake:
    """Open a stocktake and list the copies expected in its scope. Scopes of open stocktakes never
    overlap: a copy is in at most one open stocktake (database constraint)."""
    now = now or timezone.now()
    prefixes = class_prefixes_normalize(class_prefixes)
    location_ids = sorted(loc.pk for loc in locations or [])
    call_from, call_to = call_from.strip()[:100], call_to.strip()[:100]
    scope, params = _scope_sql(location_ids, prefixes.split(), call_from, call_to)
    busy = selectors.open_overlap(scope, params)
    if busy:
        raise ScopeOverlap(
            _("所选范围内有图书正在盘点“%(names)s”中，请先结束它或缩小范围。") % {"names": _("、").join(busy)}
        )
    try:
        with transaction.atomic():
            stocktake = Stocktake.objects.create(
                name=name.strip()[:100] or _("盘点"),
                class_prefixes=prefixes,
                call_from=call_from,
                call_to=call_to,
                opened_at=now,
                opened_by=by,
            )
            stocktake.locations.set(location_ids)
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO stocktake_stocktakeitem (stocktake_id, copy_id, is_open, result)"
                    " SELECT %s, s.id, true, '' FROM (" + scope + ") s",
                    [stocktake.pk, *params],
                )
                stocktake.expected_count = cur.rowcount
            stocktake.save(update_fields=["expected_count"])
    except IntegrityError as exc:  # another stocktake took some of these copies meanwhile
        raise ScopeOverlap() from exc
    return stocktake


# --- scanning -------------------------------------------------------------------------------

# What a scanned code is (the copy `c`, NULL for an unknown code; the scanning location %(loc)s, NULL
# when the whole scope is scanned at once): the one classification of the scan at the page and of a
# collector file. {stocktake} is the SQL expression of the stocktake's id in the statement.
_CLASSIFY_SQL = """CASE
        WHEN c.id IS NULL THEN 'unknown'
        WHEN c.withdrawn_on IS NOT NULL OR c.status IN ('lost', 'withdrawn') THEN 'found_again'
        WHEN c.status = 'on_loan' THEN 'on_loan'
        WHEN %(loc)s::bigint IS NOT NULL AND c.location_id <> %(loc)s::bigint THEN 'elsewhere'
        WHEN %(loc)s::bigint IS NULL AND NOT EXISTS (
            SELECT 1 FROM stocktake_stocktakeitem i WHERE i.stocktake_id = {stocktake} AND i.copy_id = c.id
        ) THEN 'elsewhere'
        ELSE 'in_place'
    END"""

# A collector file (up to 50,000 lines) in one statement.
SCAN_SQL = (
    """
WITH input AS (
    SELECT DISTINCT ON (code) code, at, ord
    FROM unnest(%(codes)s::text[], %(times)s::timestamptz[]) WITH ORDINALITY AS u(code, at, ord)
    ORDER BY code, ord
)
INSERT INTO stocktake_stocktakescan
    (stocktake_id, barcode, copy_id, location_id, result, scanned_at, scanned_by_id, source)
SELECT %(st)s, input.code, c.id, %(loc)s,
    """
    + _CLASSIFY_SQL.format(stocktake="%(st)s")
    + """,
    input.at, %(by)s, %(src)s
FROM input LEFT JOIN catalog_copy c ON c.barcode = input.code
ORDER BY input.ord
ON CONFLICT (stocktake_id, barcode) DO NOTHING
RETURNING id
"""
)

MARK_SQL = """
UPDATE stocktake_stocktakeitem i SET scanned_at = s.scanned_at
FROM unnest(%(ids)s::bigint[]) AS n(id)
JOIN stocktake_stocktakescan s ON s.id = n.id
WHERE i.stocktake_id = %(st)s AND i.copy_id = s.copy_id AND i.scanned_at IS NULL
"""


def _lock_open(stocktake: Stocktake) -> None:
    # FOR SHARE: scanners run side by side; closing (FOR UPDATE) waits for them, and they for it.
    with connection.cursor() as cur:
        cur.execute("SELECT status FROM stocktake_stocktake WHERE id = %s FOR SHARE", [stocktake.pk])
        row = cur.fetchone()
    if row is None or row[0] != Stocktake.Status.OPEN:
        raise StocktakeClosed()


def _record(stocktake, codes, times, *, location, by, source) -> list[int]:
    with connection.cursor() as cur:
        params = {
            "codes": codes,
            "times": times,
            "st": stocktake.pk,
            "loc": location.pk if location else None,
            "by": by.pk if by is not None and by.is_authenticated else None,
            "src": source[:100],
        }
        cur.execute(SCAN_SQL, params)
        ids = [row[0] for row in cur.fetchall()]
        if ids:
            cur.execute(MARK_SQL, {"ids": ids, "st": stocktake.pk})
    return ids


@dataclass
class ScanOutcome:
    scan: StocktakeScan
    repeated: bool  # the barcode was scanned before in this stocktake: nothing changed


def normalize_barcode(code: str) -> str:
    return (code or "").strip().upper()[:32]


# A scan at the page in one statement (its own transaction): lock the stocktake FOR SHARE (as
# _lock_open), check it is open and the scanning location exists, record and classify the scan (as
# SCAN_SQL), mark the listed copy, and read back the scan with its copy, record, locations and, for
# staff who may see readers, the borrower of a copy on loan. A scanner's page answers every scan:
# one round trip instead of ten, and no ORM query to build.
SCAN_ONE_SQL = (
    """
WITH st AS MATERIALIZED (
    SELECT * FROM stocktake_stocktake WHERE id = %(st)s FOR SHARE
), ok AS MATERIALIZED (
    SELECT st.id FROM st WHERE st.status = 'open' AND (
        %(loc)s::bigint IS NULL
        OR EXISTS (SELECT 1 FROM catalog_location WHERE id = %(loc)s::bigint AND is_active)
    )
), ins AS (
    INSERT INTO stocktake_stocktakescan
        (stocktake_id, barcode, copy_id, location_id, result, scanned_at, scanned_by_id, source)
    SELECT ok.id, %(code)s, c.id, %(loc)s::bigint,
        """
    + _CLASSIFY_SQL.format(stocktake="ok.id")
    + """,
        %(at)s, %(by)s, %(src)s
    FROM ok LEFT JOIN catalog_copy c ON c.barcode = %(code)s
    ON CONFLICT (stocktake_id, barcode) DO NOTHING
    RETURNING *
), mark AS (
    -- Both columns of stocktake_item_one_per_copy as conditions: an index lookup whatever the
    -- planner believes about the table's size.
    UPDATE stocktake_stocktakeitem SET scanned_at = %(at)s
    WHERE stocktake_id = %(st)s AND copy_id = (SELECT copy_id FROM ins) AND scanned_at IS NULL
), scan AS (
    SELECT ins.*, true AS is_new FROM ins
    UNION ALL
    -- Scanned before this statement began. One committed by another scanner meanwhile is not
    -- seen here (same snapshot): then the statement runs again (scan_record).
    SELECT s.*, false FROM stocktake_stocktakescan s JOIN ok ON s.stocktake_id = ok.id WHERE s.barcode = %(code)s
)
SELECT {columns} FROM st
LEFT JOIN scan ON true
LEFT JOIN catalog_copy c ON c.id = scan.copy_id
LEFT JOIN catalog_record r ON r.id = c.record_id
LEFT JOIN catalog_location cl ON cl.id = c.location_id
LEFT JOIN catalog_location sl ON sl.id = scan.location_id
LEFT JOIN circulation_loan l ON %(readers)s AND scan.result = 'on_loan' AND l.copy_id = scan.copy_id
    AND l.returned_at IS NULL
LEFT JOIN circulation_reader rd ON rd.id = l.reader_id
LEFT JOIN circulation_schoolclass sc ON sc.id = rd.school_class_id
"""
)


@functools.cache
def _scan_one_select() -> PreparedSelect:
    from circulation.models import Reader, SchoolClass

    return PreparedSelect(
        [
            Part(Stocktake, "st"),
            Part(StocktakeScan, "scan", "scan"),
            Part(Copy, "c", "scan.copy"),
            Part(Record, "r", "scan.copy.record", defer=("search_text", "search_document", "summary")),
            Part(Location, "cl", "scan.copy.location"),
            Part(Location, "sl", "scan.location"),
            Part(Reader, "rd", "scan.reader"),
            Part(SchoolClass, "sc", "scan.reader.school_class"),
        ],
        SCAN_ONE_SQL,
        extra={"accepted": ("EXISTS (SELECT 1 FROM ok)", BooleanField), "is_new": ("scan.is_new", BooleanField)},
    )


def _pk(value) -> int | None:
    return value.pk if isinstance(value, Model) else value


def scan_record(
    *,
    stocktake: Stocktake | int,
    barcode: str,
    location: Location | int | None = None,
    by=None,
    now: datetime | None = None,
    with_borrower: bool = False,
) -> ScanOutcome:
    """One barcode scanned at the page. Scanning the same barcode again (by anyone) is a no-op.

    The stocktake and the location may be given as ids (the page's hot path reads neither first).
    with_borrower: the reader of a copy on loan is read as `scan.borrower` ("name · class"); only
    for staff who may see readers. Raises Stocktake.DoesNotExist for no such stocktake,
    StocktakeClosed, or StocktakeError for an empty code or a location that is no active location.
    """
    now = now or timezone.now()
    code = normalize_barcode(barcode)
    if not code:
        raise StocktakeError(_("请扫描图书条码。"))
    params = {
        "st": _pk(stocktake),
        "loc": _pk(location),
        "code": code,
        "at": now,
        "by": by.pk if by is not None and by.is_authenticated else None,
        "src": _("扫描"),
        "readers": bool(with_borrower),
    }
    # One statement is one transaction (autocommit): no BEGIN/COMMIT round trips. Twice at most: a
    # scan of the same barcode committed by another scanner while this one waited is read then.
    for _attempt in range(2):
        found = _scan_one_select().fetch(params)
        if not found:
            raise Stocktake.DoesNotExist()
        st = found[0]
        if st.status != Stocktake.Status.OPEN:
            raise StocktakeClosed()
        if not st.accepted:
            raise StocktakeError(_("所选的盘点地点不存在或已停用，请刷新页面后重新选择。"))
        scan = st.scan
        if scan is not None:
            scan.stocktake = st
            if with_borrower:
                scan.borrower = selectors.borrower_label(scan.reader) if scan.reader is not None else ""
            return ScanOutcome(scan=scan, repeated=not st.is_new)
    raise StocktakeError(_("请重新扫描。"))


TIME_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_collector_file(content: bytes) -> list[tuple[str, datetime | None]]:
    """Lines of a 盘点机 file: a barcode, optionally followed by a time (comma, tab or space)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = re.split(r"[\s,;，]+", line, maxsplit=1)
        code = normalize_barcode(parts[0])
        if not code:
            continue
        at = None
        if len(parts) > 1:
            m = TIME_RE.search(parts[1])
            if m:
                y, mo, d, h, mi, s = m.groups()
                naive = parse_datetime(f"{y}-{int(mo):02d}-{int(d):02d} {int(h):02d}:{mi}:{s or '00'}")
                if naive is not None:
                    at = timezone.make_aware(naive)
        out.append((code, at))
    return out


@dataclass
class FileOutcome:
    lines: int
    new: int

    @property
    def repeated(self) -> int:
        return self.lines - self.new


def scan_file(
    *,
    stocktake: Stocktake,
    content: bytes,
    filename: str = "",
    location: Location | None = None,
    by=None,
    now: datetime | None = None,
) -> FileOutcome:
    """Reconcile a collector file in two statements; lines already scanned change nothing."""
    now = now or timezone.now()
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise StocktakeError(
            _("文件太大，一次最多上传 %(max)s MB，请分成几个文件。")
            % {"max": f"{settings.IMPORT_MAX_BYTES / 1024 / 1024:g}"}
        )
    lines = parse_collector_file(content)
    if not lines:
        raise StocktakeError(_("文件里没有条码：每行一个条码，后面可以跟扫描时间。"))
    if len(lines) > settings.IMPORT_MAX_ROWS:
        raise StocktakeError(
            _("文件有 %(n)s 行，一次最多 %(max)s 行，请分成几个文件。")
            % {"n": len(lines), "max": settings.IMPORT_MAX_ROWS}
        )
    codes = [code for code, _at in lines]
    times = [at or now for _code, at in lines]
    with transaction.atomic():
        _lock_open(stocktake)
        ids = _record(stocktake, codes, times, location=location, by=by, source=filename or _("盘点机文件"))
    return FileOutcome(lines=len(lines), new=len(ids))


# --- closing --------------------------------------------------------------------------------

CLOSE_SQL = """
UPDATE stocktake_stocktakeitem i SET is_open = false, result = CASE
        WHEN s.id IS NOT NULL AND s.result = 'elsewhere' THEN 'misplaced'
        WHEN s.id IS NOT NULL THEN 'in_place'
        WHEN c.status = 'on_loan' THEN 'on_loan'
        WHEN c.withdrawn_on IS NOT NULL OR c.status IN ('repair', 'on_hold') THEN 'away'
        ELSE 'missing'
    END
FROM catalog_copy c
LEFT JOIN stocktake_stocktakescan s ON s.stocktake_id = %(st)s AND s.copy_id = c.id
WHERE i.stocktake_id = %(st)s AND c.id = i.copy_id
"""


def stocktake_close(*, stocktake: Stocktake, by=None, now: datetime | None = None) -> Stocktake:
    """Close: every listed copy gets its result in one statement; missing = listed, not scanned,
    not on loan, not in repair or on the hold shelf."""
    now = now or timezone.now()
    with transaction.atomic():
        st = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if st.status != Stocktake.Status.OPEN:
            raise StocktakeClosed()
        with connection.cursor() as cur:
            cur.execute(CLOSE_SQL, {"st": st.pk})
        st.status = Stocktake.Status.CLOSED
        st.closed_at = now
        st.closed_by = by
        st.save(update_fields=["status", "closed_at", "closed_by"])
    return st


# --- write-off of the missing copies (two-person rule) --------------------------------------


def is_administrator(user) -> bool:
    return bool(user.is_superuser or user.has_perm("library.manage_school"))


def writeoff_propose(*, stocktake: Stocktake, by, now: datetime | None = None) -> WriteOff:
    now = now or timezone.now()
    with transaction.atomic():
        st = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if st.status != Stocktake.Status.CLOSED:
            raise StocktakeError(_("盘点结束后才能申请注销丢失图书。"))
        if WriteOff.objects.filter(stocktake=st).exists():
            raise StocktakeError(_("这次盘点的注销已经申请过了。"))
        if not st.items.filter(result=ItemResult.MISSING).exists():
            raise StocktakeError(_("这次盘点没有丢失的图书。"))
        return WriteOff.objects.create(stocktake=st, proposed_by=by, proposed_at=now)


def writeoff_approve(*, write_off: WriteOff, by, now: datetime | None = None) -> WithdrawalBatch:
    """Approve and carry out: the missing copies still absent are written off as 遗失 in one batch.
    The approver must be someone other than the proposer, unless an administrator."""
    now = now or timezone.now()
    with transaction.atomic():
        wo = WriteOff.objects.select_for_update().select_related("stocktake").get(pk=write_off.pk)
        if wo.approved_at is not None:
            raise StocktakeError(_("已经审批过了。"))
        if wo.proposed_by_id == by.pk and not is_administrator(by):
            raise ApprovalRefused(_("申请人不能自己审批，请另一位图书管理员或管理员审批。"))
        copies = list(
            Copy.objects.select_for_update()
            .filter(
                pk__in=wo.stocktake.items.filter(result=ItemResult.MISSING).values("copy_id"),
                withdrawn_on__isnull=True,
                status=CopyStatus.ON_SHELF,
            )
            # Seen since, in a later stocktake: found, whatever this list says.
            .exclude(
                pk__in=StocktakeScan.objects.filter(scanned_at__gt=wo.stocktake.closed_at, copy__isnull=False).values(
                    "copy_id"
                )
            )
            .order_by("pk")
        )
        # Missing copies scanned meanwhile in another open stocktake were found: they stay.
        from catalog import hooks

        blocked = hooks.write_off_blockers([c.pk for c in copies])
        copies = [c for c in copies if c.pk not in blocked]
        if not copies:
            raise StocktakeError(_("没有需要注销的图书：丢失的图书都已找回或另行处理。"))
        with connection.cursor() as cur:
            cur.execute("LOCK TABLE catalog_withdrawalbatch IN SHARE ROW EXCLUSIVE MODE")
        day = timezone.localdate(now)
        approver = by.get_full_name() or by.get_username()
        batch = WithdrawalBatch.objects.create(
            number=withdrawal_number(day),
            withdrawn_on=day,
            reason="lost",
            approver=approver,
            note=_("盘点“%(name)s”丢失") % {"name": wo.stocktake.name},
            operator=wo.proposed_by,
        )
        try:
            for copy in copies:
                copy_write_off(copy, reason="lost", by=by, now=now, batch=batch, note=batch.note)
        except CatalogError as exc:
            raise StocktakeError(str(exc)) from exc
        wo.approved_by = by
        wo.approved_at = now
        wo.batch = batch
        wo.save(update_fields=["approved_by", "approved_at", "batch"])
    return batch


def copy_found_restore(*, stocktake: Stocktake, copy: Copy, by=None, now: datetime | None = None) -> Copy:
    """A written-off copy scanned in this stocktake goes back on the shelf, its history kept."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Copy.objects.select_for_update(of=("self",)).select_related("withdrawal").get(pk=copy.pk)
        if not StocktakeScan.objects.filter(stocktake=stocktake, copy=locked).exists():
            raise StocktakeError(_("这本书没有在这次盘点中扫描到。"))
        if locked.withdrawn_on is None and locked.status not in (CopyStatus.LOST, CopyStatus.WITHDRAWN):
            raise StocktakeError(_("%(code)s 已在馆藏中。") % {"code": locked.barcode})
        copy_restore(locked, by=by, now=now, note=_("盘点“%(name)s”找回") % {"name": stocktake.name})
    return locked
