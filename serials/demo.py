"""The demo school's periodicals: a dozen titles subscribed last year and this year, issues checked
in up to today with a few missing, and last year's first half-year of two magazines bound.

ISSNs, 刊号 and 邮发代号 are made up (valid check digits, not real titles' numbers)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from stdnum import issn as stdnum_issn

from catalog.models import Location
from serials import services
from serials.models import Issue, Serial

TITLES = [
    # title, kind, frequency, yearly price, copies, clc
    ("中国少年报", "newspaper", "weekly", "62.40", 2, "G62"),
    ("教育文摘周报", "newspaper", "weekly", "78.00", 1, "G5"),
    ("少年文艺", "magazine", "monthly", "96.00", 2, "I287"),
    ("儿童文学", "magazine", "monthly", "120.00", 2, "I287"),
    ("我们爱科学", "magazine", "semimonthly", "144.00", 2, "N49"),
    ("少年科学画报", "magazine", "monthly", "96.00", 1, "N49"),
    ("小学生时代", "magazine", "monthly", "72.00", 2, "G62"),
    ("故事大王", "magazine", "monthly", "84.00", 1, "I287"),
    ("中小学图书情报世界", "magazine", "monthly", "180.00", 1, "G25"),
    ("小学语文教师", "magazine", "monthly", "150.00", 1, "G623.2"),
    ("英语画刊", "magazine", "semimonthly", "108.00", 1, "H319"),
    ("地理知识", "magazine", "bimonthly", "60.00", 1, "K9"),
]
SOURCES = [("post_office", "县邮政局"), ("county_station", "县图书站"), ("agent", "书刊代理商")]


def _issn(rng) -> str:
    body = f"{rng.randrange(10**6, 10**7):07d}"
    return stdnum_issn.format(body + stdnum_issn.calc_check_digit(body))


def build(ctx) -> None:
    rng = ctx.rng
    librarian = ctx.users.get("librarian")
    room = Location.objects.filter(code="SK").first()
    this_year = ctx.today.year
    for i, (title, kind, frequency, price, copies, clc) in enumerate(TITLES):
        serial = Serial.objects.create(
            title=title,
            kind=kind,
            issn=_issn(rng),
            cn_number=f"CN {rng.randrange(11, 65)}-{rng.randrange(1000, 9999)}/{clc[0]}",
            postal_code=f"{rng.randrange(1, 82)}-{rng.randrange(1, 999)}",
            frequency=frequency,
            clc=clc,
        )
        source, source_name = SOURCES[i % len(SOURCES)]
        for year in (this_year - 1, this_year):
            sub = services.subscription_create(
                serial=serial,
                year=year,
                unit_price=Decimal(price),
                copies=copies,
                source=source,
                source_name=source_name,
                by=librarian,
            )
            # What came: each issue a few days after its date, now and then late or never.
            arrived = []
            for issue in sub.issues.filter(expected_on__lte=ctx.today - timedelta(days=3)):
                roll = rng.random()
                if roll < 0.03:
                    continue  # missing: it appears on the claim list
                delay = rng.randrange(25, 40) if roll < 0.08 else rng.randrange(0, 4)
                issue.received_on = min(issue.expected_on + timedelta(days=delay), ctx.today)
                issue.received_copies = copies
                issue.received_by = librarian
                arrived.append(issue)
            Issue.objects.bulk_update(arrived, ["received_on", "received_copies", "received_by"])
        if kind == "magazine" and i in (2, 4) and room is not None:
            last = serial.subscriptions.get(year=this_year - 1)
            ids = list(
                last.issues.filter(received_on__isnull=False, expected_on__lt=date(this_year - 1, 7, 1)).values_list(
                    "pk", flat=True
                )
            )
            if ids:
                services.volume_bind(
                    subscription=last,
                    issue_ids=ids,
                    label=f"{this_year - 1}年1-6月",
                    location=room,
                    by=librarian,
                    now=timezone.now(),
                )
    ctx.say(f"  periodicals: {len(TITLES)} titles, subscribed for {this_year - 1} and {this_year}")
