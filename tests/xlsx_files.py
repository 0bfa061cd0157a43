"""Hand-built .xlsx files for the import tests: odd, broken or huge workbooks made cheaply."""

import zipfile
from io import BytesIO
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheets>{sheets}</sheets></workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
)
SHEET_REL = (
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
)


def _row(number: int, values) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
        for i, v in enumerate(values)
        if v not in (None, "")
    )
    return f'<row r="{number}">{cells}</row>'


def workbook(sheet_xml: str | bytes | None) -> bytes:
    """A minimal workbook with one sheet whose XML is given as is (None: a workbook without sheets)."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=SHEET_TYPE if sheet_xml is not None else ""))
        z.writestr("_rels/.rels", ROOT_RELS)
        sheets = '<sheet name="Sheet1" sheetId="1" r:id="rId1"/>' if sheet_xml is not None else ""
        z.writestr("xl/workbook.xml", WORKBOOK.format(sheets=sheets))
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(rels=SHEET_REL if sheet_xml is not None else ""))
        if sheet_xml is not None:
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def sheet(rows, *, empty_rows: int = 0, numbered: bool = True, dimension: bool = False) -> str:
    """Sheet XML of `rows` (lists of values from row 1), followed by `empty_rows` empty row elements
    (`<row r="N"/>`, or a bare `<row/>` when not `numbered`, which packs to almost nothing).
    `dimension` adds the <dimension> element that spreadsheet programs write."""
    body = [_row(n, values) for n, values in enumerate(rows, start=1)]
    start = len(rows) + 1
    if numbered:
        body.extend(f'<row r="{n}"/>' for n in range(start, start + empty_rows))
    else:
        body.append("<row/>" * empty_rows)
    last = len(rows) + empty_rows
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="A1:W{max(last, 1)}"/>' if dimension else "")
        + "<sheetData>"
        + "".join(body)
        + "</sheetData></worksheet>"
    )


def broken_sheet(rows, *, dimension: bool = False) -> str:
    """Sheet XML cut off in the middle, as a damaged download or a crashed save leaves it."""
    return sheet(rows, dimension=dimension)[:-40]
