"""The worked check of statistics.md: 500 students, 430 borrowed, 4,100 loans + 12 renewals, 20 teachers
with 150 loans → 生均借阅 8.20, participation 86.0 %."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from catalog.models import Copy, Location, Record
from circulation.models import Loan, Reader, Renewal, SchoolClass, Term
from reports import selectors
from reports.periods import term_period
from tests.reports.conftest import at

pytestmark = pytest.mark.django_db


def test_worked_check():
    term = Term.objects.create(
        name="2025—2026学年第一学期", school_year=2025, number=1, start=date(2025, 9, 1), end=date(2026, 1, 20)
    )
    classes = SchoolClass.objects.bulk_create(
        [SchoolClass(entry_year=2025 - g, number=n) for g in range(6) for n in (1, 2)]
    )
    students = Reader.objects.bulk_create(
        [
            Reader(name=f"学生{i}", kind="student", school_class=classes[i % 12], student_number=f"S{i:04d}")
            for i in range(500)
        ]
    )
    teachers = Reader.objects.bulk_create(
        [Reader(name=f"教师{i}", kind="teacher", student_number=f"T{i:03d}") for i in range(20)]
    )
    location = Location.objects.create(name="书库", code="M")
    record = Record.objects.create(title="书", clc_base="I")
    copies = Copy.objects.bulk_create(
        [Copy(barcode=f"B{i}", record=record, location=location, acquired_on=date(2024, 1, 1)) for i in range(50)]
    )
    loans = []
    day = date(2025, 9, 2)
    # 430 borrowers: 9 loans each (3,870) and one more for 230 of them (4,100).
    for i, s in enumerate(students[:430]):
        for k in range(9 + (1 if i < 230 else 0)):
            when = at(day + timedelta(days=k * 7))
            loans.append(
                Loan(
                    copy=copies[len(loans) % 50],
                    reader=s,
                    reader_kind="student",
                    school_class=s.school_class,
                    grade=1,
                    checked_out_at=when,
                    due_date=day,
                    returned_at=when + timedelta(hours=1),
                )
            )
    for i, t in enumerate(teachers):
        for k in range(8 if i < 10 else 7):
            when = at(day + timedelta(days=k))
            loans.append(
                Loan(
                    copy=copies[len(loans) % 50],
                    reader=t,
                    reader_kind="teacher",
                    checked_out_at=when,
                    due_date=day,
                    returned_at=when + timedelta(hours=1),
                )
            )
    Loan.objects.bulk_create(loans, batch_size=2000)
    Renewal.objects.bulk_create(
        [
            Renewal(loan=loan, renewed_at=at(date(2025, 10, 8)), old_due_date=day, new_due_date=day)
            for loan in Loan.objects.all()[:12]
        ]
    )

    core = selectors.core_figures(term_period(term))

    assert core["circulation"]["student_loans"] == 4100
    assert core["circulation"]["staff_loans"] == 150
    assert core["circulation"]["renewals"] == 12
    assert core["circulation"]["loans"] == 4250  # the renewals add no loans
    assert core["readers"]["students"] == 500
    assert core["loans_per_student"] == Decimal("8.20")
    assert core["participation"] == Decimal("0.8600")
