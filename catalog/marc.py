"""MARC import (CNMARC and MARC21; ISO 2709 or MARCXML; UTF-8, GB18030/GBK or MARC-8) into import
rows, and MARC21 export."""

import re
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield, marc8_to_unicode, parse_xml_to_array
from pymarc import Record as MarcRecord

from catalog.exceptions import ImportRejected

_ISBD_TAIL = re.compile(r"[\s/:;,=.]+$")


def _clean(value: str) -> str:
    """Strip the ISBD punctuation MARC21 data carries at the end of subfields ('西游记 /' → '西游记')."""
    return _ISBD_TAIL.sub("", (value or "").strip()).strip()


def _first(record, tag: str, code: str) -> str:
    for f in record.get_fields(tag):
        values = f.get_subfields(code)
        if values:
            return values[0].strip()
    return ""


def _all(record, tag: str, code: str) -> list[str]:
    return [v.strip() for f in record.get_fields(tag) for v in f.get_subfields(code) if v.strip()]


def _price(text: str) -> str:
    m = re.search(r"\d+(?:\.\d+)?", text or "")
    return m.group() if m else ""


def _isbn(text: str) -> str:
    m = re.search(r"[\dXx][\dXx\- ]{8,16}[\dXx]", text or "")
    return m.group() if m else (text or "").strip()


def _language_008(field) -> str:
    """Language code of MARC21 008/35-37; records without 008 (or a short one) have none."""
    data = (field.data or "") if field is not None else ""
    return data[35:38].strip() if len(data) >= 38 else ""


def flavour_of(record) -> str:
    if record.get_fields("200"):
        return "cnmarc"
    if record.get_fields("245"):
        return "marc21"
    return ""


# A 统一书号 (unified book number of books before ISBNs): publisher code · serial, e.g. 10019·1234.
_UNIFIED = re.compile(r"(?<!\d)([A-Z]?\d{4,5})\s*[·・.．\-－]\s*(\d{1,5})(?!\d)")


def unified_number(text: str) -> str:
    """The 统一书号 in a CNMARC 091 $a ('10019.1234', '统一书号：7020-1234') as '10019·1234'; text
    that holds none is kept as it is (the import says it cannot read it)."""
    m = _UNIFIED.search((text or "").upper())
    return f"{m.group(1)}·{m.group(2)}" if m else (text or "").strip()[:40]


def cnmarc_row(r) -> dict:
    volume_parts = _all(r, "200", "h") + _all(r, "200", "i")
    authors = _all(r, "700", "a") + _all(r, "701", "a") + _all(r, "711", "a") + _all(r, "710", "a")
    others = [f"{name}{role}" for f in r.get_fields("702") for name, role in [(f.get("a", ""), f.get("4", ""))] if name]
    responsibility = "；".join(_all(r, "200", "f") + _all(r, "200", "g"))
    holdings = r.get_fields("905")
    clc = _first(r, "690", "a") or _first(r, "905", "d")
    data = {
        "isbn": _isbn(_first(r, "010", "a")),
        # 091 is the 统一书号 field (with its price in $d when the book has no ISBN).
        "unified_number": unified_number(_first(r, "091", "a")),
        "price": _price(_first(r, "010", "d") or _first(r, "091", "d")),
        "title": _first(r, "200", "a"),
        "other_title": "：".join(_all(r, "200", "e")),
        "volume": " ".join(volume_parts)[:60],
        "responsibility": responsibility[:300],
        "authors": "；".join(dict.fromkeys(authors)) or (_all(r, "200", "f") or [""])[0],
        "edition": _first(r, "205", "a"),
        "pub_place": _first(r, "210", "a"),
        "publisher": _first(r, "210", "c"),
        "pub_year": _first(r, "210", "d"),
        "pages": _first(r, "215", "a"),
        "series": _first(r, "225", "a"),
        "summary": "\n".join(_all(r, "330", "a")),
        "subjects": "；".join(dict.fromkeys(_all(r, "606", "a"))),
        "clc": clc.split(";")[0].split("；")[0].strip(),
        "language": (_first(r, "101", "a") or "chi")[:3],
        "barcodes": [b for f in holdings for b in f.get_subfields("b")],
        "book_number": _first(r, "905", "e"),
    }
    if others and not data["responsibility"]:
        data["responsibility"] = "；".join(others)[:300]
    call = _first(r, "905", "s")
    if call and "/" in call and not data["book_number"]:
        data["book_number"] = call.rpartition("/")[2]
    return data


def marc21_row(r) -> dict:
    clc = ""
    for f in r.get_fields("084"):
        if (f.get("2") or "").lower() in ("clc", "") and f.get("a"):
            clc = f.get("a")
            break
    imprint = r.get_fields("260") or r.get_fields("264")
    p = imprint[0] if imprint else None
    title = _clean(_first(r, "245", "a"))
    holdings = r.get_fields("852") + r.get_fields("952")
    barcodes = [b for f in holdings for b in f.get_subfields("p")]
    call = next((f.get("h") for f in r.get_fields("852") if f.get("h")), "") or ""
    return {
        "isbn": _isbn(_first(r, "020", "a")),
        "price": _price(_first(r, "020", "c")),
        "title": title,
        "other_title": _clean(_first(r, "245", "b")),
        "volume": " ".join(_clean(v) for v in _all(r, "245", "n") + _all(r, "245", "p"))[:60],
        "responsibility": _clean(_first(r, "245", "c")),
        "authors": "；".join(
            dict.fromkeys(_clean(a) for a in _all(r, "100", "a") + _all(r, "110", "a") + _all(r, "700", "a"))
        ),
        "edition": _clean(_first(r, "250", "a")),
        "pub_place": _clean(p.get("a", "")) if p else "",
        "publisher": _clean(p.get("b", "")) if p else "",
        "pub_year": _clean(p.get("c", "")) if p else "",
        "pages": _clean(_first(r, "300", "a")),
        "series": _clean(_first(r, "490", "a")),
        "summary": "\n".join(_all(r, "520", "a")),
        "subjects": "；".join(dict.fromkeys(_clean(s) for s in _all(r, "650", "a"))),
        "clc": clc.strip(),
        "language": _language_008(r.get("008")) or "chi",
        "barcodes": barcodes,
        "book_number": call.rpartition("/")[2] if "/" in call else "",
    }


# Character sets of the MARC files schools receive: UTF-8; GB18030 — a superset of GBK and GB2312,
# which Chinese book suppliers' and union-catalogue CNMARC files often use; and MARC-8, the
# character set of older MARC21 records (leader/09 blank), e.g. from American union catalogues.
ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GB18030 / GBK", "marc8": "MARC-8"}
# Non-sorting markers: ISO 5426/MARC-8 bytes 0x88/0x89 and their Unicode forms NSB/NSE (U+0098/U+009C).
_NONSORT = re.compile("[\x88\x89\x98\x9c]")
_NONSORT_TABLE = dict.fromkeys(map(ord, "\x88\x89\x98\x9c"))
_JUNK = b" \t\r\n\x1a\x00"  # what tools leave between or after records (newlines, DOS end-of-file)


def is_marcxml(content: bytes) -> bool:
    head = content[:200].lstrip(b"\xef\xbb\xbf" + _JUNK)
    return head.startswith(b"<")


def _utf8_valid(content: bytes) -> bool:
    """Valid UTF-8, apart from raw 0x88/0x89 non-sorting bytes some systems put in UTF-8 files."""
    text = content.decode("utf-8", "surrogateescape")
    return not re.search("[\udc80-\udc87\udc8a-\udcff]", text)


def _looks_marc8(content: bytes) -> bool:
    """MARC-8 Latin text has lone high bytes (a combining diacritic before its ASCII letter: "Caf\xe2e");
    GBK text has them in pairs. MARC-8 also switches to its CJK set with an escape (0x1B)."""
    if b"\x1b" in content:
        return True
    lone = pairs = 0
    for m in re.finditer(rb"[\x80-\xff]+", content):
        run = len(m.group())
        if run == 1:
            lone += 1
        else:
            pairs += run
    return lone > pairs


def detect_encoding(content: bytes) -> str:
    """ "utf-8" when the whole file is valid UTF-8 (plain ASCII included); else "marc8" when its
    non-ASCII bytes look like MARC-8; else "gb18030" when it decodes as that. Chinese text in GBK is
    practically never valid UTF-8, so the order is safe. A file that is none of them is read as
    UTF-8 with the bad bytes replaced (visible in the preview)."""
    if _utf8_valid(content):
        return "utf-8"
    if _looks_marc8(content):
        return "marc8"
    try:
        content.decode("gb18030")
    except UnicodeDecodeError:
        return "utf-8"
    return "gb18030"


def _strip_gb_markers(data: bytes) -> bytes:
    """Drop 0x88 … 0x89 non-sorting markers from GB18030 bytes, where they are also lead bytes:
    only a 0x88 at a character boundary, followed by ASCII and closed by a 0x89, is a marker."""
    if b"\x88" not in data:
        return data
    out, i, open_marker = bytearray(), 0, False
    while i < len(data):
        c = data[i]
        nxt = data[i + 1] if i + 1 < len(data) else 0
        if c == 0x88 and nxt < 0x80 and b"\x89" in data[i + 1 :]:
            open_marker = True
            i += 1
        elif c == 0x89 and open_marker:
            open_marker = False
            i += 1
        elif c >= 0x81:
            width = 4 if 0x30 <= nxt <= 0x39 else 2
            out += data[i : i + width]
            i += width
        else:
            out.append(c)
            i += 1
    return bytes(out)


def decode_text(data: bytes, encoding: str) -> str:
    """Bytes of one subfield as text, without non-sorting markers; bad bytes become U+FFFD."""
    if encoding == "marc8":
        try:
            text = marc8_to_unicode(data, True)
        except Exception:  # noqa: BLE001 - a byte MARC-8 does not know: keep what can be read
            text = data.decode("latin-1")
    elif encoding == "gb18030":
        text = _strip_gb_markers(data).decode("gb18030", "replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", "surrogateescape").replace("\udc88", "").replace("\udc89", "")
            text = re.sub("[\udc80-\udcff]", "\ufffd", text)
    return text.translate(_NONSORT_TABLE)


class RecordError(Exception):
    """A record that cannot be read; the message is Chinese and names the field where it can."""


@dataclass
class Parsed:
    number: int  # 1-based position in the file
    record: MarcRecord | None
    raw: bytes  # the record as ISO 2709 (MARCXML records are written out as UTF-8 ISO 2709)
    error: str = ""


def _digits(value: bytes, what: str) -> int:
    if not value.isdigit():
        raise RecordError(_("%(what)s“%(v)s”不是数字") % {"what": what, "v": value.decode("latin-1")})
    return int(value)


def decode_record(chunk: bytes, encoding: str) -> MarcRecord:
    """One ISO 2709 record. Field data is found from the directory's offset up to the field
    terminator, so a directory that counts lengths in another encoding still reads."""
    if len(chunk) < 26:
        raise RecordError(_("记录太短，不是完整的 MARC 记录"))
    leader = chunk[:24]
    if not (leader[:5].isdigit() and leader[12:17].isdigit()):  # messages built only when needed
        _digits(leader[:5], _("记录头的记录长度"))
        _digits(leader[12:17], _("记录头的数据起始位置"))
    base = int(leader[12:17])
    if base < 25 or base > len(chunk):
        raise RecordError(_("记录头的数据起始位置 %(b)s 超出了记录") % {"b": base})
    if leader[9:10] == b"a" and encoding == "marc8":
        encoding = "utf-8"  # a Unicode record (leader/09 "a") inside a MARC-8 file
    record = MarcRecord(leader=leader.decode("latin-1"))
    directory = chunk[24 : base - 1]
    if len(directory) % 12:
        raise RecordError(_("目录区长度 %(n)s 不是 12 的倍数") % {"n": len(directory)})
    for i in range(0, len(directory), 12):
        entry = directory[i : i + 12]
        tag = entry[:3].decode("latin-1")
        if not tag.isalnum():
            raise RecordError(_("目录中第 %(i)s 个字段的标识符“%(t)s”不对") % {"i": i // 12 + 1, "t": tag})
        if not (entry[3:7].isdigit() and entry[7:12].isdigit()):  # messages built only when needed
            _digits(entry[3:7], _("字段 %(t)s 的长度") % {"t": tag})
            _digits(entry[7:12], _("字段 %(t)s 的起始位置") % {"t": tag})
        length, start = int(entry[3:7]), base + int(entry[7:12])
        if start >= len(chunk):
            raise RecordError(_("字段 %(t)s 的起始位置超出了记录") % {"t": tag})
        end = start + length - 1
        if end > len(chunk) or chunk[end : end + 1] != b"\x1e":
            found = chunk.find(b"\x1e", start)
            end = found if found != -1 else len(chunk) - 1
        data = chunk[start:end]
        if tag < "010" and tag.isdigit():
            record.add_field(Field(tag=tag, data=decode_text(data, encoding)))
            continue
        if encoding == "marc8":  # MARC-8 escapes hold their state within a subfield: one at a time
            parts = data.split(b"\x1f")
            indicators = (parts[0].decode("latin-1") + "  ")[:2]
            subfields = [
                Subfield(part[:1].decode("latin-1"), decode_text(part[1:], encoding)) for part in parts[1:] if part
            ]
        else:  # 0x1F never occurs inside a UTF-8 or GB18030 character: decode the field at once
            parts = decode_text(data, encoding).split("\x1f")
            indicators = (parts[0] + "  ")[:2]
            subfields = [Subfield(part[0], part[1:]) for part in parts[1:] if part]
        record.add_field(Field(tag, Indicators(*indicators), subfields))
    return record


def _iso_chunks(content: bytes):
    """The records of an ISO 2709 file, without what tools leave between or after them."""
    pos = 0
    while pos < len(content):
        end = content.find(b"\x1d", pos)
        stop = len(content) if end == -1 else end + 1
        chunk = content[pos:stop].lstrip(_JUNK)
        pos = stop
        if chunk.strip(_JUNK):
            yield chunk


def iter_records(content: bytes, *, encoding: str):
    """Each record of an ISO 2709 or MARCXML file as a Parsed, one at a time; unreadable records
    carry a Chinese error instead of a record. `encoding` as in ENCODINGS (ISO 2709 only)."""
    if is_marcxml(content):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                records = parse_xml_to_array(BytesIO(content), strict=False)
            except Exception as exc:  # noqa: BLE001 - any XML error: say so in Chinese
                raise ImportRejected(_("MARCXML 文件无法解析（XML 格式错误），请检查文件。")) from exc
        for number, record in enumerate(records, start=1):
            for f in record.fields:
                if f.is_control_field():
                    f.data = _NONSORT.sub("", f.data or "")
                else:
                    f.subfields = [Subfield(s.code, _NONSORT.sub("", s.value or "")) for s in f.subfields]
            record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
            try:
                raw = record.as_marc()
            except Exception:  # noqa: BLE001
                raw = b""
            yield Parsed(number, record, raw)
        return
    for number, chunk in enumerate(_iso_chunks(content), start=1):
        if not chunk.endswith(b"\x1d"):
            yield Parsed(number, None, chunk, _("记录不完整（缺少记录结束符），文件可能被截断"))
            continue
        try:
            yield Parsed(number, decode_record(chunk, encoding), chunk)
        except RecordError as exc:
            yield Parsed(number, None, chunk, str(exc))


def check_file(content: bytes) -> None:
    if not content or len(content.strip(_JUNK)) < 24:
        raise ImportRejected(_("文件是空的或不是 MARC（ISO 2709 或 MARCXML）文件。"))
    if not is_marcxml(content) and b"\x1d" not in content:
        raise ImportRejected(_("这不是 ISO 2709 或 MARCXML 格式的 MARC 文件（没有记录结束符）。"))


def row_of(parsed: Parsed, flavour: str = "auto") -> tuple[str, dict]:
    """(flavour, import row) of one parsed record; a row with "_error" when it cannot be used."""
    n = parsed.number
    if parsed.record is None:
        return "", {"title": "", "_error": _("第 %(n)s 条记录无法解析：%(e)s") % {"n": n, "e": parsed.error}}
    kind = flavour if flavour in ("cnmarc", "marc21") else flavour_of(parsed.record)
    if kind == "cnmarc":
        row = cnmarc_row(parsed.record)
    elif kind == "marc21":
        row = marc21_row(parsed.record)
    else:
        return "", {"title": "", "_error": _("第 %(n)s 条记录既没有 200 也没有 245 字段（不是书目记录）") % {"n": n}}
    row["_marc"] = parsed.raw
    row["_kind"] = kind
    return kind, row


def read_rows(content: bytes, *, flavour: str = "auto", encoding: str = "auto") -> list[tuple[int, dict]]:
    """Each record of an ISO 2709 or MARCXML file as an import row; unreadable records become a row
    with a problem. `encoding` is one of ENCODINGS or "auto" (detect_encoding)."""
    check_file(content)
    if encoding not in ENCODINGS:
        encoding = detect_encoding(content)
    rows = []
    for parsed in iter_records(content, encoding=encoding):
        if parsed.number > settings.IMPORT_MAX_ROWS:
            raise ImportRejected(_("文件超过 %(max)s 条记录，请分成几个文件导入。") % {"max": settings.IMPORT_MAX_ROWS})
        rows.append((parsed.number, row_of(parsed, flavour)[1]))
    if not rows:
        raise ImportRejected(_("文件里没有 MARC 记录。"))
    return rows


def marc21_record(rec, copies=()) -> MarcRecord:
    """A MARC21 bibliographic record (UTF-8) of one catalogue record, with 852 holdings per copy."""
    m = MarcRecord(force_utf8=True, leader="     nam a22     7a 4500")
    m.add_field(Field(tag="001", data=str(rec.pk)))
    if rec.isbn:
        subs = [Subfield("a", rec.isbn)]
        if rec.price is not None:
            subs.append(Subfield("c", f"CNY{rec.price}"))
        m.add_field(Field("020", Indicators(" ", " "), subs))
    if rec.clc:
        m.add_field(Field("084", Indicators(" ", " "), [Subfield("a", rec.clc), Subfield("2", "clc")]))
    authors = [a.strip() for a in re.split(r"[;；]", rec.authors or "") if a.strip()]
    if authors:
        m.add_field(Field("100", Indicators("0", " "), [Subfield("a", authors[0])]))
    title = [Subfield("a", rec.title)]
    if rec.other_title:
        title.append(Subfield("b", rec.other_title))
    if rec.volume:
        title.append(Subfield("n", rec.volume))
    if rec.responsibility:
        title.append(Subfield("c", rec.responsibility))
    m.add_field(Field("245", Indicators("1", "0"), title))
    if rec.edition:
        m.add_field(Field("250", Indicators(" ", " "), [Subfield("a", rec.edition)]))
    imprint = [
        Subfield(code, value)
        for code, value in (("a", rec.pub_place), ("b", rec.publisher), ("c", str(rec.pub_year or "")))
        if value
    ]
    if imprint:
        m.add_field(Field("260", Indicators(" ", " "), imprint))
    if rec.pages:
        m.add_field(Field("300", Indicators(" ", " "), [Subfield("a", rec.pages)]))
    if rec.series:
        m.add_field(Field("490", Indicators("0", " "), [Subfield("a", rec.series)]))
    if rec.summary:
        m.add_field(Field("520", Indicators(" ", " "), [Subfield("a", rec.summary)]))
    for subject in [s.strip() for s in re.split(r"[;；]", rec.subjects or "") if s.strip()]:
        m.add_field(Field("650", Indicators(" ", "7"), [Subfield("a", subject)]))
    for other in authors[1:]:
        m.add_field(Field("700", Indicators("0", " "), [Subfield("a", other)]))
    for c in copies:
        subs = [Subfield("b", c.location.name), Subfield("h", rec.call_number), Subfield("p", c.barcode)]
        m.add_field(Field("852", Indicators(" ", " "), subs))
    return m


def export_bytes(records_with_copies) -> bytes:
    out = BytesIO()
    for rec, copies in records_with_copies:
        out.write(marc21_record(rec, copies).as_marc())
    return out.getvalue()
