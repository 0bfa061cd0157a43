"""Second, independent checks of 生均借阅 and 办证率: a different school from conftest.py, built
through the desk's services (cards issued, lost and reissued; loans, renewals, a class book corner),
each figure worked out again from the rows in the test."""

from datetime import date
from decimal import Decimal

import pytest

from circulation import services
from circulation.models import LibraryCard, Loan, Reader, SchoolClass, Term
from reports import selectors
from reports.periods import term_period
from tests.circulation.conftest import aware, make_copy, make_policies, make_record
from tests.conftest import make_reader, make_user

pytestmark = pytest.mark.django_db

SEP1 = aware(date(2025, 9, 1), 8)


@pytest.fixture
def town(db):
    make_policies()
    term = Term.objects.create(
        name="2025—2026学年第一学期", school_year=2025, number=1, start=date(2025, 9, 1), end=date(2026, 1, 20)
    )
    desk = make_user("desk1", "图书管理员")
    two = SchoolClass.objects.create(entry_year=2024, number=1)  # 二年级(1)班
    one = SchoolClass.objects.create(entry_year=2025, number=3)  # 一年级(3)班
    people = {}
    for name, klass in [("p1", two), ("p2", two), ("p3", two), ("q1", one), ("q2", one)]:
        people[name] = make_reader(name, school_class=klass, number=name, card=False)
    people["t"] = make_reader("t", kind="teacher", number="T9", card=False)
    for name in ("p1", "p2", "p3", "q1", "t"):  # q2 never gets a card
        services.card_issue(reader=people[name], by=desk, now=SEP1)
    record = make_record("草房子")
    copies = [make_copy(record, f"B{i:07d}") for i in range(12)]
    return {"term": term, "desk": desk, "people": people, "copies": copies, "one": one}


def _lend(town, who, copy_index, day):
    copy = town["copies"][copy_index]
    loan = services.loan_checkout(
        reader=town["people"][who], copy_barcode=copy.barcode, by=town["desk"], now=aware(day)
    )
    services.loan_return(copy_barcode=copy.barcode, by=town["desk"], now=aware(day, 15))
    return loan


def test_loans_per_student_counts_pupils_loans_over_all_enrolled_pupils(town):
    _lend(town, "p1", 0, date(2025, 9, 10))
    _lend(town, "p1", 1, date(2025, 10, 10))
    _lend(town, "p1", 2, date(2025, 11, 10))
    _lend(town, "p2", 3, date(2025, 9, 11))
    _lend(town, "q1", 4, date(2025, 12, 1))
    renewed = services.loan_checkout(
        reader=town["people"]["q1"],
        copy_barcode=town["copies"][5].barcode,
        by=town["desk"],
        now=aware(date(2025, 12, 2)),
    )
    services.loan_renew(loan=renewed, by=town["desk"], now=aware(date(2025, 12, 5)))  # a renewal is no new loan
    _lend(town, "t", 6, date(2025, 9, 12))  # teachers' loans are in no per-student figure
    _lend(town, "t", 7, date(2025, 9, 13))
    services.class_collective_checkout(  # nor are a class book corner's
        school_class=town["one"], barcodes=[c.barcode for c in town["copies"][8:11]], by=town["desk"], now=SEP1
    )
    _lend(town, "p2", 11, date(2026, 1, 21))  # the day after the term

    # Worked out from the rows: 6 pupils' loans in the term ÷ 5 pupils enrolled (q2 and p3 borrowed nothing).
    start, end = term_period(town["term"]).bounds()
    pupils_loans = Loan.objects.filter(
        reader__kind="student", is_collective=False, checked_out_at__gte=start, checked_out_at__lt=end
    ).count()
    pupils = Reader.objects.filter(kind="student").count()
    assert (pupils_loans, pupils) == (6, 5)
    core = selectors.core_figures(term_period(town["term"]))
    assert core["loans_per_student"] == Decimal("1.20") == (Decimal(pupils_loans) / pupils).quantize(Decimal("0.01"))


def test_card_rate_follows_cards_lost_and_reissued_in_the_term(town):
    period = term_period(town["term"])
    # 4 of the 5 pupils hold a card (q2 has none); the teacher's card is not a pupil's.
    assert selectors.reader_figures(period)["student_card_rate"] == Decimal("0.8000")
    card = LibraryCard.objects.get(reader=town["people"]["p3"])
    services.card_report_lost(card=card, by=town["desk"], now=aware(date(2025, 12, 1)))
    # Lost before the end of the term and not replaced: 3 of 5 at the end of the term.
    assert selectors.reader_figures(period)["student_card_rate"] == Decimal("0.6000")
    services.card_reissue(card=LibraryCard.objects.get(pk=card.pk), by=town["desk"], now=aware(date(2026, 1, 5)))
    assert selectors.reader_figures(period)["student_card_rate"] == Decimal("0.8000")
    # A card issued after the term does not count for it.
    services.card_issue(reader=town["people"]["q2"], by=town["desk"], now=aware(date(2026, 2, 20)))
    assert selectors.reader_figures(period)["students_carded"] == 4
