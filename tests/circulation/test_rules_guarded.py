"""Rules that once had no test (issue 10): the loan policy's two blocking switches, the last day a
hold waits on the hold shelf, and second, independent checks of the lost-book minimum and of the
enrolment after the school-year rollover."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from circulation import exceptions as exc
from circulation import services
from circulation.models import CirculationSettings, Compensation, Hold, LoanPolicy, SchoolClass
from reports.selectors import enrolled_students
from tests.circulation.conftest import aware, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db


def _student_policy(**changes):
    LoanPolicy.objects.filter(reader_kind="student").update(**changes)


def _lend(s, code, now, reader=None):
    return services.loan_checkout(reader=reader or s["reader"], copy_barcode=code, by=s["by"], now=now)


# --- 有逾期时禁止借书 -------------------------------------------------------------------------


@pytest.fixture
def overdue_reader(setup):
    """张小明's first book is ten days overdue on `later`."""
    loan = _lend(setup, "A0000001", setup["now"])
    setup["later"] = aware(loan.due_date + timedelta(days=10))
    return setup


def test_overdue_books_block_a_new_loan_when_the_switch_is_on(overdue_reader):
    s = overdue_reader
    with pytest.raises(exc.ReaderBlocked, match="逾期"):
        _lend(s, "A0000003", s["later"])


def test_overdue_books_do_not_block_when_the_switch_is_off(overdue_reader):
    s = overdue_reader
    _student_policy(overdue_blocks=False)
    assert _lend(s, "A0000003", s["later"]).reader_id == s["reader"].pk


def test_the_overdue_switch_also_decides_renewal(overdue_reader):
    s = overdue_reader
    loan = s["reader"].loans.get()
    with pytest.raises(exc.RenewalRefused, match="逾期"):
        services.loan_renew(loan=loan, by=s["by"], now=s["later"])
    _student_policy(overdue_blocks=False)
    assert services.loan_renew(loan=loan, by=s["by"], now=s["later"]).renewals == 1


# --- 有未缴赔偿时禁止借书 ---------------------------------------------------------------------


@pytest.fixture
def owing_reader(setup):
    """张小明 damaged a book (returned, unpaid ¥5.00): no overdue, no loan open."""
    _lend(setup, "A0000001", setup["now"])
    services.compensation_report(
        copy_barcode="A0000001", kind="minor", copy_action="shelf", by=setup["by"], now=setup["now"]
    )
    assert setup["reader"].loans.filter(returned_at__isnull=True).count() == 0
    return setup


def test_unpaid_compensation_blocks_when_the_switch_is_on(owing_reader):
    with pytest.raises(exc.ReaderBlocked, match="赔偿"):
        _lend(owing_reader, "A0000003", owing_reader["now"])


def test_unpaid_compensation_does_not_block_when_the_switch_is_off(owing_reader):
    _student_policy(unpaid_blocks=False)
    assert _lend(owing_reader, "A0000003", owing_reader["now"]).copy.barcode == "A0000003"


def test_a_settled_compensation_no_longer_blocks(owing_reader):
    comp = Compensation.objects.get()
    services.compensation_settle(compensation=comp, status="paid", by=owing_reader["by"], now=owing_reader["now"])
    assert _lend(owing_reader, "A0000003", owing_reader["now"]).copy.barcode == "A0000003"


# --- a hold kept for pickup expires after its last day, not on it -----------------------------


def test_a_ready_hold_waits_through_its_whole_last_day(setup, teacher):
    hold = services.hold_place(record=setup["c3"].record, reader=teacher.reader, by=teacher, now=setup["now"])
    assert hold.status == Hold.Status.READY
    last_day = hold.expires_on
    assert services.holds_expire(now=aware(last_day, 17, 55)) == 0  # the pupil may still come at closing time
    hold.refresh_from_db()
    assert hold.status == Hold.Status.READY
    assert services.holds_expire(now=aware(last_day + timedelta(days=1), 7, 30)) == 1
    hold.refresh_from_db()
    assert hold.status == Hold.Status.EXPIRED


def test_the_daily_run_on_the_last_day_keeps_the_hold(setup, teacher):
    hold = services.hold_place(record=setup["c3"].record, reader=teacher.reader, by=teacher, now=setup["now"])
    assert services.holds_expire_daily(now=aware(hold.expires_on, 7, 0)) == 0
    assert services.holds_expire_daily(now=aware(hold.expires_on + timedelta(days=1), 7, 0)) == 1


# --- the lost-book minimum, a second way: through the compensation desk ------------------------


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("4.00", "15.00"),  # 4 × 2 = 8 is under the minimum: the minimum
        ("7.50", "15.00"),  # 7.50 × 2 = 15 is exactly the minimum
        ("7.51", "15.02"),  # just over: price × multiplier
    ],
)
def test_a_lost_cheap_book_costs_at_least_the_minimum(setup, price, expected):
    settings = CirculationSettings.current()
    settings.lost_minimum = Decimal("15.00")
    settings.save()
    copy = make_copy(make_record("旧童话", price=price), "L0000001")
    _lend(setup, copy.barcode, setup["now"])
    comp = services.compensation_report(copy_barcode=copy.barcode, kind="lost", by=setup["by"], now=setup["now"])
    assert comp.amount == Decimal(expected)


def test_the_minimum_applies_to_a_copy_with_no_price_at_all(setup):
    record = make_record("无定价", price="0.00")
    record.price = None
    record.save(update_fields=["price"])
    copy = make_copy(record, "L0000002", price=None)
    _lend(setup, copy.barcode, setup["now"])
    comp = services.compensation_report(copy_barcode=copy.barcode, kind="lost", by=setup["by"], now=setup["now"])
    assert comp.amount == CirculationSettings.current().lost_minimum == Decimal("10.00")


# --- enrolment after the rollover, a second way: through the rollover service --------------------


def test_enrolment_after_the_rollover(setup):
    six = SchoolClass.objects.create(entry_year=2020, number=1)  # 六年级 in 2025-2026
    five = SchoolClass.objects.create(entry_year=2021, number=1)  # 五年级
    for i in range(3):
        make_reader(f"六年级{i}", school_class=six, number=f"20200100{i}")
    for i in range(2):
        make_reader(f"五年级{i}", school_class=five, number=f"20210100{i}")
    # Before: 3 + 2 + 张小明 (三年级(2)班) = 6 pupils enrolled.
    june = date(2026, 6, 30)
    assert enrolled_students(june).count() == 6
    result = services.school_year_rollover(school_year=2026, by=setup["by"], now=aware(date(2026, 8, 20)))
    assert (result.graduated_classes, result.graduated_students, result.new_classes) == (1, 3, 1)
    # The new school year: the sixth grade left; the first grade is new and still empty.
    september = date(2026, 9, 10)
    assert enrolled_students(september).count() == 3
    assert set(enrolled_students(september).values_list("school_class__entry_year", flat=True)) == {2021, 2023}
    # The past is not rewritten: on 2026-06-30 the graduates were still pupils.
    assert enrolled_students(june).count() == 6
