"""MARC import (CNMARC and MARC21, ISO 2709, UTF-8 or GB18030/GBK) into import rows, and MARC21 export."""

import re
import warnings
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from pymarc import Field, Indicators, MARCReader, Subfield
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


def flavour_of(record) -> str:
    if record.get_fields("200"):
        return "cnmarc"
    if record.get_fields("245"):
        return "marc21"
    return ""


def cnmarc_row(r) -> dict:
    volume_parts = _all(r, "200", "h") + _all(r, "200", "i")
    authors = _all(r, "700", "a") + _all(r, "701", "a") + _all(r, "711", "a") + _all(r, "710", "a")
    others = [f"{name}{role}" for f in r.get_fields("702") for name, role in [(f.get("a", ""), f.get("4", ""))] if name]
    responsibility = "；".join(_all(r, "200", "f") + _all(r, "200", "g"))
    holdings = r.get_fields("905")
    clc = _first(r, "690", "a") or _first(r, "905", "d")
    data = {
        "isbn": _isbn(_first(r, "010", "a")),
        "price": _price(_first(r, "010", "d")),
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
        "language": (r["008"].data[35:38].strip() if r["008"] and len(r["008"].data) >= 38 else "") or "chi",
        "barcodes": barcodes,
        "book_number": call.rpartition("/")[2] if "/" in call else "",
    }


# Character sets of the MARC files schools receive: UTF-8, or GB18030 — a superset of GBK and
# GB2312, which Chinese book suppliers' and union-catalogue CNMARC files often use.
ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GB18030 / GBK"}


def detect_encoding(content: bytes) -> str:
    """ "utf-8" when the whole file is valid UTF-8 (plain ASCII included), else "gb18030" when it
    decodes as that. Chinese text in GBK is practically never valid UTF-8, so the order is safe. A
    file that is neither is read as UTF-8 with the bad bytes replaced (visible in the preview)."""
    for encoding in ENCODINGS:
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "utf-8"


def _without_unicode_flag(content: bytes) -> bytes:
    """Clear leader/09 ("a" = UCS/Unicode) in every record, so pymarc decodes with the file's
    encoding. Safe on GB18030 bytes: their trailing bytes are never the ISO 2709 separators."""
    records = content.split(b"\x1d")
    for i, record in enumerate(records):
        if len(record) >= 24 and record[9:10] == b"a":
            records[i] = record[:9] + b" " + record[10:]
    return b"\x1d".join(records)


def read_rows(content: bytes, *, flavour: str = "auto", encoding: str = "auto") -> list[tuple[int, dict]]:
    """Each record of an ISO 2709 file as an import row; unreadable records become a row with a problem.

    `encoding` is "utf-8", "gb18030" or "auto" (detect_encoding)."""
    if not content or len(content) < 24:
        raise ImportRejected(_("文件是空的或不是 MARC（ISO 2709）文件。"))
    if b"\x1d" not in content:
        raise ImportRejected(_("这不是 ISO 2709 格式的 MARC 文件（没有记录结束符）。"))
    if encoding not in ENCODINGS:
        encoding = detect_encoding(content)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if encoding == "utf-8":
            reader = MARCReader(
                BytesIO(content), to_unicode=True, force_utf8=True, utf8_handling="replace", permissive=True
            )
        else:
            reader = MARCReader(
                BytesIO(_without_unicode_flag(content)), to_unicode=True, file_encoding=encoding, permissive=True
            )
        for number, record in enumerate(reader, start=1):
            if number > settings.IMPORT_MAX_ROWS:
                raise ImportRejected(
                    _("文件超过 %(max)s 条记录，请分成几个文件导入。") % {"max": settings.IMPORT_MAX_ROWS}
                )
            if record is None:
                rows.append(
                    (
                        number,
                        {
                            "title": "",
                            "_error": _("第 %(n)s 条记录无法解析：%(e)s")
                            % {"n": number, "e": reader.current_exception},
                        },
                    )
                )
                continue
            kind = flavour if flavour in ("cnmarc", "marc21") else flavour_of(record)
            if kind == "cnmarc":
                rows.append((number, cnmarc_row(record)))
            elif kind == "marc21":
                rows.append((number, marc21_row(record)))
            else:
                rows.append(
                    (number, {"title": "", "_error": _("第 %(n)s 条记录既没有 200 也没有 245 字段") % {"n": number}})
                )
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
