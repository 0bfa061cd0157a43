"""The demo catalogue: locations, records seeded from real titles, copies, batches, withdrawals.

Seeds are the 417 real books of shared/data/books-zh-sample.csv (copied to catalog/data/); the
rest are believable variants of them (other editions and publishers, volumes of a set) with
invented ISBN-13s with valid check digits. Everything goes in with bulk_create; the search
document is made in Python and indexed by the database trigger.

The demo school is a primary school, so its collection is mostly 低/中/高年级 reading: a variant is
first given a reading level (PRIMARY_MIX), then a seed of that level, or a classic of the sample
(literature, history, popular science) in a children's edition of that level (注音版 for 低年级,
美绘版 for 中年级, 青少版 for 高年级: the title and the edition say the level). Books for teachers
and older readers stay what they are and are a small share.
"""

import csv
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from catalog import textsearch
from catalog.models import (
    AcquisitionBatch,
    BarcodeSequence,
    BookNumberCounter,
    Copy,
    CopyStatus,
    CopyStatusChange,
    Location,
    Record,
    WithdrawalBatch,
)
from catalog.services import record_locations_refresh

SAMPLE = Path(__file__).resolve().parent / "data" / "books-zh-sample.csv"
LEVELS = {
    "低年级": "lower",
    "中年级": "middle",
    "高年级": "upper",
    "初中": "junior",
    "高中": "senior",
    "教师": "teacher",
}
LOCATIONS = [
    # name, code, lendable
    ("书库", "SK", True),
    ("语文阅览室", "YW", True),
    ("英语阅览室", "YY", True),
    ("期刊阅览室", "QK", False),
    ("艺术阅览室", "YS", True),
    ("科普阅览室", "KP", True),
    ("班级图书角", "BJ", True),
    ("教师资料室", "JS", True),
]
PUBLISHERS = [
    ("人民文学出版社", "北京"),
    ("人民教育出版社", "北京"),
    ("北京教育出版社", "北京"),
    ("少年儿童出版社", "上海"),
    ("浙江少年儿童出版社", "杭州"),
    ("二十一世纪出版社", "南昌"),
    ("接力出版社", "南宁"),
    ("长江少年儿童出版社", "武汉"),
    ("中国少年儿童出版社", "北京"),
    ("天天出版社", "北京"),
    ("明天出版社", "济南"),
    ("译林出版社", "南京"),
    ("外语教学与研究出版社", "北京"),
    ("科学普及出版社", "北京"),
    ("华东师范大学出版社", "上海"),
    ("湖南少年儿童出版社", "长沙"),
]
# Reading levels of the generated titles in a primary school, with their weights.
PRIMARY_MIX = [("lower", 25), ("middle", 30), ("upper", 28), ("junior", 7), ("teacher", 7), ("senior", 3)]
# Children's editions that make a classic readable at a level (the edition names the level).
LEVEL_EDITIONS = {
    "lower": ["注音版", "彩绘注音版"],
    "middle": ["美绘版", "插图本", "无障碍阅读版"],
    "upper": ["青少版", "名师导读版"],
}
SAME_LEVEL_EDITIONS = ["典藏版", "修订版", "第2版", "精装版"]
# Classes whose books are adapted for children: literature, history stories, popular science.
ADAPTABLE = ("I", "K", "N", "P", "Q", "Z")
# How many extra copies a title of each level gets, relative to the others (a primary school buys
# several copies of class readers, few of reference books for teachers).
COPY_WEIGHT = {"lower": 3.0, "middle": 3.0, "upper": 3.0, "junior": 1.0, "teacher": 0.5, "senior": 0.3, "": 1.0}
SUPPLIERS = ["新华书店教材发行中心", "博库图书有限公司", "凤凰新华书店", "当当网（团购）", "京东图书（团购）"]


def isbn13(rng, used: set) -> str:
    while True:
        body = "9787" + "".join(str(rng.randrange(10)) for _i in range(8))
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
        code = body + str((10 - total % 10) % 10)
        if code not in used:
            used.add(code)
            return code


def price(rng, level: str) -> Decimal:
    low, high = (12, 38) if level in ("lower", "middle") else (18, 68)
    return Decimal(rng.randrange(low * 10, high * 10)) / 10 + Decimal("0.00")


def seeds() -> list[dict]:
    with SAMPLE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # One book of every base class first, so that even a small demo covers all 22 classes.
    first, rest, seen = [], [], set()
    for row in rows:
        base = "T" if row["clc"].startswith("T") else row["clc"][0]
        (rest if base in seen else first).append(row)
        seen.add(base)
    return first + rest


def build(ctx) -> None:
    rng = ctx.rng
    scale = ctx.scale
    locations = Location.objects.bulk_create(
        [Location(name=n, code=c, is_lendable=lend, position=i) for i, (n, c, lend) in enumerate(LOCATIONS)]
    )
    loc = {lo.code: lo for lo in locations}
    librarian = ctx.users.get("librarian")

    # Acquisition batches: about four a year for six years, the last ones in this school year.
    school_year = ctx.school_year
    batches = []
    for year in range(school_year - 5, school_year + 1):
        for n, (month, day) in enumerate([(3, 10), (5, 20), (9, 15), (11, 25)], start=1):
            received = date(year, month, day)
            if received > ctx.today:
                continue
            batches.append(
                AcquisitionBatch(
                    number=f"YS{year}-{n:03d}",
                    received_on=received,
                    supplier=rng.choice(SUPPLIERS),
                    invoice_number=f"{rng.randrange(10**7, 10**8)}",
                    source="purchase",
                    created_by=librarian,
                )
            )
    if not batches or batches[-1].received_on < ctx.today - timedelta(days=40):
        batches.append(
            AcquisitionBatch(
                number=f"YS{ctx.today.year}-{90:03d}",
                received_on=ctx.today - timedelta(days=7),
                supplier=rng.choice(SUPPLIERS),
                invoice_number=f"{rng.randrange(10**7, 10**8)}",
                created_by=librarian,
            )
        )
    batches = AcquisitionBatch.objects.bulk_create(batches)

    # Records.
    base_rows = seeds()
    used_isbns: set = set()
    counters: dict[str, int] = defaultdict(int)
    records: list[Record] = []
    variant_no: dict[int, int] = defaultdict(int)
    mix_levels = [lv for lv, _w in PRIMARY_MIX]
    mix_weights = [w for _lv, w in PRIMARY_MIX]
    by_level: dict[str, list[int]] = defaultdict(list)
    for j, row in enumerate(base_rows):
        by_level[LEVELS.get(row["reader_level"], "")].append(j)
    classics = [
        j
        for j, row in enumerate(base_rows)
        if row["clc"][:1] in ADAPTABLE and LEVELS.get(row["reader_level"]) in ("junior", "senior", "upper")
    ] or list(range(len(base_rows)))
    classic_set = set(classics)
    by_level_rest = {lv: [j for j in pool if j not in classic_set] for lv, pool in by_level.items()}
    by_level_rest = defaultdict(list, by_level_rest)
    adapt = False
    for i in range(scale.titles):
        if i < len(base_rows):
            seed_index, row, edition, volume = i, base_rows[i], "", ""
            publisher, place = row["publisher"], ""
            year = int(row["pub_year"] or 2015)
        else:
            target = rng.choices(mix_levels, weights=mix_weights)[0]
            adapt = target in LEVEL_EDITIONS and (not by_level[target] or rng.random() < 0.4)
            # The classics of the sample come in children's editions; other editions for older
            # readers are drawn from the rest of the sample (textbooks, reference, teachers' books).
            pool = classics if adapt else (by_level_rest[target] or by_level[target] or list(range(len(base_rows))))
            seed_index = rng.choice(pool)
            row = base_rows[seed_index]
            variant_no[seed_index] += 1
            k = variant_no[seed_index]
            publisher, place = rng.choice(PUBLISHERS)
            if adapt:
                # A children's edition of a classic: the edition names the level.
                volume, edition = "", rng.choice(LEVEL_EDITIONS[target])
            elif row["clc"].startswith(("I", "Z", "K")) and rng.random() < 0.35:
                volume, edition = f"第{k}册", ""
            else:
                volume, edition = (
                    "",
                    SAME_LEVEL_EDITIONS[k % len(SAME_LEVEL_EDITIONS)]
                    + (f"（{k // len(SAME_LEVEL_EDITIONS) + 1}）" if k > len(SAME_LEVEL_EDITIONS) else ""),
                )
            year = rng.randrange(2008, ctx.today.year + 1)
        level = LEVELS.get(row["reader_level"], "")
        if i >= len(base_rows) and adapt:
            level = target
        authors = row["author"].replace(", ", "；")
        translator = row["translator"]
        code = row["clc"]
        counters[code] += 1
        rec = Record(
            title=row["title"],
            volume=volume,
            edition=edition,
            authors=authors,
            responsibility=f"{row['author']}著" + (f"；{translator}译" if translator else ""),
            publisher=publisher,
            pub_place=place,
            pub_year=year,
            pages=f"{rng.randrange(60, 480)}页",
            price=price(rng, level),
            isbn=isbn13(rng, used_isbns),
            clc=code,
            book_number=str(counters[code]),
            reader_level=level,
            subjects=row["title"].split(".")[0][:20],
            created_by=librarian,
        )
        textsearch.fill_derived(rec)
        records.append(rec)
    Record.objects.bulk_create(records, batch_size=2000)
    BookNumberCounter.objects.bulk_create([BookNumberCounter(clc=c, last_number=n) for c, n in counters.items()])

    # Copies: every record at least one; titles for the pupils' own levels more (class readers).
    total = max(scale.copies, len(records))
    per_record = [1] * len(records)
    weights = [COPY_WEIGHT.get(rec.reader_level, 1.0) for rec in records]
    for j in rng.choices(range(len(records)), weights=weights, k=total - len(records)):
        per_record[j] += 1
    by_level_location = {
        "lower": ["BJ", "YW", "SK"],
        "middle": ["YW", "SK", "BJ"],
        "upper": ["SK", "YW"],
        "junior": ["SK"],
        "senior": ["SK"],
        "teacher": ["JS"],
    }
    copies = []
    number = 0
    for rec, n in zip(records, per_record, strict=True):
        for _k in range(n):
            number += 1
            if rec.clc_base == "J":
                code = rng.choice(["YS", "SK"])
            elif rec.clc.startswith("H31"):
                code = rng.choice(["YY", "SK"])
            elif rec.clc_base in ("N", "O", "P", "Q", "S", "T", "U", "V", "X") and rng.random() < 0.5:
                code = "KP"
            else:
                code = rng.choice(by_level_location.get(rec.reader_level, ["SK"]))
            donated = rng.random() < 0.06
            batch = None if donated else rng.choice(batches)
            acquired = batch.received_on if batch else ctx.today - timedelta(days=rng.randrange(30, 2000))
            copies.append(
                Copy(
                    barcode=f"A{number:07d}",
                    record=rec,
                    location=loc[code],
                    price=rec.price,
                    source="donation" if donated else "purchase",
                    batch=batch,
                    acquired_on=acquired,
                )
            )
    Copy.objects.bulk_create(copies, batch_size=5000)
    BarcodeSequence.objects.update_or_create(
        name="default", defaults={"prefix": "A", "width": 7, "next_value": number + 1}
    )

    # A few write-offs: damaged or outdated books from older batches, one lost book.
    old = [c for c in copies if c.acquired_on < ctx.today - timedelta(days=700)]
    withdrawn = []
    for n, reason in enumerate(["damaged", "outdated", "lost"], start=1):
        day = ctx.today - timedelta(days=30 * (4 - n) + 10)
        wb = WithdrawalBatch.objects.create(
            number=f"ZX{day.year}-{n:03d}",
            withdrawn_on=day,
            reason=reason,
            approver="张校长",
            disposal="回收" if reason != "lost" else "",
            operator=librarian,
        )
        for c in rng.sample(old, min(len(old), max(1, len(copies) // 500 if reason != "lost" else 1))):
            if c.withdrawn_on is not None:
                continue
            c.withdrawn_on, c.withdrawal_reason, c.withdrawal = day, reason, wb
            c.status = CopyStatus.LOST if reason == "lost" else CopyStatus.WITHDRAWN
            withdrawn.append(c)
    Copy.objects.bulk_update(withdrawn, ["withdrawn_on", "withdrawal_reason", "withdrawal", "status"], batch_size=2000)
    record_locations_refresh()
    CopyStatusChange.objects.bulk_create(
        [
            CopyStatusChange(
                copy=c,
                from_status="on_shelf",
                to_status=c.status,
                changed_at=ctx.aware(c.withdrawn_on),
                changed_by=librarian,
                note=c.withdrawal.number,
            )
            for c in withdrawn
        ]
    )
    ctx.say(
        f"  catalogue: {len(records)} titles, {len(copies)} copies, {len(batches)} batches, {len(withdrawn)} withdrawn"
    )
