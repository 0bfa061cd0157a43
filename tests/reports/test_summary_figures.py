"""Each figure of the semester summary against the hand-built school of conftest.py (computed by hand)."""

from datetime import date
from decimal import Decimal

import pytest

from reports import selectors
from reports.models import ReportSettings
from reports.periods import previous_period, range_period, term_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary(school):
    period = term_period(school.term)
    return selectors.semester_summary(period, previous_period(period))


def test_loans_are_counted_per_volume_by_reader_kind(summary):
    c = summary.circ
    # 11 student loans (the one at 23:30 on the last day included, 00:10 the next day not),
    # 3 teacher/staff loans, 3 collective loans for the class book corner.
    assert (c["student_loans"], c["staff_loans"], c["collective_loans"], c["loans"]) == (11, 3, 3, 17)


def test_renewals_are_not_loans(summary):
    assert summary.circ["renewals"] == 2
    assert summary.circ["loans"] == 17


def test_visits_are_distinct_reader_days(summary):
    # s1 borrowed twice on 09-10 (one visit) and once on 10-15; s2 on 09-10 and 01-20; ...
    assert (summary.circ["visits"], summary.circ["student_visits"], summary.circ["staff_visits"]) == (11, 8, 2)


def test_borrowers(summary):
    c = summary.circ
    assert (c["borrowers"], c["student_borrowers"], c["staff_borrowers"], c["collective_borrowers"]) == (8, 6, 2, 1)


def test_teachers_are_not_students(summary):
    r = summary.readers
    # Students enrolled at the end of the term: s1..s6 (s7 left on 10-01); staff: t1, st1, t2 and 陈老师.
    assert (r["students"], r["staff"]) == (6, 4)
    # 生均借阅 = 11 student loans ÷ 6 students; teachers' 3 loans are in no per-student figure.
    assert summary.core["loans_per_student"] == Decimal("1.83")


def test_participation_counts_enrolled_students_who_borrowed(summary):
    # s1, s2, s3, s4, s5 of the 6 enrolled students borrowed (s7 borrowed but left; s6 did not borrow).
    assert summary.readers["students_borrowed"] == 5
    assert summary.core["participation"] == Decimal("0.8333")


def test_card_coverage(summary):
    r = summary.readers
    # s4's card ended 2025-12-01, s6 has none; 陈老师's card was issued after the term.
    assert (r["students_carded"], r["student_card_rate"]) == (4, Decimal("0.6667"))
    assert (r["staff_carded"], r["staff_card_rate"]) == (2, Decimal("0.5000"))
    # Cards issued in the term: s1, s2, s3, s5, s4, s7 (students), t1, st1 and the class collective.
    assert (r["cards_issued"], r["student_cards_issued"], r["staff_cards_issued"]) == (9, 6, 2)


def test_returns_and_overdue_rate(summary):
    c = summary.circ
    # 15 returns dated in the term (the last-evening loan came back on 01-21); 2 after their due date.
    assert (c["returns"], c["overdue_returns"], c["overdue_rate"]) == (15, 2, Decimal("0.1333"))


def test_refusals_and_holds(summary):
    c = summary.circ
    assert (c["refused"], c["refusal_rate"]) == (1, Decimal("0.0556"))  # 1 ÷ (17 + 1)
    assert (c["holds_placed"], c["holds_served"]) == (2, 1)


def test_withdrawn_copies_are_not_in_holdings(summary):
    col = summary.collection
    # c7 was written off on 2025-10-10: 10 copies ever, 9 in the collection, 6 titles.
    assert (col["volumes"], col["titles"], col["lendable"]) == (9, 6, 8)
    assert col["per_student"] == Decimal("1.5")
    assert col["withdrawals"] == [{"reason": "破损", "volumes": 1, "value": Decimal("25.00")}]


def test_withdrawn_copy_is_still_held_in_an_earlier_period(school):
    period = range_period(date(2025, 9, 1), date(2025, 10, 9))
    assert selectors.in_collection(period.end).filter(pk=school.copies["c7"].pk).exists()


def test_circulation_and_utilisation(summary):
    # 17 loans ÷ 8 lendable volumes (the dictionary stands in the reading room); 8 distinct copies lent ÷ 9.
    assert summary.core["circulation_rate"] == Decimal("2.13")
    assert summary.core["utilisation"] == Decimal("0.8889")


def test_acquisitions_compensation_and_standard(summary):
    col = summary.collection
    assert (col["new_volumes"], col["new_titles"], col["new_spend"]) == (1, 1, Decimal("30.00"))
    assert (col["year_new_volumes"], col["year_new_per_student"]) == (1, Decimal("0.17"))
    assert (col["compensation_cases"], col["compensation_amount"], col["compensation_paid"]) == (
        1,
        Decimal("25.00"),
        Decimal("25.00"),
    )
    assert col["standard"]["volumes_per_student"] == Decimal("25.0")
    assert col["meets_standard"] is False
    assert col["standard_shortfall"] == Decimal("141")  # 25 × 6 − 9


def test_duplicate_cap_limits_counted_volumes(school):
    ReportSettings.objects.update(duplicate_cap=2)
    period = term_period(school.term)
    col = selectors.semester_summary(period, None).collection
    assert col["volumes_capped"] == 8  # 小王子 has 3 copies, counted as 2


def test_student_who_changed_class_counts_for_class_at_checkout(summary):
    rows = {c.name: c for c in summary.classes}
    a, b, c = rows["三年级(1)班"], rows["三年级(2)班"], rows["四年级(1)班"]
    # s5 borrowed 2 books while in 三年级(1)班 and is now in 三年级(2)班.
    assert (a.loans, a.borrowers, a.students, a.per_student) == (7, 3, 2, Decimal("3.50"))
    assert (b.loans, b.borrowers, b.students, b.per_student) == (2, 2, 2, Decimal("1.00"))
    assert (c.loans, c.borrowers, c.students, c.no_loan, c.participation) == (2, 1, 2, 1, Decimal("0.5000"))
    assert a.collective_loans == 3


def test_class_ranking_and_gap(summary):
    ranks = {c.name: c.rank for c in summary.classes}
    assert ranks == {"三年级(1)班": 1, "三年级(2)班": 2, "四年级(1)班": 2}
    assert summary.gap["high"].name == "三年级(1)班"
    assert summary.gap["gap"] == Decimal("2.50")


def test_grade_table(summary):
    rows = [(g.name, g.students, g.loans, g.borrowers, g.per_student, g.no_loan) for g in summary.grades]
    assert rows == [("三年级", 4, 9, 5, Decimal("2.25"), 0), ("四年级", 2, 2, 1, Decimal("1.00"), 1)]


def test_reading_stars(summary):
    assert [(s["rank"], s["name"], s["loans"]) for s in summary.stars] == [
        (1, "s1", 3),
        (2, "s2", 2),
        (2, "s4", 2),
        (2, "s5", 2),
        (5, "s3", 1),
        (5, "s7", 1),
    ]
    assert [(s["grade_name"], s["rank"], s["name"]) for s in summary.grade_stars] == [
        ("三年级", 1, "s1"),
        ("三年级", 2, "s2"),
        ("三年级", 2, "s5"),
        ("四年级", 1, "s4"),
    ]


def test_top_titles_and_clc(summary):
    assert [(t["rank"], t["title"], t["loans"]) for t in summary.titles] == [
        (1, "小王子", 9),
        (2, "十万个为什么", 4),
        (3, "昆虫记", 3),
        (4, '=HYPERLINK("http://x")', 1),
    ]
    clc = {r["code"]: (r["loans"], r["share"]) for r in summary.clc if r["loans"]}
    assert clc == {"I": (10, Decimal("0.5882")), "Q": (3, Decimal("0.1765")), "Z": (4, Decimal("0.2353"))}


def test_comparison_with_previous_term(summary):
    rows = {r["key"]: r for r in summary.compare}
    assert summary.previous.label == "2024—2025学年第二学期"
    # Previous term: 2 student loans; 7 students enrolled on 2025-07-10 (s7 had not left yet).
    assert (rows["student_loans"]["previous"], rows["student_loans"]["change"]) == (2, 9)
    assert rows["students"]["previous"] == 7
    assert rows["loans_per_student"]["previous"] == Decimal("0.29")


def test_work_summary_paragraph_has_the_figures(summary):
    text = selectors.work_summary_text(summary)
    assert "本期共有6名学生借阅图书11册，2位教职工借阅图书3册" in text
    assert "学生生均借阅1.83册，借阅参与率83.3%" in text
    assert "馆藏图书6种9册" in text


def test_previous_term_figures_are_stable_after_rollover(school):
    # Last year's class 二年级(1)班 (now 三年级(1)班) keeps its loan of the previous term.
    period = term_period(school.prev)
    rows = {c.name: c.loans for c in selectors.semester_summary(period, None).classes}
    assert rows["二年级(1)班"] == 1
    assert rows["二年级(2)班"] == 1


def test_top_titles_and_classes_standalone(school):
    period = term_period(school.term)
    assert [t["title"] for t in selectors.top_titles(period, limit=2)] == ["小王子", "十万个为什么"]
    assert sum(r["loans"] for r in selectors.loans_by_clc(period)) == 17


def test_empty_period_has_no_division_by_zero(school):
    period = range_period(date(2026, 2, 1), date(2026, 2, 2))  # winter holiday
    s = selectors.semester_summary(period, None)
    assert s.circ["loans"] == 0
    assert s.circ["overdue_rate"] is None
    assert s.titles == [] and s.stars == [] and s.gap is None
    assert "借阅参与率0.0%，逾期率—" in selectors.work_summary_text(s)  # no returns: the rate is undefined


def test_classes_past_the_last_grade_are_not_enrolled(school):
    # In 2029-2030 the classes that entered in 2022 and 2023 would be in grade 8 and 7: left primary school.
    assert selectors.reader_figures(range_period(date(2030, 1, 1), date(2030, 1, 2)))["students"] == 0


def test_overdue_fines_are_reported_apart_from_compensation(school):
    from circulation.models import Compensation
    from tests.circulation.conftest import aware

    for amount, status, paid in ((Decimal("0.90"), "paid", Decimal("0.90")), (Decimal("1.20"), "unpaid", None)):
        Compensation.objects.create(
            copy=school.copies["c1"],
            reader=school.readers["s1"],
            kind="overdue",
            amount=amount,
            status=status,
            paid_amount=paid,
            reported_at=aware(date(2025, 10, 20)),
        )
    period = term_period(school.term)
    col = selectors.semester_summary(period, previous_period(period)).collection
    assert (col["compensation_cases"], col["compensation_amount"], col["compensation_paid"]) == (
        1,
        Decimal("25.00"),
        Decimal("25.00"),
    )
    assert (col["fine_cases"], col["fine_amount"], col["fine_paid"]) == (2, Decimal("2.10"), Decimal("0.90"))
