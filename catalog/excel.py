"""Excel import template, reading an uploaded sheet into import rows, and the catalogue export."""

import re
from io import BytesIO
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from catalog.exceptions import ImportRejected

# (header, row key, example). Headers are what librarians see; keys are import-row keys.
COLUMNS = [
    ("题名", "title", "西游记"),
    ("其他题名", "other_title", ""),
    ("丛编", "series", "语文新课标必读丛书"),
    ("分册", "volume", ""),
    ("版本", "edition", "第2版"),
    ("责任说明", "responsibility", "吴承恩著"),
    ("著者", "authors", "吴承恩"),
    ("出版者", "publisher", "人民文学出版社"),
    ("出版地", "pub_place", "北京"),
    ("出版年", "pub_year", 2019),
    ("页数", "pages", "520页"),
    ("定价", "price", 39.8),
    ("ISBN", "isbn", "978-7-02-000220-7"),
    ("中图法分类号", "clc", "I242.4"),
    ("种次号", "book_number", ""),
    ("主题词", "subjects", "章回小说；中国；明代"),
    ("提要", "summary", ""),
    ("适读对象", "reader_level", "高年级"),
    ("复本数", "copies", 2),
    ("登记号", "barcodes", ""),
    ("馆藏地点", "location", "书库"),
    ("来源", "source", "采购"),
    ("验收批次号", "batch", ""),
]
HEADER_TO_KEY = {h: k for h, k, _e in COLUMNS} | {
    "书名": "title",
    "正题名": "title",
    "作者": "authors",
    "出版社": "publisher",
    "分类号": "clc",
    "价格": "price",
    "册数": "copies",
}

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value):
    """Text that Excel would run as a formula is forced to text; characters it rejects are dropped."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        if value[:1] in ("=", "+", "-", "@"):
            return "'" + value
    return value


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "图书"
    ws.append([h for h, _k, _e in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append([e for _h, _k, e in COLUMNS])
    for i, (h, _k, _e) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, len(h) * 2 + 4)
    help_ws = wb.create_sheet("说明")
    for line in [
        "每行一种书。必填：题名、中图法分类号。ISBN 可填 10 位或 13 位，带不带连字符都可以。",
        "种次号留空则自动分配。复本数为要生成的册数；如已有登记号，在“登记号”列填写，多个用分号分隔（此时册数按登记号个数）。",
        "馆藏地点须与系统中的地点名称一致；留空则使用导入页选择的默认地点。来源：采购/捐赠/调拨。",
        "适读对象：低年级/中年级/高年级/初中/高中/教师用书。验收批次号须先在“验收批次”中建立。",
        "同一文件只会导入一次；已在馆藏中的书（同 ISBN，或同题名+第一著者+出版者）不会重复建书目，已存在的登记号会跳过。",
    ]:
        help_ws.append([line])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """Rows of the first sheet as import rows, numbered by their sheet row."""
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(_("无法读取这个文件：请上传 .xlsx 格式的 Excel 文件（可先下载模板）。")) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise ImportRejected(_("表格是空的。"))
    keys = [HEADER_TO_KEY.get(str(h).strip()) if h is not None else None for h in header]
    if "title" not in keys:
        raise ImportRejected(_("第一行应为表头，且至少包含“题名”列。请使用下载的模板。"))
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        data: dict = {}
        for key, value in zip(keys, values, strict=False):
            if key is None:
                continue
            if isinstance(value, float) and value.is_integer() and key in ("pub_year", "copies", "isbn", "book_number"):
                value = int(value)
            if key in ("isbn", "book_number", "title", "authors", "clc") and value is not None:
                value = str(value)
            data[key] = value if value is not None else ""
        data["barcodes"] = [b for b in re.split(r"[;；,，\s]+", str(data.get("barcodes") or "")) if b]
        out.append((number, data))
    wb.close()
    return out


def export_bytes(records, copies) -> bytes:
    """One sheet of titles, one of copies; values that look like formulas are written as text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("书目")
    ws.append(
        [
            "ID",
            "题名",
            "其他题名",
            "丛编",
            "分册",
            "著者",
            "出版者",
            "出版地",
            "出版年",
            "定价",
            "ISBN",
            "中图法分类号",
            "种次号",
            "索书号",
            "主题词",
            "适读对象",
        ]
    )
    for r in records:
        ws.append(
            [
                safe_cell(v)
                for v in [
                    r.pk,
                    r.title,
                    r.other_title,
                    r.series,
                    r.volume,
                    r.authors,
                    r.publisher,
                    r.pub_place,
                    r.pub_year,
                    r.price,
                    r.isbn,
                    r.clc,
                    r.book_number,
                    r.call_number,
                    r.subjects,
                    r.get_reader_level_display(),
                ]
            ]
        )
    ws2 = wb.create_sheet("复本")
    ws2.append(
        [
            "登记号",
            "书目ID",
            "题名",
            "索书号",
            "馆藏地点",
            "价格",
            "来源",
            "验收批次",
            "入藏日期",
            "状态",
            "注销日期",
            "注销原因",
        ]
    )
    for c in copies:
        ws2.append(
            [
                safe_cell(v)
                for v in [
                    c.barcode,
                    c.record_id,
                    c.record.title,
                    c.record.call_number,
                    c.location.name,
                    c.price,
                    c.get_source_display(),
                    c.batch.number if c.batch_id else "",
                    c.acquired_on,
                    c.get_status_display(),
                    c.withdrawn_on,
                    c.get_withdrawal_reason_display(),
                ]
            ]
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
