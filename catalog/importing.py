"""The import pipeline shared by Excel and MARC: rows → checked rows (preview) → one transaction.

A row is a dict of Record fields plus holdings: `barcodes` (list), `copies` (int), `location`
(name), `source`, `batch` (number), `prices` (per barcode, optional). Checking never writes; the
import refuses to start while any row has a problem, and writes everything or nothing.
Idempotence: a file (by SHA-256) is imported once; rows find their existing record (same ISBN,
or same normalised title + first author + publisher) instead of creating a second one, and
barcodes that already exist on that record are skipped.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import barcode_rules, clc, excel, services, textsearch
from catalog.exceptions import CatalogError, ImportRejected
from catalog.models import AcquisitionBatch, Copy, CopySource, ImportLog, Location, ReaderLevel, Record

# Columns read as text (a number typed into them, e.g. an ISBN, is turned back into text).
NUMBER_FIELDS = {"pub_year", "price", "reader_level"}
TEXT_FIELDS = (set(services.RECORD_FIELDS) - NUMBER_FIELDS) | {"location", "batch"}
LEVEL_BY_LABEL = {str(label): value for value, label in ReaderLevel.choices} | {"教师": "teacher"}
SOURCE_BY_LABEL = {str(label): value for value, label in CopySource.choices} | {"购入": "purchase"}
# The record columns an import writes, with their limits: the preview refuses what they cannot hold.
COLUMN_LABELS = {key: header for header, key, _e in excel.COLUMNS}
TEXT_LIMITS = {
    f.name: f.max_length
    for f in Record._meta.get_fields()
    if f.name in services.RECORD_FIELDS and getattr(f, "max_length", None) and f.name != "reader_level"
}
MAX_PRICE = Decimal("9999999.99")  # Record.price and Copy.price: 9 digits, 2 after the point


def _label(key: str) -> str:
    if key in COLUMN_LABELS:
        return COLUMN_LABELS[key]
    try:
        return str(Record._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:  # an internal key such as "barcodes"
        return key


def _column_problems(d: dict) -> list[str]:
    """Values the database would refuse: too long for their column, or holding a NUL character."""
    problems = []
    for key, value in d.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            problems.append(_("“%(col)s”含有无法保存的空字符（NUL）") % {"col": _label(key)})
    for key, limit in TEXT_LIMITS.items():
        value = d.get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(
                _("“%(col)s”超过 %(max)s 个字（现有 %(n)s 个）") % {"col": _label(key), "max": limit, "n": len(value)}
            )
    return problems


@dataclass
class Row:
    number: int  # 1-based row (Excel: sheet row; MARC: record number in the file)
    data: dict
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    existing: Record | None = None
    new_barcodes: list[str] = field(default_factory=list)
    auto_copies: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Checked:
    rows: list[Row]
    sha256: str
    kind: str
    filename: str
    already: ImportLog | None = None

    @property
    def problem_rows(self) -> list[Row]:
        return [r for r in self.rows if r.problems]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problem_rows and self.already is None

    @property
    def new_records(self) -> int:
        return sum(1 for r in self.rows if r.existing is None)

    @property
    def new_copies(self) -> int:
        return sum(len(r.new_barcodes) + r.auto_copies for r in self.rows)


def file_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    text = re.sub(r"[^\d.]", "", str(value).replace("CNY", "").replace("￥", "").replace("¥", ""))
    try:
        return Decimal(text).quantize(Decimal("0.01")) if text else None
    except InvalidOperation:
        return None


def check_rows(
    raw_rows: list[tuple[int, dict]], *, kind: str, filename: str, content: bytes, default_location: Location | None
) -> Checked:
    """Validate and normalise every row, and find what already exists (a few queries in all)."""
    checked = Checked(rows=[], sha256=file_hash(content), kind=kind, filename=filename.replace("\x00", "")[:200])
    checked.already = ImportLog.objects.filter(sha256=checked.sha256).first()
    locations = {loc.name: loc for loc in Location.objects.all()}
    batches = {b.number: b for b in AcquisitionBatch.objects.all().only("pk", "number", "received_on")}
    seen_barcodes: dict[str, int] = {}
    for number, data in raw_rows:
        row = Row(number=number, data=dict(data))
        d = row.data
        for key, value in list(d.items()):
            if key in TEXT_FIELDS and value is not None and not isinstance(value, str):
                value = str(value)  # Excel gives numbers for cells like 页数 or a numeric title
            if isinstance(value, str):
                d[key] = value.strip()
        if d.get("_error"):
            row.problems.append(d.pop("_error"))
            checked.rows.append(row)
            continue
        if not d.get("title"):
            row.problems.append(_("缺少题名"))
        try:
            d["isbn"] = services.isbn_normalize(d.get("isbn", ""))
        except CatalogError as exc:
            row.problems.append(str(exc))
        code = d.get("clc", "")
        if not code:
            row.problems.append(_("缺少中图法分类号"))
        else:
            try:
                d["clc"] = clc.validate(code)
            except clc.ClcError as exc:
                row.problems.append(str(exc))
        d["book_number"] = str(d.get("book_number") or "").strip().replace("/", "")
        year = d.get("pub_year")
        if year in ("", None):
            d["pub_year"] = None
        else:
            m = re.search(r"\d{4}", str(year))
            d["pub_year"] = int(m.group()) if m and 1000 < int(m.group()) < 2100 else None
            if d["pub_year"] is None:
                row.problems.append(_("出版年“%(y)s”不对") % {"y": year})
        raw_price = d.get("price")
        d["price"] = _decimal(raw_price)
        if raw_price not in (None, "") and d["price"] is None:
            row.problems.append(_("定价“%(p)s”不是数字") % {"p": raw_price})
        elif d["price"] is not None and d["price"] > MAX_PRICE:
            row.problems.append(_("定价“%(p)s”太大") % {"p": raw_price})
            d["price"] = None
        level = d.get("reader_level", "")
        if level and level not in ReaderLevel.values:
            if level in LEVEL_BY_LABEL:
                d["reader_level"] = LEVEL_BY_LABEL[level]
            else:
                row.problems.append(_("适读对象“%(v)s”应为 低年级/中年级/高年级/初中/高中/教师用书") % {"v": level})
        source = d.get("source") or "purchase"
        d["source"] = SOURCE_BY_LABEL.get(source, source)
        if d["source"] not in CopySource.values:
            row.problems.append(_("来源“%(v)s”应为 采购/捐赠/调拨") % {"v": source})
        loc_name = d.get("location", "")
        d["location_obj"] = locations.get(loc_name) if loc_name else default_location
        barcodes = [b.strip().upper() for b in d.get("barcodes") or [] if b and b.strip()]
        d["barcodes"] = barcodes
        try:
            copies = int(d.get("copies") or 0)
        except (TypeError, ValueError, OverflowError):
            copies = 0
            row.problems.append(_("复本数“%(v)s”不是整数") % {"v": d.get("copies")})
        if copies < 0 or copies > 500:
            row.problems.append(_("复本数应在 0 到 500 之间"))
        d["copies"] = max(copies, len(barcodes))
        if d["copies"] and d["location_obj"] is None:
            row.problems.append(
                _("馆藏地点“%(v)s”不存在（可用：%(all)s）") % {"v": loc_name, "all": "、".join(locations)}
                if loc_name
                else _("请在表中填写馆藏地点，或在导入页选择默认地点")
            )
        batch_no = d.get("batch", "")
        d["batch_obj"] = batches.get(batch_no) if batch_no else None
        if batch_no and d["batch_obj"] is None:
            row.problems.append(_("验收批次“%(v)s”不存在，请先建立批次") % {"v": batch_no})
        for b in barcodes:
            if not re.fullmatch(r"[0-9A-Z\-]{1,32}", b):
                row.problems.append(_("登记号“%(v)s”只能包含字母和数字") % {"v": b})
            elif b in seen_barcodes:
                row.problems.append(_("登记号 %(b)s 与第 %(n)s 行重复") % {"b": b, "n": seen_barcodes[b]})
            else:
                seen_barcodes[b] = number
        row.problems.extend(_column_problems(d))
        if d.get("clc") and not row.problems:
            warning = clc.lookup(d["clc"]).warning(d["clc"]) if len(checked.rows) < 300 else ""
            if warning:
                row.warnings.append(warning)
        checked.rows.append(row)
    _match_existing(checked.rows)
    return checked


def _match_existing(rows: list[Row]) -> None:
    """Find each row's existing record and which of its barcodes are new (constant query count)."""
    good = [r for r in rows if r.ok]
    isbns = {r.data["isbn"] for r in good if r.data["isbn"]}
    by_isbn = defaultdict(list)
    for rec in Record.objects.filter(isbn__in=isbns).only("pk", "isbn", "volume", "title", "call_number"):
        by_isbn[rec.isbn].append(rec)
    keys = {}
    for r in good:
        probe = Record(title=r.data["title"], authors=r.data.get("authors", ""), publisher=r.data.get("publisher", ""))
        probe.title_normalized = textsearch.normalize(probe.title)[:300]
        first = re.split(r"[;；,，、]", probe.authors or "")[0]
        first = re.sub(r"^[\[［(（][^\]］)）]*[\]］)）]", "", first)
        keys[r.number] = (
            probe.title_normalized,
            textsearch.normalize(first)[:200],
            probe.publisher.strip(),
            r.data.get("volume", ""),
        )
    by_key = {}
    titles = {k[0] for k in keys.values()}
    for rec in Record.objects.filter(title_normalized__in=titles).only(
        "pk", "title_normalized", "first_author_normalized", "publisher", "volume", "title", "call_number"
    ):
        by_key.setdefault((rec.title_normalized, rec.first_author_normalized, rec.publisher, rec.volume), rec)
    # Rows of the same file that describe the same book share one new record.
    all_barcodes = [b for r in good for b in r.data["barcodes"]]
    existing_barcodes = dict(Copy.objects.filter(barcode__in=all_barcodes).values_list("barcode", "record_id"))
    card_numbers = barcode_rules.taken_elsewhere(all_barcodes)
    for r in good:
        d = r.data
        match = None
        if d["isbn"]:
            candidates = by_isbn.get(d["isbn"], [])
            match = next((c for c in candidates if c.volume == d.get("volume", "")), None) or (
                candidates[0] if candidates and not d.get("volume") else None
            )
        if match is None:
            match = by_key.get(keys[r.number])
        r.existing = match
        for b in d["barcodes"]:
            owner = existing_barcodes.get(b)
            if b in card_numbers:
                r.problems.append(_("登记号 %(b)s 已是借书证号，请换一个登记号") % {"b": b})
            elif owner is None:
                r.new_barcodes.append(b)
            elif match is None or owner != match.pk:
                r.problems.append(_("登记号 %(b)s 已被馆藏中的另一本书使用") % {"b": b})
        if not d["barcodes"]:
            r.auto_copies = d["copies"]
        if match is not None and d["barcodes"] and not r.new_barcodes:
            r.warnings.append(_("已导入过，跳过"))


def run_import(checked: Checked, *, by=None, now=None) -> ImportLog:
    """Write the checked rows: all or nothing. Raises ImportRejected when anything is wrong."""
    now = now or timezone.now()
    if checked.already is not None:
        raise ImportRejected(
            _("这个文件已于 %(when)s 导入过，没有重复导入。")
            % {"when": timezone.localtime(checked.already.created_at).strftime("%Y-%m-%d %H:%M")}
        )
    if not checked.rows:
        raise ImportRejected(_("文件里没有可导入的数据。"))
    if checked.problem_rows:
        raise ImportRejected(
            _("有 %(n)s 行存在问题，请修改文件后重新上传；没有导入任何数据。") % {"n": len(checked.problem_rows)}
        )
    today = timezone.localdate(now)
    try:
        with transaction.atomic():
            log = ImportLog.objects.create(
                sha256=checked.sha256, kind=checked.kind, filename=checked.filename, created_by=by
            )
            # Records: one new record per distinct book of the file.
            new_by_key: dict[tuple, Record] = {}
            row_record: dict[int, Record] = {}
            pending = []
            for r in checked.rows:
                if r.existing is not None:
                    row_record[r.number] = r.existing
                    continue
                d = r.data
                key = (
                    (d["isbn"], d.get("volume", ""))
                    if d["isbn"]
                    else (
                        textsearch.normalize(d["title"]),
                        d.get("authors", ""),
                        d.get("publisher", ""),
                        d.get("volume", ""),
                    )
                )
                if key in new_by_key:
                    row_record[r.number] = new_by_key[key]
                    continue
                rec = Record(created_by=by)
                for name in services.RECORD_FIELDS:
                    if name in d and d[name] is not None:
                        setattr(rec, name, d[name])
                rec.pub_year, rec.price = d.get("pub_year"), d.get("price")
                new_by_key[key] = rec
                row_record[r.number] = rec
                pending.append(rec)
            # 种次号 for records without one, reserved per class number under the counter's lock.
            by_class = defaultdict(list)
            for rec in pending:
                if rec.clc and not rec.book_number:
                    by_class[rec.clc].append(rec)
            for code in sorted(by_class):
                for rec, n in zip(
                    by_class[code], services.book_numbers_reserve(code=code, count=len(by_class[code])), strict=True
                ):
                    rec.book_number = str(n)
            for rec in pending:
                textsearch.fill_derived(rec)
            Record.objects.bulk_create(pending, batch_size=1000)
            # Copies: given barcodes, plus fresh accession numbers for rows that only give a count.
            auto = services.barcodes_allocate(count=sum(r.auto_copies for r in checked.rows))
            auto_iter = iter(auto)
            copies = []
            for r in checked.rows:
                d = r.data
                rec = row_record[r.number]
                codes = r.new_barcodes + [next(auto_iter) for _i in range(r.auto_copies)]
                batch = d.get("batch_obj")
                for code in codes:
                    copies.append(
                        Copy(
                            barcode=code,
                            record=rec,
                            location=d["location_obj"],
                            price=(d.get("prices") or {}).get(code, d.get("price")),
                            source=d["source"],
                            batch=batch,
                            acquired_on=batch.received_on if batch else (d.get("acquired_on") or today),
                        )
                    )
            Copy.objects.bulk_create(copies, batch_size=2000)
            services.record_locations_refresh({c.record_id for c in copies})
            log.records_created = len(pending)
            fresh = {id(rec) for rec in pending}
            log.records_matched = len({rec.pk for rec in row_record.values() if id(rec) not in fresh})
            log.copies_created = len(copies)
            log.save(update_fields=["records_created", "records_matched", "copies_created"])
    except IntegrityError as exc:
        raise ImportRejected(
            _("导入时发现数据冲突（可能有人同时导入了同一批图书），没有导入任何数据，请重新上传。")
        ) from exc
    except DataError as exc:  # the preview checks every limit; this is the last line of defence
        raise ImportRejected(_("数据库拒绝了文件中的某个值，没有导入任何数据。请检查文件后重新上传。")) from exc
    return log
