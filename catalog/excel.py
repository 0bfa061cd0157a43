"""Excel import template, reading an uploaded sheet into import rows, and the catalogue export."""

import re

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from catalog.exceptions import ImportRejected
from library import xlsx

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


def template_bytes() -> bytes:
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "图书"
    xlsx.append(ws, [h for h, _k, _e in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    xlsx.append(ws, [e for _h, _k, e in COLUMNS])
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
        xlsx.append(help_ws, [line])
    return xlsx.to_bytes(wb)


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """Rows of the first sheet as import rows, numbered by their sheet row (streamed, capped)."""
    try:
        table = xlsx.read_table(content)
    except xlsx.SheetRejected as exc:
        raise ImportRejected(exc.message) from exc
    keys = [HEADER_TO_KEY.get(str(h).strip()) if h is not None else None for h in table.header]
    if "title" not in keys:
        raise ImportRejected(_("第一行应为表头，且至少包含“题名”列。请使用下载的模板。"))
    out = []
    for number, values in table.rows:
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
    return out


def export_bytes(records, copies) -> bytes:
    """One sheet of titles, one of copies, written through library.xlsx (formula-looking text stays text)."""
    wb = xlsx.new_workbook(write_only=True)
    ws = wb.create_sheet("书目")
    xlsx.append(
        ws,
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
        ],
    )
    for r in records:
        xlsx.append(
            ws,
            [
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
            ],
        )
    ws2 = wb.create_sheet("复本")
    xlsx.append(
        ws2,
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
        ],
    )
    for c in copies:
        xlsx.append(
            ws2,
            [
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
            ],
        )
    return xlsx.to_bytes(wb)


def new_arrivals_bytes(sections) -> bytes:
    """The 新书通报: one row per title and batch, in the order of the page (batch, class, shelf)."""
    wb = xlsx.new_workbook(write_only=True)
    ws = wb.create_sheet("新书通报")
    xlsx.append(ws, ["验收批次", "验收日期", "基本大类", "题名", "分册", "著者", "出版者", "出版年", "ISBN", "索书号"])
    for section in sections:
        for letter, name, records in section.groups:
            for r in records:
                xlsx.append(
                    ws,
                    [
                        section.batch.number,
                        section.batch.received_on,
                        f"{letter} {name}".strip(),
                        r.title,
                        r.volume,
                        r.authors,
                        r.publisher,
                        r.pub_year,
                        r.isbn,
                        r.call_number,
                    ],
                )
    return xlsx.to_bytes(wb)
