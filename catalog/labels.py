"""Label sheets: spine labels (书标) and Code 128 barcode labels, laid out on A4 in millimetres."""

import re
from dataclasses import dataclass
from io import BytesIO

import barcode
from barcode.writer import SVGWriter
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SheetPreset:
    key: str
    label: str
    columns: int
    rows: int
    label_w: float  # mm
    label_h: float
    margin_top: float
    margin_left: float
    gap_x: float = 0.0
    gap_y: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


# Common A4 label sheets sold in China (210 × 297 mm).
PRESETS = {
    p.key: p
    for p in [
        SheetPreset("spine-5x13", _("书标 5×13（38×21 mm，65 枚）"), 5, 13, 38.1, 21.2, 10.7, 4.7, 2.5, 0),
        SheetPreset("spine-4x10", _("书标 4×10（48×25 mm，40 枚）"), 4, 10, 48.5, 25.4, 21.5, 8.0, 0, 0),
        SheetPreset("barcode-3x10", _("条码 3×10（70×25 mm，30 枚）"), 3, 10, 70.0, 25.4, 21.5, 0, 0, 0),
        SheetPreset("barcode-4x12", _("条码 4×12（48×22 mm，48 枚）"), 4, 12, 48.5, 22.0, 16.5, 8.0, 0, 0),
    ]
}
DEFAULT_PRESET = {"spine": "spine-5x13", "barcode": "barcode-3x10"}

_BARCODE_OK = re.compile(r"^[\x20-\x7e]{1,32}$")


def code128_svg(code: str) -> str:
    """An inline <svg> of a Code 128 barcode (no text under the bars; the label prints it)."""
    if not _BARCODE_OK.match(code):
        raise ValueError(code)
    out = BytesIO()
    barcode.get("code128", code, writer=SVGWriter()).write(
        out, options={"write_text": False, "module_height": 8.0, "quiet_zone": 2.0, "module_width": 0.25}
    )
    svg = out.getvalue().decode("utf-8")
    # Drop the XML prolog and doctype: the SVG is embedded in HTML.
    return scalable_svg(svg[svg.index("<svg") :])


_SVG_SIZE = re.compile(r'<svg([^>]*?) width="([\d.]+)mm" height="([\d.]+)mm"')
_PX_PER_MM = 96 / 25.4


def scalable_svg(svg: str) -> str:
    """Give python-barcode's SVG (sized in mm, no viewBox) a viewBox, so that a CSS width or height
    scales the bars and keeps them centred in the box instead of leaving them at its left edge."""

    def add_view_box(m: re.Match) -> str:
        w, h = float(m.group(2)), float(m.group(3))
        return (
            f'<svg{m.group(1)} width="{m.group(2)}mm" height="{m.group(3)}mm"'
            f' viewBox="0 0 {w * _PX_PER_MM:.3f} {h * _PX_PER_MM:.3f}" preserveAspectRatio="xMidYMid meet"'
        )

    return _SVG_SIZE.sub(add_view_box, svg, count=1)


def spine_lines(call_number: str) -> tuple[str, str]:
    """'I287.5/123' → ('I287.5', '123'): class number on the first line, 种次号 on the second."""
    clc, _sep, number = call_number.rpartition("/")
    if not _sep:
        return call_number, ""
    return clc, number
