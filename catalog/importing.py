"""The import pipeline shared by Excel and MARC: rows → checked rows (preview) → one transaction.

A row is a dict of Record fields plus holdings: `barcodes` (list), `copies` (int), `location`
(name), `source`, `batch` (number), `prices` (per barcode, optional). Checking never writes; the
import refuses to start while any row has a problem, and writes everything or nothing.
Idempotence: a file (by SHA-256) is imported once; rows find their existing record (same ISBN,
or same normalised title + first author + publisher) instead of creating a second one, and
barcodes that already exist on that record are skipped.

Rows of one Excel sheet that describe the same book share one new record (said on the row). A MARC
record is a bibliographic record of its own: two records of a file with the same ISBN (a print
book and its online version, two volumes) become two records. A new MARC record without a 中图法
number is not a problem: the preview asks for the class, and what stays unclassified goes to the
source pool (书目数据源) to wait there, without copies. Whatever the preview announces is what the
import does: every merged, skipped, changed or pooled row says so and why.
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
from catalog.sources import pool

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
MARC_KINDS = ("cnmarc", "marc21")
# Where a MARC record holds each value, to name the field in a problem.
MARC_FIELDS = {
    "cnmarc": {
        "isbn": "010$a",
        "unified_number": "091$a",
        "price": "010$d",
        "title": "200$a",
        "clc": "690$a",
        "pub_year": "210$d",
        "publisher": "210$c",
        "authors": "701$a",
        "other_title": "200$e",
        "volume": "200$h",
        "responsibility": "200$f",
        "edition": "205$a",
        "pub_place": "210$a",
        "pages": "215$a",
        "series": "225$a",
        "summary": "330$a",
        "subjects": "606$a",
        "language": "101$a",
        "barcodes": "905$b",
        "book_number": "905$e",
    },
    "marc21": {
        "isbn": "020$a",
        "price": "020$c",
        "title": "245$a",
        "clc": "084$a",
        "pub_year": "260$c",
        "publisher": "260$b",
        "authors": "100$a",
        "other_title": "245$b",
        "volume": "245$n",
        "responsibility": "245$c",
        "edition": "250$a",
        "pub_place": "260$a",
        "pages": "300$a",
        "series": "490$a",
        "summary": "520$a",
        "subjects": "650$a",
        "language": "008/35",
        "barcodes": "852$p",
        "book_number": "852$h",
    },
}


def _label(key: str) -> str:
    if key in COLUMN_LABELS:
        return COLUMN_LABELS[key]
    try:
        return str(Record._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:  # an internal key such as "barcodes"
        return key


def _column_problems(d: dict) -> list[tuple[str, str]]:
    """Values the database would refuse: too long for their column, or holding a NUL character."""
    problems = []
    for key, value in d.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            problems.append((key, _("“%(col)s”含有无法保存的空字符（NUL）") % {"col": _label(key)}))
    for key, limit in TEXT_LIMITS.items():
        value = d.get(key)
        if isinstance(value, str) and len(value) > limit:
            problems.append(
                (
                    key,
                    _("“%(col)s”超过 %(max)s 个字（现有 %(n)s 个）")
                    % {"col": _label(key), "max": limit, "n": len(value)},
                )
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
    merged_into: int | None = None  # Excel: the earlier row of the same book whose new record it shares
    needs_class: bool = False  # MARC: a new record without a 中图法 number
    to_pool: bool = False  # ... left unclassified: goes to the source pool instead of the catalogue
    original: dict = field(default_factory=dict)  # the row as read from the file (what the pool keeps)

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
        return sum(1 for r in self.rows if r.ok and r.existing is None and r.merged_into is None and not r.to_pool)

    @property
    def new_copies(self) -> int:
        return sum(len(r.new_barcodes) + r.auto_copies for r in self.rows if not r.to_pool)

    @property
    def pooled(self) -> list[Row]:
        return [r for r in self.rows if r.to_pool]

    @property
    def needing_class(self) -> list[Row]:
        return [r for r in self.rows if r.needs_class]


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
    raw_rows: list[tuple[int, dict]],
    *,
    kind: str,
    filename: str,
    content: bytes,
    default_location: Location | None,
    classes: dict[int, str] | None = None,
) -> Checked:
    """Validate and normalise every row, and find what already exists (a few queries in all).

    `classes` are the 中图法 numbers typed on the preview for MARC records that have none."""
    classes = classes or {}
    marc_fields = MARC_FIELDS.get(kind)
    checked = Checked(rows=[], sha256=file_hash(content), kind=kind, filename=filename.replace("\x00", "")[:200])
    checked.already = ImportLog.objects.filter(sha256=checked.sha256).first()
    locations = {loc.name: loc for loc in Location.objects.all()}
    batches = {b.number: b for b in AcquisitionBatch.objects.all().only("pk", "number", "received_on")}
    seen_barcodes: dict[str, int] = {}
    for number, data in raw_rows:
        row = Row(number=number, data=dict(data), original=data)
        d = row.data
        if marc_fields:
            row.problems = _MarcProblems(number, MARC_FIELDS.get(data.get("_kind"), marc_fields))
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
            _add(row, "title", _("缺少题名"))
        try:
            d["isbn"] = services.isbn_normalize(d.get("isbn", ""))
        except CatalogError as exc:
            _add(row, "isbn", str(exc))
        unified = d.get("unified_number") or ""
        d["unified_number"] = services.unified_number_normalize(unified)
        if unified and not d["unified_number"]:
            row.warnings.append(_("统一书号“%(v)s”看不懂（应如 10019·1234），没有导入这个统一书号") % {"v": unified})
        code = d.get("clc", "")
        if not code and marc_fields:
            code = d["clc"] = str(classes.get(number) or "").strip().upper()
            row.needs_class = True
        if not code and marc_fields:
            pass  # asked on the preview; an existing record has its class already (see _match_existing)
        elif not code:
            row.problems.append(_("缺少中图法分类号"))
        else:
            try:
                d["clc"] = clc.validate(code)
            except clc.ClcError as exc:
                _add(row, "clc", str(exc))
        d["book_number"] = str(d.get("book_number") or "").strip().replace("/", "")
        year = d.get("pub_year")
        if year in ("", None):
            d["pub_year"] = None
        else:
            m = re.search(r"\d{4}", str(year))
            d["pub_year"] = int(m.group()) if m and 1000 < int(m.group()) < 2100 else None
            if d["pub_year"] is None:
                _add(row, "pub_year", _("出版年“%(y)s”不对") % {"y": year})
        raw_price = d.get("price")
        d["price"] = _decimal(raw_price)
        if raw_price not in (None, "") and d["price"] is None:
            _add(row, "price", _("定价“%(p)s”不是数字") % {"p": raw_price})
        elif d["price"] is not None and d["price"] > MAX_PRICE:
            _add(row, "price", _("定价“%(p)s”太大") % {"p": raw_price})
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
                _("馆藏地点“%(v)s”不存在（可用：%(all)s）") % {"v": loc_name, "all": _("、").join(locations)}
                if loc_name
                else _("请在表中填写馆藏地点，或在导入页选择默认地点")
            )
        batch_no = d.get("batch", "")
        d["batch_obj"] = batches.get(batch_no) if batch_no else None
        if batch_no and d["batch_obj"] is None:
            row.problems.append(_("验收批次“%(v)s”不存在，请先建立批次") % {"v": batch_no})
        for b in barcodes:
            if not re.fullmatch(r"[0-9A-Z\-]{1,32}", b):
                _add(row, "barcodes", _("登记号“%(v)s”只能包含字母和数字") % {"v": b})
            elif b in seen_barcodes:
                _add(row, "barcodes", _("登记号 %(b)s 与第 %(n)s 行重复") % {"b": b, "n": seen_barcodes[b]})
            else:
                seen_barcodes[b] = number
        for key, message in _column_problems(d):
            _add(row, key, message)
        if d.get("clc") and not row.problems:
            warning = clc.lookup(d["clc"]).warning(d["clc"]) if len(checked.rows) < 300 else ""
            if warning:
                row.warnings.append(warning)
        checked.rows.append(row)
    _match_existing(checked.rows, merge_in_file=not marc_fields)
    for row in checked.rows:
        if row.needs_class and row.existing is not None:
            row.needs_class = False
        row.to_pool = row.ok and row.needs_class and not row.data.get("clc")
        if row.to_pool:
            row.warnings.append(_("没有中图法分类号：未填写分类号时放入书目数据源等待分类，不建复本"))
        row.problems = list(row.problems)
    return checked


class _MarcProblems(list):
    """The problems of a MARC row, each naming the record number and, where known, the field."""

    def __init__(self, number: int, fields: dict):
        super().__init__()
        self.number, self.fields = number, fields

    def add(self, key: str, message: str) -> None:
        message = str(message)
        if message.startswith(_("第 %(n)s 条记录") % {"n": self.number}):
            super().append(message)
        elif key in self.fields:
            n, f = self.number, self.fields[key]
            super().append(_("第 %(n)s 条记录，字段 %(f)s：%(m)s") % {"n": n, "f": f, "m": message})
        else:
            super().append(_("第 %(n)s 条记录：%(m)s") % {"n": self.number, "m": message})

    def append(self, message: str) -> None:
        self.add("", message)


def _add(row: "Row", key: str, message: str) -> None:
    if isinstance(row.problems, _MarcProblems):
        row.problems.add(key, message)
    else:
        row.problems.append(message)


def _file_key(d: dict) -> tuple:
    """Rows of one file with the same key describe the same book (Excel: they share one record)."""
    if d["isbn"]:
        return (d["isbn"], d.get("volume", ""))
    if d.get("unified_number"):
        return (d["unified_number"], d.get("volume", ""))
    return (textsearch.normalize(d["title"]), d.get("authors", ""), d.get("publisher", ""), d.get("volume", ""))


def _match_existing(rows: list[Row], *, merge_in_file: bool = True) -> None:
    """Find each row's existing record and which of its barcodes are new (constant query count);
    say which rows share a book with an earlier row, and which 种次号 are taken."""
    good = [r for r in rows if r.ok]
    isbns = {r.data["isbn"] for r in good if r.data["isbn"]}
    by_isbn = defaultdict(list)
    for rec in Record.objects.filter(isbn__in=isbns).only("pk", "isbn", "volume", "title", "call_number"):
        by_isbn[rec.isbn].append(rec)
    # An old book without ISBN is the same book as a record with its 统一书号 (and volume).
    unified = {r.data["unified_number"] for r in good if not r.data["isbn"] and r.data.get("unified_number")}
    by_unified = {}
    for rec in Record.objects.filter(unified_number__in=unified).only(
        "pk", "unified_number", "volume", "title", "call_number"
    ):
        by_unified.setdefault((rec.unified_number, rec.volume), rec)
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
        elif d.get("unified_number"):
            match = by_unified.get((d["unified_number"], d.get("volume", "")))
        if match is None:
            match = by_key.get(keys[r.number])
        r.existing = match
        for b in d["barcodes"]:
            owner = existing_barcodes.get(b)
            if b in card_numbers:
                _add(r, "barcodes", _("登记号 %(b)s 已是借书证号，请换一个登记号") % {"b": b})
            elif owner is None:
                r.new_barcodes.append(b)
            elif match is None or owner != match.pk:
                _add(r, "barcodes", _("登记号 %(b)s 已被馆藏中的另一本书使用") % {"b": b})
        if not d["barcodes"]:
            r.auto_copies = d["copies"]
        if match is not None and d["barcodes"] and not r.new_barcodes:
            r.warnings.append(_("已导入过，跳过"))
    first_of: dict[tuple, Row] = {}
    for r in good:
        if r.existing is not None:
            continue
        earlier = first_of.setdefault(_file_key(r.data), r)
        if earlier is r:
            continue
        if merge_in_file:
            r.merged_into = earlier.number
            r.warnings.append(_("与第 %(n)s 行是同一种书：复本并入同一条新书目") % {"n": earlier.number})
        elif r.data["isbn"]:
            r.warnings.append(
                _("与第 %(n)s 条 ISBN 相同：作为另一种书单独建目，定价和索书号各自保留") % {"n": earlier.number}
            )
        else:
            r.warnings.append(_("与第 %(n)s 条题名、著者、出版者相同：作为另一种书单独建目") % {"n": earlier.number})
    _check_book_numbers([r for r in good if r.existing is None and r.merged_into is None])


def _check_book_numbers(rows: list[Row]) -> None:
    """A 种次号 given in the file that its class already uses (in the catalogue or on an earlier
    row) is dropped, and the import assigns the next free one: said on the row."""
    given = [r for r in rows if r.data.get("clc") and r.data.get("book_number")]
    if not given:
        return
    taken = set(
        Record.objects.filter(
            clc__in={r.data["clc"] for r in given}, book_number__in={r.data["book_number"] for r in given}
        ).values_list("clc", "book_number")
    )
    for r in given:
        pair = (r.data["clc"], r.data["book_number"])
        if pair in taken:
            r.warnings.append(
                _("种次号 %(b)s 在 %(c)s 类中已被使用，导入时自动分配新的种次号") % {"b": pair[1], "c": pair[0]}
            )
            r.data["book_number"] = ""
        else:
            taken.add(pair)


def _pooled_flavour(rows: list[Row]) -> str:
    kinds = {r.data.get("_kind") for r in rows}
    return kinds.pop() if len(kinds) == 1 and None not in kinds else "mixed"


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
            row_record: dict[int, Record] = {}
            pending = []
            for r in checked.rows:
                if r.to_pool:
                    continue
                if r.existing is not None:
                    row_record[r.number] = r.existing
                    continue
                if r.merged_into is not None:
                    row_record[r.number] = row_record[r.merged_into]
                    continue
                d = r.data
                rec = Record(created_by=by)
                for name in services.RECORD_FIELDS:
                    if name in d and d[name] is not None:
                        setattr(rec, name, d[name])
                rec.pub_year, rec.price = d.get("pub_year"), d.get("price")
                row_record[r.number] = rec
                pending.append(rec)
            # 种次号 for records without one, reserved per class number under the counter's lock.
            by_class = defaultdict(list)
            given = defaultdict(set)  # numbers the file gives to other new records of the class
            for rec in pending:
                if rec.clc and not rec.book_number:
                    by_class[rec.clc].append(rec)
                elif rec.clc:
                    given[rec.clc].add(rec.book_number)
            for code in sorted(by_class):
                want = len(by_class[code])
                reserved = services.book_numbers_reserve(code=code, count=want + len(given[code]))
                free = [n for n in reserved if str(n) not in given[code]][:want]
                for rec, n in zip(by_class[code], free, strict=True):
                    rec.book_number = str(n)
            for rec in pending:
                textsearch.fill_derived(rec)
            Record.objects.bulk_create(pending, batch_size=1000)
            # Copies: given barcodes, plus fresh accession numbers for rows that only give a count.
            auto = services.barcodes_allocate(count=sum(r.auto_copies for r in checked.rows))
            auto_iter = iter(auto)
            copies = []
            for r in checked.rows:
                if r.to_pool:
                    continue
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
            if checked.pooled:
                pool.pool_import_rows(
                    rows=[(r.number, r.original) for r in checked.pooled],
                    name=_("%(f)s（未分类记录）") % {"f": checked.filename},
                    sha256=file_hash(f"{checked.sha256}:unclassified".encode()),
                    flavour=_pooled_flavour(checked.pooled),
                    by=by,
                )
                log.records_pooled = len(checked.pooled)
            log.save(update_fields=["records_created", "records_matched", "copies_created", "records_pooled"])
    except IntegrityError as exc:
        raise ImportRejected(
            _("导入时发现数据冲突（可能有人同时导入了同一批图书），没有导入任何数据，请重新上传。")
        ) from exc
    except DataError as exc:  # the preview checks every limit; this is the last line of defence
        raise ImportRejected(_("数据库拒绝了文件中的某个值，没有导入任何数据。请检查文件后重新上传。")) from exc
    return log
