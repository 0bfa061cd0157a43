"""Recommended lists from Excel: 题名, 著者, ISBN, 年级, 推荐语 (read through library.xlsx with its
caps), each row matched to the catalogue by ISBN, else by title + first author."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from catalog import textsearch
from catalog.exceptions import CatalogError
from catalog.models import Record
from catalog.services import isbn_normalize
from circulation.naming import GRADE_NAMES, JUNIOR_NAMES, SENIOR_NAMES, grade_name
from library import xlsx

MAX_ROWS = 5000
HEADERS = {
    "title": ("题名", "书名", "正题名"),
    "authors": ("著者", "作者", "责任者"),
    "isbn": ("ISBN", "isbn", "书号"),
    "grade": ("年级", "适读年级"),
    "note": ("推荐语", "说明", "备注", "推荐理由"),
}
TEMPLATE_HEADER = ["题名", "著者", "ISBN", "年级", "推荐语"]
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


@dataclass
class ImportRow:
    line: int
    title: str
    authors: str
    isbn: str
    stage: str
    grade: int | None
    note: str
    record: Record | None = None
    remark: str = ""  # what the preview says about the row besides the match (a mistyped ISBN)

    @property
    def grade_label(self) -> str:
        return grade_name(self.stage, self.grade) if self.stage and self.grade else ""

    @property
    def matched_by(self) -> str:
        """How the row was matched to the catalogue, or why not (for the preview), in Chinese."""
        if self.record is None:
            if self.isbn:
                return _("本馆暂无：ISBN、题名和著者都没有找到，将列入缺藏书单。")
            return _("本馆暂无：题名和著者没有找到，将列入缺藏书单。")
        if self.isbn and self.record.isbn == self.isbn:
            return _("按 ISBN 找到")
        return _("按题名和著者找到")


@dataclass
class ListImport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def held(self) -> int:
        return sum(1 for row in self.rows if row.record is not None)

    @property
    def missing(self) -> int:
        return len(self.rows) - self.held

    def preview(self) -> list[tuple[int, ImportRow | None, str]]:
        """Every row of the file in order for the preview: (line, the row or None if broken,
        the message: how it matched, or what is wrong with it). File-level errors (line 0) excluded."""
        lines = [(row.line, row, row.matched_by) for row in self.rows]
        lines += [(line, None, message) for line, message in self.errors if line]
        return sorted(lines, key=lambda entry: entry[0])


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_grade(text: str, default_stage: str) -> tuple[str, int | None] | None:
    """'三年级', '3', '初一', '高二', '' → (stage, grade); None when it cannot be read."""
    text = text.strip().replace(" ", "")
    if not text:
        return "", None
    for stage, table in (("primary", GRADE_NAMES), ("junior", JUNIOR_NAMES), ("senior", SENIOR_NAMES)):
        for number, name in table.items():
            if text == name:
                return stage, number
    match = re.fullmatch(r"(\d{1,2}|[一二三四五六])(年级)?", text)
    if match:
        raw = match.group(1)
        number = int(raw) if raw.isdigit() else _CHINESE_DIGITS[raw]
        stage = default_stage or "primary"
        if 1 <= number <= (6 if stage == "primary" else 3):
            return stage, number
    return None


def match_record(*, isbn: str, title: str, authors: str) -> Record | None:
    held = Record.objects.exclude(location_ids=[]).order_by("pk")
    if isbn:
        found = held.filter(isbn=isbn).first()
        if found:
            return found
    probe = Record(title=title, authors=authors)
    textsearch.fill_derived(probe)
    if not probe.title_normalized:
        return None
    same_title = held.filter(title_normalized=probe.title_normalized)
    if probe.first_author_normalized:
        return same_title.filter(first_author_normalized=probe.first_author_normalized).first()
    candidates = list(same_title[:2])
    return candidates[0] if len(candidates) == 1 else None  # a title alone must be unambiguous


def parse(content: bytes, *, default_stage: str = "primary") -> ListImport:
    result = ListImport()
    try:
        table = xlsx.read_table(content, row_cap=min(MAX_ROWS, xlsx.max_rows()))
    except xlsx.SheetRejected as error:
        result.errors.append((0, error.message))
        return result
    header = [_text(c) for c in table.header]
    index = {}
    for key, names in HEADERS.items():
        for name in names:
            if name in header:
                index[key] = header.index(name)
                break
    if "title" not in index:
        result.errors.append((1, _("表头缺少“题名”。请使用模板：题名、著者、ISBN、年级、推荐语。")))
        return result
    for line, raw in table.rows:
        values = {k: _text(raw[i]) if i < len(raw) else "" for k, i in index.items()}
        if not any(values.values()):
            continue
        title = values.get("title", "")[:300]
        if not title:
            result.errors.append((line, _("第 %(line)s 行没有题名。") % {"line": line}))
            continue
        grade = parse_grade(values.get("grade", ""), default_stage)
        if grade is None:
            result.errors.append(
                (line, _("第 %(line)s 行的年级“%(g)s”无法识别。") % {"line": line, "g": values.get("grade", "")})
            )
            continue
        remark = ""
        try:
            isbn = isbn_normalize(values.get("isbn", ""))
        except CatalogError:
            isbn = ""  # a mistyped ISBN: the title and author still match
            remark = _("ISBN“%(isbn)s”无效，已按题名和著者比对。") % {"isbn": values.get("isbn", "")[:40]}
        authors = values.get("authors", "")[:300]
        row = ImportRow(line, title, authors, isbn, grade[0], grade[1], values.get("note", "")[:500], remark=remark)
        row.record = match_record(isbn=isbn, title=title, authors=authors)
        result.rows.append(row)
    if not result.rows and not result.errors:
        result.errors.append((0, _("文件中没有图书。")))
    return result


def template_bytes() -> bytes:
    wb = xlsx.new_workbook(write_only=True)
    ws = wb.create_sheet(_("推荐书目"))
    xlsx.append(ws, TEMPLATE_HEADER)
    xlsx.append(ws, ["夏洛的网", "E.B.怀特", "", "三年级", "一只蜘蛛和一头小猪的友谊"])
    return xlsx.to_bytes(wb)


def wishlist_bytes(items) -> bytes:
    """The books of lists the library does not hold, for ordering (采购)."""
    wb = xlsx.new_workbook(write_only=True)
    ws = wb.create_sheet(_("缺藏书单"))
    xlsx.append(ws, [_("题名"), _("著者"), "ISBN", _("推荐书目"), _("年级"), _("推荐语")])
    for item in items:
        xlsx.append(ws, [item.title, item.authors, item.isbn, item.reading_list.title, item.grade_label, item.note])
    return xlsx.to_bytes(wb)
