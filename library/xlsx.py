"""The one way this project writes and reads Excel workbooks.

Writing: every cell goes through `cell_value`/`set_cell`. Text that Excel would run as a formula
(starting with = + - @, a tab or a carriage return) is stored as text with Excel's "quote prefix"
style: the user sees `=1+1`, not `'=1+1`, and the cell stays text when it is edited. Characters
that Excel refuses (control characters) are dropped; numbers stay numbers.

Reading: `read_table` streams the first sheet in openpyxl's read-only mode and stops at the
configured caps (settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS), so an odd or hostile
upload costs little and ends with a Chinese message instead of a timed-out worker.
"""

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A run of this many empty rows ends the table: sheets often carry formatting far below the data
# (up to Excel's 1,048,576 rows), which must neither count against the row cap nor cost time.
EMPTY_RUN = 1000
# Columns read from each row; the import templates use fewer than 30.
MAX_COLUMNS = 64


# --- writing -------------------------------------------------------------------------------


def clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def cell_value(value):
    """A value openpyxl can store: numbers and dates as they are, everything else as clean text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, date):
        return value
    return clean_text(str(value))


def _force_text(cell) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True  # stays text when edited in Excel; no visible apostrophe


def set_cell(cell, value):
    """Write one value into a worksheet cell, safely."""
    cell.value = cell_value(value)
    _force_text(cell)
    return cell


def append(ws, values) -> None:
    """Append one row to a worksheet (normal or write-only), every value through set_cell."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws)
        set_cell(cell, value)
        cells.append(cell)
    ws.append(cells)


def new_workbook(*, write_only: bool = False) -> Workbook:
    return Workbook(write_only=write_only)


def to_bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading -------------------------------------------------------------------------------


class SheetRejected(Exception):
    """An uploaded workbook that cannot be read, or is over a cap; `message` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    header: tuple
    rows: list  # (sheet row number, tuple of values), empty rows left out


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def too_large_message(size: int) -> str:
    return _("文件太大（%(size)s MB），一次最多上传 %(max)s MB，请分成几个文件。") % {
        "size": f"{size / 1024 / 1024:.1f}",
        "max": f"{max_bytes() / 1024 / 1024:g}",
    }


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_packed_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a small file that unpacks into a huge one before openpyxl reads any of it.

    openpyxl holds the shared strings (and each row) in memory whole, and a sheet without a
    <dimension> element (every spreadsheet program writes one; a hand-made file may not) is parsed
    to its end while the workbook opens, before the row cap can stop anything. A legitimate sheet
    at the row cap unpacks to about 20–40 MB.
    """
    for info in archive.infolist():
        name = info.filename
        too_large = False
        if name.endswith("sharedStrings.xml") or info.file_size > 5 * max_bytes():
            too_large = info.file_size > 5 * max_bytes()
        elif name.startswith("xl/worksheets/") and name.endswith(".xml") and info.file_size > 2 * max_bytes():
            with archive.open(info) as part:
                head = part.read(64 * 1024)
            too_large = b"dimension " not in head and b"dimension>" not in head
        if too_large:
            raise SheetRejected(
                _("这个 Excel 文件解压后有 %(size)s MB，超过了能读取的大小，请分成几个文件。")
                % {"size": f"{info.file_size / 1024 / 1024:.0f}"}
            )


def read_table(content: bytes, *, row_cap: int | None = None) -> Table:
    """The first sheet's header and non-empty rows, read as a stream; raises SheetRejected."""
    row_cap = row_cap or max_rows()
    if len(content) > max_bytes():
        raise SheetRejected(too_large_message(len(content)))
    unreadable = _("无法读取这个文件：请上传 .xlsx 格式的 Excel 文件（可先下载模板）。")
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            _check_packed_sizes(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SheetRejected(unreadable) from exc
    # Any failure inside openpyxl (a missing part, malformed XML, a bad style) means the same thing
    # to the librarian, so the exceptions are caught broadly here and only here.
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise SheetRejected(unreadable) from exc
    try:
        if not wb.worksheets:
            raise SheetRejected(_("这个 Excel 文件里没有工作表。"))
        ws = wb.worksheets[0]
        rows = []
        header = None
        empty_run = 0
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
                if not values or all(_blank(v) for v in values):
                    empty_run += 1
                    if empty_run >= EMPTY_RUN:
                        break
                    continue
                empty_run = 0
                if header is None:
                    # Rows are kept as wide as the header (the padding of empty cells costs memory).
                    width = max(i for i, v in enumerate(values, start=1) if not _blank(v))
                    header = tuple(values[:width])
                    continue
                if len(rows) >= row_cap:
                    raise SheetRejected(
                        _("表格超过 %(max)s 行数据（第 %(row)s 行起超出），请分成几个文件导入。")
                        % {"max": row_cap, "row": number}
                    )
                rows.append((number, tuple(values[:width])))
        except SheetRejected:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken sheet part, see above
            raise SheetRejected(
                _("工作表“%(name)s”已损坏，无法读取。请在 Excel 中打开后另存为 .xlsx 再上传。") % {"name": ws.title}
            ) from exc
        if header is None:
            raise SheetRejected(_("表格是空的。"))
        return Table(header=header, rows=rows)
    finally:
        wb.close()
