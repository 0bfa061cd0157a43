"""The fixture records the test Z39.50 server (Zebra) serves, one list per database.

Written as ISO 2709 files by `write_databases`; the tests read the expected values from here.
"""

from pathlib import Path

from pymarc import Field, Indicators, Record, Subfield


def _cnmarc(*, isbn, title, author, publisher, year, clc, price="", other_title=""):
    r = Record(force_utf8=True, leader="     nam0 22     450 ")
    r.add_field(Field(tag="001", data="CN" + isbn[-6:]))
    subs = [Subfield("a", isbn)] + ([Subfield("d", f"CNY{price}")] if price else [])
    r.add_field(Field(tag="010", indicators=Indicators(" ", " "), subfields=subs))
    r.add_field(Field(tag="101", indicators=Indicators("0", " "), subfields=[Subfield("a", "chi")]))
    t = [Subfield("a", title)] + ([Subfield("e", other_title)] if other_title else []) + [Subfield("f", author)]
    r.add_field(Field(tag="200", indicators=Indicators("1", " "), subfields=t))
    r.add_field(
        Field(
            tag="210",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", "北京"), Subfield("c", publisher), Subfield("d", year)],
        )
    )
    r.add_field(Field(tag="690", indicators=Indicators(" ", " "), subfields=[Subfield("a", clc), Subfield("v", "5")]))
    r.add_field(Field(tag="701", indicators=Indicators(" ", "0"), subfields=[Subfield("a", author)]))
    return r


def _marc21(*, isbn, title, author, publisher, year, clc="", price="", lang="chi", place="北京"):
    r = Record(force_utf8=True, leader="     nam a22     7a 4500")
    r.add_field(Field(tag="001", data="US" + isbn[-6:]))
    r.add_field(Field(tag="008", data="261130s" + year + "    cc            000 0 " + lang + " d"))
    subs = [Subfield("a", isbn)] + ([Subfield("c", f"CNY{price}")] if price else [])
    r.add_field(Field(tag="020", indicators=Indicators(" ", " "), subfields=subs))
    if clc:
        r.add_field(
            Field(tag="084", indicators=Indicators(" ", " "), subfields=[Subfield("a", clc), Subfield("2", "clc")])
        )
    r.add_field(Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)]))
    r.add_field(
        Field(
            tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title + " /"), Subfield("c", author)]
        )
    )
    r.add_field(
        Field(
            tag="260",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", place + " :"), Subfield("b", publisher + ","), Subfield("c", year)],
        )
    )
    return r


# CNMARC in UTF-8 (database "cnmarc").
CNMARC = [
    dict(
        isbn="9787020042494",
        title="小王子",
        author="圣埃克苏佩里",
        publisher="人民文学出版社",
        year="2003",
        clc="I565.88",
        price="15.00",
    ),
    dict(
        isbn="9787020002207",
        title="西游记",
        author="吴承恩",
        publisher="人民文学出版社",
        year="1980",
        clc="I242.4",
        price="48.00",
    ),
    dict(
        isbn="9787534647456",
        title="草房子",
        author="曹文轩",
        publisher="江苏少年儿童出版社",
        year="2010",
        clc="I287.45",
        price="25.00",
    ),
    dict(
        isbn="9787534647463",
        title="青铜葵花",
        author="曹文轩",
        publisher="江苏少年儿童出版社",
        year="2010",
        clc="I287.45",
        price="25.00",
    ),
]
# MARC21 in UTF-8 (database "marc21").
MARC21 = [
    dict(
        isbn="9787020033430",
        title="哈利·波特与魔法石",
        author="罗琳",
        publisher="人民文学出版社",
        year="2000",
        clc="I561.84",
        price="19.50",
    ),
    dict(
        isbn="9780064400558",
        title="Charlotte's web",
        author="White, E. B.",
        publisher="HarperTrophy",
        year="1980",
        lang="eng",
    ),
]
# CNMARC in GB18030 (database "gbk"), as many Chinese union catalogues still send.
GB18030 = [
    dict(
        isbn="9787544242516",
        title="窗边的小豆豆",
        author="黑柳彻子",
        publisher="南海出版公司",
        year="2003",
        clc="I313.85",
        price="20.00",
    ),
]
# MARC21 in MARC-8 (database "marc8"): "Café" is written with MARC-8's combining acute (0xE2) before the e.
MARC8_TITLE = "Café Europa"
MARC8 = [
    dict(
        isbn="9780140277135",
        title="Caf\u00e2e Europa",
        author="Drakulić, Slavenka".replace("ć", "c"),
        publisher="Penguin",
        year="1999",
        lang="eng",
        place="London",
    )
]


def _iso2709(record: Record, encoding: str) -> bytes:
    """The record as ISO 2709 in `encoding` (leader/09 blank): lengths counted in bytes."""
    fields, directory, offset = b"", b"", 0
    for f in record.fields:
        if f.is_control_field():
            body = f.data.encode(encoding)
        else:
            body = (f.indicator1 + f.indicator2).encode("ascii")
            for s in f.subfields:
                body += b"\x1f" + s.code.encode("ascii") + s.value.encode(encoding)
        body += b"\x1e"
        directory += f.tag.encode("ascii") + str(len(body)).zfill(4).encode() + str(offset).zfill(5).encode()
        fields += body
        offset += len(body)
    directory += b"\x1e"
    base = 24 + len(directory)
    total = base + len(fields) + 1
    old = str(record.leader)
    leader = str(total).zfill(5) + old[5:9] + " " + old[10:12] + str(base).zfill(5) + old[17:]
    return leader.encode("ascii") + directory + fields + b"\x1d"


def _gb18030(record: Record) -> bytes:
    return _iso2709(record, "gb18030")


def _marc8(record: Record) -> bytes:
    return _iso2709(record, "latin-1")  # the Latin-1 characters of MARC8 are the MARC-8 bytes


DATABASES = {
    # database: (record type for zebraidx, records as bytes)
    "cnmarc": ("grs.marc.cnmarc", lambda: [_cnmarc(**d).as_marc() for d in CNMARC]),
    "marc21": ("grs.marc.marc21", lambda: [_marc21(**d).as_marc() for d in MARC21]),
    "gbk": ("grs.marc.cnmarc", lambda: [_gb18030(_cnmarc(**d)) for d in GB18030]),
    "marc8": ("grs.marc.marc21", lambda: [_marc8(_marc21(**d)) for d in MARC8]),
}


def write_databases(root: Path) -> dict:
    """One folder of ISO 2709 files per database under `root`; returns {database: (type, folder)}."""
    out = {}
    for name, (record_type, make) in DATABASES.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.mrc").write_bytes(b"".join(make()))
        out[name] = (record_type, folder)
    return out
