"""Chinese Library Classification (中图法) notation: validation, base class, shelf order, look-up.

The sort key is one function with a configurable order of the auxiliary symbols (the order of
`-` `(` `=` `"` `<` `:` `+` relative to each other is not fixed by a standard we could verify).
Keys only compare correctly under a byte-order collation: order by `Collate("shelf_key", "C")`.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "clc5-php_clc_parser-data.json"

BASE_CLASSES = {
    "A": "马克思主义、列宁主义、毛泽东思想、邓小平理论",
    "B": "哲学、宗教",
    "C": "社会科学总论",
    "D": "政治、法律",
    "E": "军事",
    "F": "经济",
    "G": "文化、科学、教育、体育",
    "H": "语言、文字",
    "I": "文学",
    "J": "艺术",
    "K": "历史、地理",
    "N": "自然科学总论",
    "O": "数理科学和化学",
    "P": "天文学、地球科学",
    "Q": "生物科学",
    "R": "医药、卫生",
    "S": "农业科学",
    "T": "工业技术",
    "U": "交通运输",
    "V": "航空、航天",
    "X": "环境科学、安全科学",
    "Z": "综合性图书",
}
T_SUBCLASSES = set("BDEFGHJKLMNPQSUV")

# Symbols in shelf order, lowest first; each maps to a byte below "0" so that a bare number
# sorts before its subdivisions: I247 < I247-53 < I247(2) < I2470.
SYMBOL_ORDER = '-(="<:+'
_SYMBOL_KEY = {sym: chr(0x21 + i) for i, sym in enumerate(SYMBOL_ORDER)}
_END = " "  # end of a class number: sorts before everything that extends it

_PART = r'[A-Z]{1,2}[0-9.\-()"=<>]*'
_SYNTAX = re.compile(rf"^{_PART}(?:[:+]{_PART})*a?$")
_FULLWIDTH = str.maketrans("（）－．＝：＋“”＜＞", '()-.=:+""<>')


class ClcError(ValueError):
    """A class number that is not a valid 中图法 notation."""


def clean_code(code: str) -> str:
    """Upper-case, half-width, no spaces; '“I247.5”' → 'I247.5'. Keeps the notation otherwise."""
    code = (code or "").translate(_FULLWIDTH).strip().replace(" ", "")
    return code[:1].upper() + code[1:2].upper() + code[2:] if code else ""


def validate(code: str) -> str:
    """Return the cleaned class number or raise ClcError with a Chinese message."""
    code = clean_code(code)
    if not code:
        raise ClcError(_("分类号不能为空。"))
    if not _SYNTAX.match(code):
        raise ClcError(
            _('分类号“%(code)s”格式不对：应以大写字母开头，后接数字、“.”和复分符号 - ( ) " = < > :。') % {"code": code}
        )
    letter = code[0]
    if letter not in BASE_CLASSES:
        raise ClcError(
            _("分类号“%(code)s”的基本大类 %(letter)s 不存在（中图法没有 L、M、W、Y 类）。")
            % {"code": code, "letter": letter}
        )
    if letter == "T" and len(code) > 1 and code[1].isalpha() and code[1] not in T_SUBCLASSES:
        raise ClcError(_("分类号“%(code)s”的工业技术二级类 T%(sub)s 不存在。") % {"code": code, "sub": code[1]})
    if code.count("(") != code.count(")"):
        raise ClcError(_("分类号“%(code)s”的括号不成对。") % {"code": code})
    return code


def base_class(code: str) -> str:
    """The base class letter for statistics (TB…TV count as T); '' when unknown."""
    code = clean_code(code).lstrip("[{")
    return code[0] if code and code[0] in BASE_CLASSES else ""


def class_key(code: str) -> str:
    """Shelf-order key of a class number: letters, digits digit by digit (decimal), symbols."""
    code = clean_code(code).strip("[]{}")
    out = []
    for ch in code:
        if ch == ".":
            continue
        if ch.isalnum():
            out.append(ch.upper() if ch.isalpha() else ch)
        else:
            out.append(_SYMBOL_KEY.get(ch, chr(0x21 + len(SYMBOL_ORDER))))
    return "".join(out) + _END


def _number_key(text: str) -> str:
    """Runs of digits padded to 6 places so that 2 < 10 < 102; everything else as is."""
    return re.sub(r"\d+", lambda m: m.group().zfill(6), text.strip().upper())


def shelf_key(clc: str, book_number: str = "", volume: str = "") -> str:
    return f"{class_key(clc)}{_number_key(book_number)}{_END}{_number_key(volume)}"


def call_number(clc: str, book_number: str) -> str:
    clc = clean_code(clc)
    if not clc:
        return ""
    return f"{clc}/{book_number}" if book_number else clc


def split_call_number(value: str) -> tuple[str, str]:
    """'I287.5/123' → ('I287.5', '123'). Parsed from the right: '/' also appears in ranges."""
    value = (value or "").strip()
    if "/" not in value:
        return clean_code(value), ""
    clc, _sep, number = value.rpartition("/")
    return clean_code(clc), number.strip()


# --- the table ---------------------------------------------------------------------------

RANGE = re.compile(r"^([A-Z]+)(\d+)/(\d+)$")


def node_kind(raw: str) -> str:
    if raw.startswith("["):
        return "alternative"
    if raw.startswith("{"):
        return "discontinued"
    if "/" in raw:
        return "range"
    return "normal"


def table_rows() -> list[dict]:
    """The shipped table, cleaned: one row per distinct code, parents that exist, levels by depth.

    Upstream quirks: codes not starting with a class letter (e.g. '728' under S727) are dropped
    and their children re-attached to the nearest kept ancestor; duplicate codes keep the first.
    """
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    rows: dict[str, dict] = {}

    def walk(nodes, parent, level):
        for node in nodes:
            raw = node["code"].strip()
            bare = raw.strip("[]{}")
            keep = bool(bare) and bare[0] in BASE_CLASSES and raw not in rows
            if keep:
                rows[raw] = {
                    "code": raw,
                    "name": node["name"].strip()[:200],
                    "parent_id": parent,
                    "level": level,
                    "kind": node_kind(raw),
                    "sort_key": class_key(bare)[:120],
                }
            walk(node.get("children") or [], raw if keep else parent, level + 1 if keep else level)

    walk(data, None, 1)
    return list(rows.values())


@dataclass
class Lookup:
    node: object | None  # ClcClass
    exact: bool

    def warning(self, code: str) -> str:
        if self.exact or not code:
            return ""
        if self.node is None:
            return _("分类号 %(code)s 在分类表中找不到上位类目，请核对。") % {"code": code}
        return _("分类号 %(code)s 不在分类表中，已按最接近的上位类目“%(node)s”处理（允许使用更细的号码）。") % {
            "code": code,
            "node": f"{self.node.code} {self.node.name}",
        }


def prefixes(code: str) -> list[str]:
    """I287.45 → ['I287.45', 'I287.4', 'I287', 'I28', 'I2', 'I'] (trailing dots dropped)."""
    code = clean_code(code)
    out = []
    for i in range(len(code), 0, -1):
        p = code[:i].rstrip(".")
        if p and p not in out:
            out.append(p)
    return out


def in_range(code: str, range_code: str) -> bool:
    m = RANGE.match(range_code)
    if not m:
        return False
    letters, start, end = m.groups()
    if not code.startswith(letters):
        return False
    digits = re.match(r"\d+", code[len(letters) :].replace(".", ""))
    if not digits:
        return False
    head = digits.group()[: len(start)]
    return len(head) == len(start) and int(start) <= int(head) <= int(end[: len(start)])


def lookup(code: str) -> Lookup:
    """Longest existing prefix of a class number in the table (understands ranges like I3/7)."""
    from catalog.models import ClcClass

    code = clean_code(code)
    if not code:
        return Lookup(None, False)
    found = {c.code: c for c in ClcClass.objects.filter(code__in=prefixes(code))}
    for p in prefixes(code):
        if p in found:
            node = found[p]
            if p == code or node.level > 1:
                return Lookup(node, p == code)
            # Only the base class matched: a range node below it may be closer (I561 → I3/7).
            ranges = ClcClass.objects.filter(kind="range", code__startswith=p).order_by("-level")
            for r in ranges:
                if in_range(code, r.code):
                    return Lookup(r, False)
            return Lookup(node, False)
    return Lookup(None, False)


def ensure_table() -> int:
    """Load the table when it is empty (e.g. after a test database flush); returns rows added."""
    from catalog.models import ClcClass

    if ClcClass.objects.exists():
        return 0
    rows = table_rows()
    ClcClass.objects.bulk_create([ClcClass(**row) for row in rows], batch_size=5000)
    return len(rows)
