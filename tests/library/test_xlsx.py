"""library.xlsx: the one Excel writer (formula-looking text stays text) and the capped, streaming reader."""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet import _reader

from library import xlsx
from tests import xlsx_files

ROOT = Path(__file__).resolve().parents[2]


def _load(wb):
    return load_workbook(BytesIO(xlsx.to_bytes(wb))).active


@pytest.mark.parametrize("write_only", [False, True])
def test_formula_like_text_comes_back_as_text_without_an_apostrophe(write_only):
    wb = xlsx.new_workbook(write_only=write_only)
    ws = wb.create_sheet("表") if write_only else wb.active
    xlsx.append(ws, ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "\tx", 9.27, Decimal("9.27"), 3, "普通"])
    cells = list(_load(wb)[1])
    for cell, text in zip(cells[:4], ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)"], strict=True):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (cells[5].value, cells[5].data_type) == (9.27, "n")
    assert (cells[6].value, cells[6].data_type) == (9.27, "n")
    assert (cells[7].value, cells[8].value, cells[8].quotePrefix) == (3, "普通", False)


def test_characters_excel_rejects_are_dropped_and_dates_stay_dates():
    wb = xlsx.new_workbook()
    xlsx.append(wb.active, ["响\x07铃\x00", date(2026, 1, 20)])
    ws = _load(wb)
    assert ws["A1"].value == "响铃" and ws["B1"].is_date


def test_every_workbook_writer_goes_through_the_helper():
    """No module but library/xlsx.py creates openpyxl workbooks: every export uses the safe writer."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "bench/")) or rel == "library/xlsx.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"from openpyxl import [^\n]*\bWorkbook\b|openpyxl\.Workbook\(|\bload_workbook\(", text):
            offenders.append(rel)
    assert offenders == []


def test_a_million_trailing_empty_rows_are_not_read(monkeypatch):
    parsed = []
    original = _reader.WorkSheetParser.parse_row
    monkeypatch.setattr(_reader.WorkSheetParser, "parse_row", lambda self, el: parsed.append(1) or original(self, el))
    content = xlsx_files.workbook(
        xlsx_files.sheet(
            [["题名", "中图法分类号"], ["草房子", "I287"]], empty_rows=1_000_000, numbered=False, dimension=True
        )
    )
    assert len(content) < 500_000
    table = xlsx.read_table(content)
    assert [(n, v[:2]) for n, v in table.rows] == [(2, ("草房子", "I287"))]
    assert len(parsed) < 5_000


def test_rows_over_the_cap_are_refused_with_a_message(settings):
    settings.IMPORT_MAX_ROWS = 5
    content = xlsx_files.workbook(xlsx_files.sheet([["题名"]] + [[f"书{i}"] for i in range(8)]))
    with pytest.raises(xlsx.SheetRejected, match="表格超过 5 行数据（第 7 行起超出）"):
        xlsx.read_table(content)


def test_a_file_over_the_size_cap_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = xlsx_files.workbook(xlsx_files.sheet([["题名"]] + [[f"第{i}本书的题名"] for i in range(200)]))
    assert len(content) > 1024
    with pytest.raises(xlsx.SheetRejected, match="文件太大"):
        xlsx.read_table(content)


def test_a_small_file_that_unpacks_into_a_huge_sheet_is_refused(settings):
    """openpyxl parses a sheet without a <dimension> whole while opening the workbook: capped at
    2x IMPORT_MAX_BYTES unpacked. Any part is capped at 5x (openpyxl holds each row whole)."""
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    refused = "这个 Excel 文件解压后有 \\d+ MB"
    six_mb = xlsx_files.sheet([["题名"]], empty_rows=1_000_000, numbered=False)
    with pytest.raises(xlsx.SheetRejected, match=refused):
        xlsx.read_table(xlsx_files.workbook(six_mb))
    with_dimension = xlsx_files.sheet([["题名"]], empty_rows=1_000_000, numbered=False, dimension=True)
    assert xlsx.read_table(xlsx_files.workbook(with_dimension)).rows == []  # read; the empty run ends it
    twelve_mb = xlsx_files.sheet([["题名"]], empty_rows=2_000_000, numbered=False, dimension=True)
    content = xlsx_files.workbook(twelve_mb)
    assert len(content) < 2 * 1024 * 1024
    with pytest.raises(xlsx.SheetRejected, match=refused):
        xlsx.read_table(content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (xlsx_files.workbook(None), "没有工作表"),
        (xlsx_files.workbook(xlsx_files.broken_sheet([["题名"], ["草房子"]])), "无法读取"),
        (
            xlsx_files.workbook(xlsx_files.broken_sheet([["题名"], ["草房子"]], dimension=True)),
            "工作表“Sheet1”已损坏",
        ),
        (b"PK\x03\x04 not really a zip", "无法读取"),
        (xlsx_files.workbook(xlsx_files.sheet([])), "表格是空的"),
    ],
    ids=["no-sheet", "cut-off-sheet", "broken-sheet", "not-a-zip", "empty"],
)
def test_unreadable_workbooks_get_a_chinese_message(content, message):
    with pytest.raises(xlsx.SheetRejected, match=message):
        xlsx.read_table(content)
