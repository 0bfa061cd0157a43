"""A small school built by hand for the report tests; every figure is computed by hand in the tests.

Term T = 2025—2026学年第一学期 (2025-09-01 .. 2026-01-20); previous term P = 2024—2025学年第二学期.
Classes: A = 三年级(1)班 (entry 2023, head teacher `head_a`), B = 三年级(2)班 (entry 2023, head
`head_teacher` of the shared cast via `school_class`), C = 四年级(1)班 (entry 2022).
Students: s1, s2 in A; s3 in B; s5 now in B but borrowed while in A; s4, s6 in C (s6 never borrows,
has no card; s4's card ended on 2025-12-01); s7 in B left on 2025-10-01.
Staff: t1 (teacher), st1 (staff), t2 (teacher, no card, no loans). A class collective reader for A.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Copy, Location, Record
from circulation.models import (
    CirculationEvent,
    CirculationSettings,
    Compensation,
    Hold,
    LibraryCard,
    Loan,
    Reader,
    Renewal,
    SchoolClass,
    Term,
)
from library.models import School
from reports.defaults import load_defaults
from reports.models import CollectionTarget, HoldingsStandard, ReportSettings
from tests.conftest import make_user


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class School1:
    term: Term
    prev: Term
    classes: dict = field(default_factory=dict)
    readers: dict = field(default_factory=dict)
    copies: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)
    loans: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def lend(reader, copy, when, *, due, returned=None, klass=None, grade=None, kind=None, collective=False, renewals=0):
    return Loan.objects.create(
        copy=copy,
        reader=reader,
        reader_kind=kind or reader.kind,
        school_class=klass,
        grade=grade,
        checked_out_at=when,
        due_date=due,
        returned_at=returned,
        is_collective=collective,
        renewals=renewals,
    )


def card(reader, *, issued=date(2025, 9, 1), ended=None):
    LibraryCard.objects.create(
        reader=reader,
        number=f"C{reader.pk:05d}",
        issued_at=at(issued, 8),
        ended_at=at(ended, 8) if ended else None,
        status="cancelled" if ended else "valid",
    )


@pytest.fixture(autouse=True)
def standards(db):
    """The defaults of the data migration (transactional tests elsewhere in the suite flush them)."""
    load_defaults(HoldingsStandard, CollectionTarget, ReportSettings)


@pytest.fixture
def school(db, standards, school_class, head_teacher):
    School.objects.create(name="测试小学", stage=School.Stage.PRIMARY)
    prev = Term.objects.create(
        name="2024—2025学年第二学期", school_year=2024, number=2, start=date(2025, 2, 17), end=date(2025, 7, 10)
    )
    term = Term.objects.create(
        name="2025—2026学年第一学期", school_year=2025, number=1, start=date(2025, 9, 1), end=date(2026, 1, 20)
    )
    s = School1(term=term, prev=prev)
    head_a = make_user("head_a", "教师", first_name="甲老师")
    s.users["head_a"] = head_a
    a = SchoolClass.objects.create(entry_year=2023, number=1, head_teacher=head_a)
    b = school_class  # entry 2023 number 2, head teacher = head_teacher fixture
    c = SchoolClass.objects.create(entry_year=2022, number=1)
    s.classes.update(A=a, B=b, C=c)

    def student(key, klass, number, **extra):
        r = Reader.objects.create(name=key, kind="student", school_class=klass, student_number=number, **extra)
        s.readers[key] = r
        return r

    for key, klass, number in [("s1", a, "S01"), ("s2", a, "S02"), ("s3", b, "S03"), ("s5", b, "S05")]:
        card(student(key, klass, number))
    card(student("s4", c, "S04"), ended=date(2025, 12, 1))
    student("s6", c, "S06")
    card(student("s7", b, "S07", is_active=False, left_on=date(2025, 10, 1)))
    t1 = Reader.objects.create(name="t1", kind="teacher", student_number="T1")
    st1 = Reader.objects.create(name="st1", kind="staff", student_number="Z1")
    t2 = Reader.objects.create(name="t2", kind="teacher", student_number="T2")
    coll = Reader.objects.create(name="三年级(1)班图书角", kind="collective", school_class=a)
    for r in (t1, st1, coll):
        card(r)
    s.readers.update(t1=t1, st1=st1, t2=t2, coll=coll)

    main = Location.objects.create(name="书库", code="MAIN", is_lendable=True)
    ref = Location.objects.create(name="阅览室", code="REF", is_lendable=False)
    records = {
        "R1": ("小王子", "I", 2020),
        "R2": ("十万个为什么", "Z", 2000),
        "R3": ("昆虫记", "Q", 2015),
        "R4": ("新华字典", "H", 2018),
        "R5": ('=HYPERLINK("http://x")', "I", 2024),
        "R6": ("格林童话", "I", 1990),
    }
    for key, (title, clc, year) in records.items():
        s.records[key] = Record.objects.create(
            title=title, clc=clc + "1", clc_base=clc, pub_year=year, call_number=f"{clc}1/{key[1]}"
        )
    old = date(2024, 1, 1)
    layout = [
        ("c1", "R1", main, old),
        ("c2", "R1", main, old),
        ("c3", "R1", main, old),
        ("c4", "R2", main, old),
        ("c5", "R2", main, old),
        ("c6", "R3", main, old),
        ("c7", "R3", main, old),
        ("c8", "R4", ref, old),
        ("c9", "R5", main, date(2025, 9, 15)),
        ("c10", "R6", main, date(2020, 1, 1)),
    ]
    for key, rec, loc, acquired in layout:
        s.copies[key] = Copy.objects.create(
            barcode=key.upper(),
            record=s.records[rec],
            location=loc,
            acquired_on=acquired,
            price=Decimal("30.00") if key == "c9" else Decimal("25.00"),
        )
    c7 = s.copies["c7"]
    c7.status, c7.withdrawn_on, c7.withdrawal_reason = "withdrawn", date(2025, 10, 10), "damaged"
    c7.save()

    r, cp, d = s.readers, s.copies, date
    L = s.loans
    L[1] = lend(
        r["s1"], cp["c1"], at(d(2025, 9, 10)), due=d(2025, 9, 24), returned=at(d(2025, 9, 20)), klass=a, grade=3
    )
    L[2] = lend(
        r["s1"], cp["c4"], at(d(2025, 9, 10), 10, 5), due=d(2025, 9, 24), returned=at(d(2025, 10, 5)), klass=a, grade=3
    )
    L[3] = lend(r["s1"], cp["c2"], at(d(2025, 10, 15)), due=d(2025, 10, 29), klass=a, grade=3)
    L[4] = lend(
        r["s2"], cp["c3"], at(d(2025, 9, 10)), due=d(2025, 9, 24), returned=at(d(2025, 9, 17)), klass=a, grade=3
    )
    L[5] = lend(
        r["s5"], cp["c6"], at(d(2025, 9, 20), 9), due=d(2025, 10, 4), returned=at(d(2025, 9, 27)), klass=a, grade=3
    )
    L[6] = lend(
        r["s5"], cp["c5"], at(d(2025, 9, 20), 9, 1), due=d(2025, 10, 4), returned=at(d(2025, 9, 27)), klass=a, grade=3
    )
    L[7] = lend(
        r["s3"],
        cp["c1"],
        at(d(2025, 11, 1)),
        due=d(2025, 12, 13),
        returned=at(d(2025, 11, 30)),
        klass=b,
        grade=3,
        renewals=2,
    )
    Renewal.objects.create(
        loan=L[7], renewed_at=at(d(2025, 11, 14)), old_due_date=d(2025, 11, 15), new_due_date=d(2025, 11, 29)
    )
    Renewal.objects.create(
        loan=L[7], renewed_at=at(d(2025, 11, 28)), old_due_date=d(2025, 11, 29), new_due_date=d(2025, 12, 13)
    )
    L[8] = lend(
        r["s4"], cp["c9"], at(d(2025, 12, 5)), due=d(2025, 12, 19), returned=at(d(2025, 12, 10)), klass=c, grade=4
    )
    L[9] = lend(
        r["s4"], cp["c4"], at(d(2025, 12, 5)), due=d(2025, 12, 19), returned=at(d(2025, 12, 12)), klass=c, grade=4
    )
    L[10] = lend(
        r["s7"], cp["c7"], at(d(2025, 9, 15)), due=d(2025, 9, 29), returned=at(d(2025, 9, 30)), klass=b, grade=3
    )
    L[11] = lend(r["t1"], cp["c5"], at(d(2025, 9, 10), 11), due=d(2025, 10, 10), returned=at(d(2025, 10, 10), 16))
    L[12] = lend(r["t1"], cp["c6"], at(d(2025, 9, 10), 11), due=d(2025, 10, 10), returned=at(d(2025, 10, 1)))
    L[13] = lend(r["st1"], cp["c3"], at(d(2025, 10, 8)), due=d(2025, 11, 8), returned=at(d(2025, 10, 20)))
    for i, key in enumerate(["c1", "c2", "c3"]):
        L[14 + i] = lend(
            r["coll"],
            cp[key],
            at(d(2025, 9, 2)),
            due=d(2025, 9, 12),
            returned=at(d(2025, 9, 9)),
            klass=a,
            grade=3,
            collective=True,
        )
    # The last evening of the term (in the period) and just after midnight (not in it).
    L[19] = lend(
        r["s2"], cp["c3"], at(d(2026, 1, 20), 23, 30), due=d(2026, 2, 3), returned=at(d(2026, 1, 21)), klass=a, grade=3
    )
    L[20] = lend(
        r["s2"], cp["c5"], at(d(2026, 1, 21), 0, 10), due=d(2026, 2, 4), returned=at(d(2026, 1, 22)), klass=a, grade=3
    )
    # Previous term.
    L[21] = lend(
        r["s1"], cp["c1"], at(d(2025, 3, 10)), due=d(2025, 3, 24), returned=at(d(2025, 3, 20)), klass=a, grade=2
    )
    L[22] = lend(
        r["s3"], cp["c2"], at(d(2025, 3, 11)), due=d(2025, 3, 25), returned=at(d(2025, 4, 20)), klass=b, grade=2
    )

    CirculationEvent.objects.create(action="refused", at=at(d(2025, 9, 10)), reader=r["s1"], detail="limit")
    Hold.objects.create(
        record=s.records["R1"],
        reader=r["s2"],
        status="fulfilled",
        placed_at=at(d(2025, 9, 5)),
        closed_at=at(d(2025, 9, 10)),
    )
    Hold.objects.create(
        record=s.records["R2"],
        reader=r["s3"],
        status="cancelled",
        placed_at=at(d(2025, 10, 1)),
        closed_at=at(d(2025, 10, 2)),
    )
    Compensation.objects.create(
        copy=c7,
        reader=r["s7"],
        loan=L[10],
        kind="severe",
        amount=Decimal("25.00"),
        status="paid",
        paid_amount=Decimal("25.00"),
        reported_at=at(d(2025, 10, 9)),
    )
    # The school lives in 2025-2026 but the pages are tested on the real date, when its loans are
    # past the reading-history retention: mark today's anonymisation as done so they keep their
    # names (retention itself is tested with explicit dates in test_anonymised_figures.py).
    CirculationSettings.objects.create(history_checked_on=timezone.localdate())
    return s
