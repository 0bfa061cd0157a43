"""Small ISO 2709 files written by pymarc from our own data (no third-party records)."""

from pymarc import Field, Indicators, Subfield
from pymarc import Record as MarcRecord


def _f(tag, *pairs, ind=(" ", " ")):
    return Field(tag, Indicators(*ind), [Subfield(code, value) for code, value in pairs])


def cnmarc(
    title="小橘灯",
    isbn="978-7-5307-0018-1",
    clc="I286.5",
    barcodes=("C0000001", "C0000002"),
    price="CNY18.00",
    call="I286.5/9",
    unified="",
):
    """A CNMARC record; `unified` adds a 091 field (统一书号 of an old book), which carries the price
    when there is no ISBN (no 010 then)."""
    m = MarcRecord(force_utf8=True, leader="00000nam0 2200000   450 ")
    m.add_field(Field(tag="001", data="CN0001"))
    if isbn or not unified:
        m.add_field(_f("010", ("a", isbn), ("d", price)))
    if unified:
        m.add_field(_f("091", ("a", unified), ("d", price)))
    m.add_field(_f("101", ("a", "chi"), ind=("0", " ")))
    m.add_field(_f("200", ("a", title), ("e", "冰心儿童文学选"), ("f", "冰心著"), ind=("1", " ")))
    m.add_field(_f("210", ("a", "天津"), ("c", "新蕾出版社"), ("d", "2015")))
    m.add_field(_f("215", ("a", "158页")))
    m.add_field(_f("225", ("a", "百年百部中国儿童文学经典书系")))
    m.add_field(_f("330", ("a", "收录冰心写给孩子们的散文和小说。")))
    m.add_field(_f("606", ("a", "儿童文学"), ("x", "作品集")))
    m.add_field(_f("690", ("a", clc), ("v", "5")))
    m.add_field(_f("701", ("a", "冰心"), ("4", "著"), ind=(" ", "0")))
    for b in barcodes:
        m.add_field(_f("905", ("a", "书香实验小学"), ("b", b), ("d", clc), ("e", call.rpartition("/")[2]), ("s", call)))
    return m


def marc21(title="Charlotte's web", isbn="9787020002207", clc="I712.84", barcode="M0000001"):
    m = MarcRecord(force_utf8=True, leader="00000nam a2200000 a 4500")
    m.add_field(Field(tag="001", data="US0001"))
    m.add_field(Field(tag="008", data="200101s2019    cc            000 1 eng d"))
    m.add_field(_f("020", ("a", f"{isbn} (pbk.)"), ("c", "CNY25.00")))
    m.add_field(_f("084", ("a", clc), ("2", "clc")))
    m.add_field(_f("100", ("a", "White, E. B."), ind=("1", " ")))
    m.add_field(_f("245", ("a", f"{title} /"), ("c", "E.B. White."), ind=("1", "0")))
    m.add_field(_f("250", ("a", "2nd ed.")))
    m.add_field(_f("260", ("a", "Beijing :"), ("b", "Foreign Language Press,"), ("c", "2019.")))
    m.add_field(_f("300", ("a", "184 p. ;")))
    m.add_field(_f("650", ("a", "Pigs"), ind=(" ", "0")))
    if barcode:
        m.add_field(_f("852", ("b", "书库"), ("h", f"{clc}/3"), ("p", barcode)))
    return m


def iso(*records) -> bytes:
    return b"".join(r.as_marc() for r in records)


def iso_encoded(record, encoding: str) -> bytes:
    """ISO 2709 bytes of a record in another character set (e.g. GB18030), as Chinese suppliers send:
    directory lengths and offsets count bytes of that encoding, and leader/09 is blank (not Unicode)."""
    fields, directory, offset = b"", b"", 0
    for field in record.fields:
        data = field.as_marc(encoding=encoding)
        fields += data
        directory += f"{field.tag}{len(data):04d}{offset:05d}".encode("ascii")
        offset += len(data)
    directory += b"\x1e"
    base = 24 + len(directory)
    length = base + len(fields) + 1
    leader = f"{length:05d}" + str(record.leader)[5:9] + " " + str(record.leader)[10:12] + f"{base:05d}"
    leader += str(record.leader)[17:24]
    return leader.encode("ascii") + directory + fields + b"\x1d"
