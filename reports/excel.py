"""The Excel writer of the reports: every report export goes through `Workbook.add_table`.

Every cell is written by library.xlsx.set_cell, the project's one safe writer (text that looks like a
formula stays text, without a visible apostrophe; characters Excel rejects are stripped). Headers are
Chinese and bold, the header row is frozen, and columns get widths and number formats.
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from library import xlsx
from library.xlsx import FORMULA_START, XLSX, clean_text  # noqa: F401 - re-exported for callers

INT = "0"
DEC1 = "0.0"
DEC2 = "0.00"
MONEY = "#,##0.00"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
TEXT = "@"


@dataclass
class Column:
    header: str
    width: float = 12
    number_format: str | None = None


def sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return clean_text(title)[:31]


class Workbook:
    def __init__(self):
        self.book = xlsx.new_workbook()
        self._first = True

    def add_table(
        self,
        title: str,
        columns: list[Column],
        rows,
        *,
        caption: str | None = None,
        notes: list[str] | None = None,
    ):
        """One sheet per table. `caption` (period, school) goes above the header; notes below the rows."""
        if self._first:
            ws = self.book.active
            ws.title = sheet_title(title)
            self._first = False
        else:
            ws = self.book.create_sheet(sheet_title(title))
        header_row = 1
        if caption:
            xlsx.set_cell(ws.cell(row=1, column=1), caption)
            ws.cell(row=1, column=1).font = Font(bold=True, size=12)
            header_row = 2
        fill = PatternFill("solid", fgColor="DDEBDD")
        for i, col in enumerate(columns, start=1):
            cell = xlsx.set_cell(ws.cell(row=header_row, column=i), str(col.header))
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(i)].width = col.width
        r = header_row
        for r, values in enumerate(rows, start=header_row + 1):
            for i, (col, value) in enumerate(zip(columns, values, strict=True), start=1):
                cell = xlsx.set_cell(ws.cell(row=r, column=i), value)
                if col.number_format and cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = col.number_format
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        last_row = max(r, header_row)
        for j, note in enumerate(notes or [], start=last_row + 2):
            cell = xlsx.set_cell(ws.cell(row=j, column=1), str(note))
            cell.font = Font(italic=True, color="666666")
        ws._report_range = (header_row, last_row)  # for add_bar_chart
        return ws

    def add_bar_chart(self, ws, *, title: str, category_col: int, value_cols: list[int], anchor: str, y_title=""):
        """A native Excel bar chart over columns of a table written by add_table."""
        header_row, last_row = ws._report_range
        if last_row <= header_row:
            return None
        chart = BarChart()
        chart.type = "col"
        chart.title = clean_text(str(title))
        chart.y_axis.title = clean_text(str(y_title))
        chart.height = 8
        chart.width = 18
        for col in value_cols:
            data = Reference(ws, min_col=col, min_row=header_row, max_row=last_row)
            chart.add_data(data, titles_from_data=True)
        cats = Reference(ws, min_col=category_col, min_row=header_row + 1, max_row=last_row)
        chart.set_categories(cats)
        ws.add_chart(chart, anchor)
        return chart

    def to_bytes(self) -> bytes:
        return xlsx.to_bytes(self.book)

    def response(self, filename: str) -> HttpResponse:
        return xlsx_response(self.to_bytes(), filename)


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the UTF-8 name in RFC 5987 filename*."""
    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def safe_filename(name: str) -> str:
    for ch in '\\/:*?"<>|\r\n\t':
        name = name.replace(ch, "-")
    return name.strip() or "report"
