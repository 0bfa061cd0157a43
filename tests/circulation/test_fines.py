"""Overdue fines: off by default; where a loan policy charges one, a late return records it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from circulation import exceptions as exc
from circulation import services
from circulation.models import CirculationEvent, Compensation, Loan, LoanPolicy
from tests.circulation.conftest import aware

pytestmark = pytest.mark.django_db


def _late_loan(setup, barcode="A0000001", days_late=9):
    """A loan of `barcode` to the pupil whose due date passed `days_late` days before the fixture day."""
    services.loan_checkout(reader=setup["reader"], copy_barcode=barcode, by=setup["by"], now=setup["now"])
    loan = Loan.objects.get(copy__barcode=barcode, returned_at__isnull=True)
    loan.checked_out_at = aware(date(2025, 10, 20))
    loan.due_date = setup["now"].date() - timedelta(days=days_late)
    loan.save()
    return loan


def _charge(amount="0.10"):
    LoanPolicy.objects.filter(reader_kind="student").update(fine_per_day=Decimal(amount))


def test_no_fine_by_default(setup):
    _late_loan(setup)
    result = services.loan_return(copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    assert result.overdue_days == 9 and result.fine is None
    assert not Compensation.objects.exists()


def test_a_late_return_is_fined_days_times_the_rate(setup):
    _charge("0.10")
    loan = _late_loan(setup)
    result = services.loan_return(copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    fine = Compensation.objects.get()
    assert result.fine == fine
    assert (fine.kind, fine.amount, fine.status, fine.loan, fine.reader) == (
        "overdue",
        Decimal("0.90"),
        "unpaid",
        loan,
        setup["reader"],
    )
    assert fine.note == "逾期 9 天 × ¥0.10"
    assert CirculationEvent.objects.filter(action="compensation", detail="逾期费 ¥0.90").exists()
    # The copy itself is back on the shelf: a fine is not damage.
    setup["c1"].refresh_from_db()
    assert setup["c1"].status == "on_shelf"


def test_an_on_time_return_and_teachers_without_a_rate_pay_nothing(setup, teacher):
    _charge("0.10")
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    assert services.loan_return(copy_barcode="A0000001", by=setup["by"], now=setup["now"]).fine is None
    services.loan_checkout(reader=teacher.reader, copy_barcode="A0000003", by=setup["by"], now=setup["now"])
    late = setup["now"] + timedelta(days=100)
    assert services.loan_return(copy_barcode="A0000003", by=setup["by"], now=late).overdue_days > 0
    assert not Compensation.objects.exists()


def test_an_unpaid_fine_blocks_loans_until_it_is_paid_or_waived(setup):
    _charge("0.50")
    _late_loan(setup)
    services.loan_return(copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    with pytest.raises(exc.ReaderBlocked, match="有未处理的赔偿或逾期费"):
        services.loan_checkout(reader=setup["reader"], copy_barcode="A0000003", by=setup["by"], now=setup["now"])
    fine = Compensation.objects.get()
    with pytest.raises(exc.CompensationError, match="逾期费只能收款或免除"):
        services.compensation_settle(compensation=fine, status="replaced", by=setup["by"])
    services.compensation_settle(compensation=fine, status="waived", note="家庭困难", by=setup["by"])
    loan = services.loan_checkout(reader=setup["reader"], copy_barcode="A0000003", by=setup["by"], now=setup["now"])
    assert loan.pk


def test_a_fine_does_not_stop_the_copy_being_reported_lost_later(setup, school_class):
    from tests.conftest import make_reader

    _charge("0.10")
    _late_loan(setup)
    services.loan_return(copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    other = make_reader("李华", school_class=school_class, number="20230299")
    services.loan_checkout(reader=other, copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    lost = services.compensation_report(copy_barcode="A0000001", kind="lost", by=setup["by"], now=setup["now"])
    assert lost.reader == other and lost.amount == Decimal("50.00")
    with pytest.raises(exc.CompensationError, match="请选择赔偿类型"):
        services.compensation_report(copy_barcode="A0000002", kind="overdue", reader=other, by=setup["by"])


def test_the_desk_says_what_a_late_return_costs(client, setup):
    _charge("0.10")
    _late_loan(setup)
    client.force_login(setup["by"])
    body = client.post(reverse("circulation:desk_scan"), {"code": "A0000001", "mode": "return"}).content.decode()
    fine = Compensation.objects.get()
    assert "逾期 9 天" in body and "逾期费 ¥0.90（未缴）" in body
    assert reverse("circulation:compensation_detail", args=[fine.pk]) in body
    detail = client.get(reverse("circulation:compensation_detail", args=[fine.pk])).content.decode()
    assert "逾期费" in detail and 'value="replaced"' not in detail and 'value="waived"' in detail
    client.post(reverse("circulation:compensation_settle", args=[fine.pk]), {"status": "paid", "paid_amount": "0.90"})
    receipt = client.get(reverse("circulation:compensation_receipt", args=[fine.pk])).content.decode()
    assert "逾期费收据" in receipt and "逾期 9 天 × ¥0.10" in receipt and "¥0.90" in receipt


def test_the_fine_is_set_on_the_loan_policy_page(client, setup):
    client.force_login(setup["by"])
    policy = LoanPolicy.objects.get(reader_kind="student")
    data = {
        "name": policy.name,
        "reader_kind": "student",
        "max_items": 2,
        "loan_days": 14,
        "max_renewals": 1,
        "renewal_days": 14,
        "overdue_blocks": "on",
        "unpaid_blocks": "on",
        "max_holds": 2,
        "fine_per_day": "-1",
    }
    url = reverse("circulation:policy_edit", args=[policy.pk])
    assert "大于或等于" in client.post(url, data).content.decode()  # Django's own message, in Chinese
    policy.refresh_from_db()
    assert policy.fine_per_day == 0
    client.post(url, {**data, "fine_per_day": "0.10"})
    policy.refresh_from_db()
    assert policy.fine_per_day == Decimal("0.10")
    listing = client.get(reverse("circulation:policies")).content.decode()
    assert 'data-testid="fine-%s">0.10<' % policy.pk in listing


def test_the_policies_read_with_the_reader_equal_the_stored_ones(setup):
    _charge("0.35")
    state = services.reader_state(setup["reader"].pk, setup["now"].date())
    stored = list(LoanPolicy.objects.filter(reader_kind="student").order_by("pk"))
    fields = [f.attname for f in LoanPolicy._meta.concrete_fields]
    assert [[getattr(p, f) for f in fields] for p in state.kind_policies] == [
        [getattr(p, f) for f in fields] for p in stored
    ]
    assert state.kind_policies[0].fine_per_day == Decimal("0.35")
