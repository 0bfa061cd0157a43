import io
from datetime import date

import pytest
from django.db.models import Count

from catalog.models import Copy, CopyStatus
from circulation import demo
from circulation.models import Compensation, Hold, Loan, LoanPolicy, Term
from library.demo import DemoContext, DemoScale, build_people
from tests.circulation.conftest import make_copy, make_record

pytestmark = pytest.mark.django_db


def test_demo_builds_a_consistent_loan_history():
    ctx = DemoContext(
        scale=DemoScale(students=120, teachers=6, terms=3), today=date(2025, 11, 12), stdout=io.StringIO()
    )
    build_people(ctx)
    for i in range(150):
        record = make_record(f"书{i}")
        make_copy(record, f"D{i:07d}X")
        if i % 3 == 0:
            make_copy(record, f"D{i:07d}Y")
    demo.build(ctx)

    assert LoanPolicy.objects.get(reader_kind="student").max_items == 2
    assert list(Term.objects.values_list("name", flat=True)) == [
        "2024—2025学年第一学期",
        "2024—2025学年第二学期",
        "2025—2026学年第一学期",
    ]
    loans = Loan.objects.all()
    assert loans.count() > 1000
    assert not loans.filter(reader_kind="student", school_class__isnull=True).exists()
    assert loans.filter(reader_kind="student", grade__isnull=True).count() == 0
    open_loans = loans.filter(returned_at__isnull=True)
    assert open_loans.exists() and open_loans.filter(due_date__lt=ctx.today).exists()
    assert not Copy.objects.filter(loans__in=open_loans).exclude(status=CopyStatus.ON_LOAN).exists()
    # Never more open loans than the policy allows, never two loans of a copy at once.
    worst = open_loans.filter(reader_kind="student").values("reader").annotate(n=Count("pk")).order_by("-n").first()
    assert worst["n"] <= 2
    for copy_id in loans.values_list("copy", flat=True).distinct()[:200]:
        spans = list(
            Loan.objects.filter(copy_id=copy_id).order_by("checked_out_at").values_list("checked_out_at", "returned_at")
        )
        for (_a, end), (start, _b) in zip(spans, spans[1:], strict=False):
            assert end is not None and end <= start
    assert Hold.objects.filter(reader__user__username="teacher", status="ready").exists()
    assert Hold.objects.filter(status="waiting").exists()
    assert Compensation.objects.exists()
    assert loans.filter(is_collective=True).exists() and loans.filter(renewals=1).exists()
