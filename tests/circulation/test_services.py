from datetime import date, timedelta
from decimal import Decimal

import pytest

from catalog.models import CopyStatus, CopyStatusChange
from circulation import exceptions as exc
from circulation import services
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
)
from tests.circulation.conftest import aware, make_copy, make_record
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db


def checkout(s, code, reader=None, **kw):
    return services.loan_checkout(reader=reader or s["reader"], copy_barcode=code, by=s["by"], now=s["now"], **kw)


# --- checkout ----------------------------------------------------------------------------


def test_checkout_makes_a_loan_with_the_class_and_grade_snapshot(setup):
    loan = checkout(setup, "A0000001")
    assert (loan.reader_kind, loan.school_class, loan.grade) == ("student", setup["reader"].school_class, 3)
    assert loan.due_date == date(2025, 11, 26)
    setup["c1"].refresh_from_db()
    assert setup["c1"].status == CopyStatus.ON_LOAN
    assert CopyStatusChange.objects.filter(copy=setup["c1"], to_status="on_loan").exists()
    assert CirculationEvent.objects.filter(action="checkout", loan=loan).exists()


def test_checkout_refuses_over_the_limit_and_logs_the_refusal(setup):
    checkout(setup, "A0000001")
    checkout(setup, "A0000003")
    with pytest.raises(exc.LoanLimitReached) as info:
        checkout(setup, "A0000002")
    assert "上限" in info.value.message
    assert Loan.objects.count() == 2
    assert CirculationEvent.objects.filter(action="refused", reader=setup["reader"]).count() == 1


def test_checkout_refuses_a_copy_on_loan_to_someone_else_and_names_them_for_staff(setup, school_class):
    checkout(setup, "A0000001")
    other = make_reader("李华", school_class=school_class, number="20230202")
    with pytest.raises(exc.CopyNotAvailable) as info:
        checkout(setup, "A0000001", reader=other)
    assert "张小明" in info.value.message


def test_checkout_refusal_hides_the_borrower_from_student_assistants(setup, school_class, assistant):
    checkout(setup, "A0000001")
    other = make_reader("李华", school_class=school_class, number="20230202")
    with pytest.raises(exc.CopyNotAvailable) as info:
        services.loan_checkout(reader=other, copy_barcode="A0000001", by=assistant, now=setup["now"])
    assert "张小明" not in info.value.message


def test_checkout_refuses_an_unknown_barcode(setup):
    with pytest.raises(exc.UnknownBarcode):
        checkout(setup, "NOPE")
    assert Loan.objects.count() == 0


def test_checkout_refuses_when_card_is_lost(setup):
    card = setup["reader"].cards.get()
    services.card_report_lost(card=card, by=setup["by"], now=setup["now"])
    with pytest.raises(exc.CardProblem) as info:
        checkout(setup, "A0000001")
    assert "挂失" in info.value.message


def test_checkout_refuses_copies_in_repair_withdrawn_or_reference_only(setup, assistant):
    setup["c1"].status = CopyStatus.REPAIR
    setup["c1"].save()
    with pytest.raises(exc.CopyNotAvailable, match="修补"):
        checkout(setup, "A0000001")
    make_copy(setup["record"], "R0000001", lendable=False)
    # A student assistant cannot lend a reference copy at all; a librarian is asked to confirm
    # (see test_checkout_warnings.py), so this is no longer a plain refusal for them.
    with pytest.raises(exc.CopyNotAvailable, match="不外借"):
        services.loan_checkout(reader=setup["reader"], copy_barcode="R0000001", by=assistant, now=setup["now"])
    with pytest.raises(exc.NeedsConfirmation, match="参考/阅览"):
        checkout(setup, "R0000001")


def test_checkout_refuses_when_reader_has_overdue_books(setup):
    checkout(setup, "A0000001")
    later = setup["now"] + timedelta(days=30)
    with pytest.raises(exc.ReaderBlocked, match="逾期"):
        services.loan_checkout(reader=setup["reader"], copy_barcode="A0000003", by=setup["by"], now=later)


def test_unpaid_compensation_blocks_loans(setup):
    checkout(setup, "A0000001")
    services.compensation_report(copy_barcode="A0000001", kind="lost", by=setup["by"], now=setup["now"])
    with pytest.raises(exc.ReaderBlocked, match="赔偿"):
        checkout(setup, "A0000003")


def test_vacation_loan_runs_past_term_end(setup):
    late = aware(date(2026, 1, 12))
    loan = services.loan_checkout(
        reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=late, allow_vacation=True
    )
    assert loan.due_date == date(2026, 1, 26) and loan.is_vacation
    normal = services.loan_checkout(reader=setup["reader"], copy_barcode="A0000003", by=setup["by"], now=late)
    assert normal.due_date == date(2026, 1, 20)


# --- return and holds --------------------------------------------------------------------


def test_return_reports_overdue_days(setup):
    checkout(setup, "A0000001")
    result = services.loan_return(copy_barcode="A0000001", by=setup["by"], now=aware(date(2025, 11, 29)))
    assert result.overdue_days == 3 and result.hold is None
    setup["c1"].refresh_from_db()
    assert setup["c1"].status == CopyStatus.ON_SHELF


def test_return_of_a_copy_not_on_loan_is_refused(setup):
    with pytest.raises(exc.NotOnLoan):
        services.loan_return(copy_barcode="A0000001", by=setup["by"], now=setup["now"])


def test_returned_copy_goes_to_the_first_in_the_queue(setup, teacher, other_teacher):
    checkout(setup, "A0000001")
    checkout(setup, "A0000002", confirm=True)  # the same title twice: confirmed
    first = services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    second = services.hold_place(
        record=setup["record"], reader=other_teacher.reader, by=other_teacher, now=setup["now"] + timedelta(minutes=1)
    )
    assert first.status == second.status == Hold.Status.WAITING
    result = services.loan_return(copy_barcode="A0000002", by=setup["by"], now=setup["now"])
    assert result.hold.pk == first.pk
    first.refresh_from_db()
    assert first.status == "ready" and first.copy == setup["c2"] and first.expires_on == date(2025, 11, 17)
    setup["c2"].refresh_from_db()
    assert setup["c2"].status == CopyStatus.ON_HOLD


def test_a_held_copy_is_lent_only_to_its_reader(setup, teacher, school_class):
    checkout(setup, "A0000001")
    services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    held = Hold.objects.get()
    assert held.status == "ready" and held.copy == setup["c2"]  # the shelf copy was kept at once
    other = make_reader("李华", school_class=school_class, number="20230202")
    with pytest.raises(exc.CopyReservedForOther):
        checkout(setup, "A0000002", reader=other)
    loan = checkout(setup, "A0000002", reader=teacher.reader)
    held.refresh_from_db()
    assert held.status == "fulfilled" and loan.reader == teacher.reader


def test_expired_hold_moves_to_the_next_reader(setup, teacher, other_teacher):
    checkout(setup, "A0000001")
    checkout(setup, "A0000003")
    h1 = services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    h2 = services.hold_place(
        record=setup["record"], reader=other_teacher.reader, by=other_teacher, now=setup["now"] + timedelta(minutes=1)
    )
    assert Hold.objects.get(pk=h1.pk).status == "ready"
    assert services.holds_expire(now=setup["now"] + timedelta(days=10)) == 1
    h1.refresh_from_db()
    h2.refresh_from_db()
    assert h1.status == "expired" and h2.status == "ready" and h2.copy == setup["c2"]


def test_cancelling_a_ready_hold_puts_the_copy_back_on_the_shelf(setup, teacher):
    hold = services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    services.hold_cancel(hold=hold, by=teacher, now=setup["now"])
    hold.refresh_from_db()
    assert hold.status == "cancelled"
    assert not type(setup["c1"]).objects.filter(status=CopyStatus.ON_HOLD).exists()


def test_hold_limit_and_duplicates_are_refused(setup, teacher):
    services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    with pytest.raises(exc.HoldRefused, match="已预约"):
        services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    reader = setup["reader"]
    services.hold_place(record=make_copy().record, reader=reader, now=setup["now"])
    services.hold_place(record=make_copy().record, reader=reader, now=setup["now"])
    with pytest.raises(exc.HoldRefused, match="上限"):
        services.hold_place(record=make_copy().record, reader=reader, now=setup["now"])


# --- renew -------------------------------------------------------------------------------


def test_renewal_is_a_renewal_row_and_respects_the_limit(setup):
    loan = checkout(setup, "A0000001")
    renewed = services.loan_renew(loan=loan, by=setup["by"], now=setup["now"] + timedelta(days=7))
    assert renewed.due_date == date(2025, 12, 10) and renewed.renewals == 1
    assert Renewal.objects.filter(loan=loan).count() == 1 and Loan.objects.count() == 1
    with pytest.raises(exc.RenewalRefused, match="上限"):
        services.loan_renew(loan=loan, by=setup["by"], now=setup["now"] + timedelta(days=8))


def test_renewal_refused_when_others_wait(setup, teacher):
    loan = checkout(setup, "A0000001")
    checkout(setup, "A0000002", reader=teacher.reader)
    services.hold_place(record=setup["record"], reader=make_reader("王五", kind="staff"), now=setup["now"])
    with pytest.raises(exc.RenewalRefused, match="预约"):
        services.loan_renew(loan=loan, by=setup["by"], now=setup["now"])


# --- cards -------------------------------------------------------------------------------


def test_card_lost_then_reissued_keeps_history(setup):
    reader = setup["reader"]
    old = reader.cards.get()
    services.card_report_lost(card=old, by=setup["by"], now=setup["now"])
    new = services.card_reissue(card=old, by=setup["by"], now=setup["now"])
    old.refresh_from_db()
    assert old.status == "replaced" and new.status == "valid" and new.number != old.number
    assert reader.cards.count() == 2
    with pytest.raises(exc.CardError):
        services.card_issue(reader=reader, by=setup["by"], now=setup["now"])


def test_card_issue_and_cancel(setup, school_class):
    reader = make_reader("无证", school_class=school_class, number="X1", card=False)
    card = services.card_issue(reader=reader, by=setup["by"], now=setup["now"])
    assert card.number == f"D{reader.pk:07d}"
    services.card_cancel(card=card, by=setup["by"], now=setup["now"])
    assert not LibraryCard.objects.filter(reader=reader, status="valid").exists()


# --- compensation ------------------------------------------------------------------------


def test_compensation_amounts_follow_the_rules(setup):
    copy = setup["c1"]  # price 25.00; lost ×2, minimum 10
    assert services.compensation_amount(copy, "lost") == Decimal("50.00")
    assert services.compensation_amount(copy, "soiled") == Decimal("12.50")
    assert services.compensation_amount(copy, "minor") == Decimal("5.00")
    cheap = make_copy(make_record("薄本", price="3.00"))
    assert services.compensation_amount(cheap, "lost") == Decimal("10.00")
    settings = CirculationSettings.current()
    settings.lost_multiplier = Decimal("3")
    settings.save()
    assert services.compensation_amount(copy, "lost") == Decimal("75.00")


def test_lost_book_closes_the_loan_and_writes_the_copy_off(setup):
    loan = checkout(setup, "A0000001")
    comp = services.compensation_report(copy_barcode="A0000001", kind="lost", by=setup["by"], now=setup["now"])
    loan.refresh_from_db()
    setup["c1"].refresh_from_db()
    assert loan.returned_at is not None and comp.reader == setup["reader"] and comp.amount == Decimal("50.00")
    assert setup["c1"].status == CopyStatus.LOST and setup["c1"].withdrawn_on is not None
    settled = services.compensation_settle(compensation=comp, status="paid", by=setup["by"], now=setup["now"])
    assert settled.paid_amount == Decimal("50.00") and settled.receipt_number
    with pytest.raises(exc.CompensationError):
        services.compensation_settle(compensation=comp, status="paid", by=setup["by"], now=setup["now"])


def test_damaged_book_goes_to_repair(setup):
    checkout(setup, "A0000001")
    comp = services.compensation_report(copy_barcode="A0000001", kind="minor", by=setup["by"], now=setup["now"])
    setup["c1"].refresh_from_db()
    assert setup["c1"].status == CopyStatus.REPAIR and comp.kind == Compensation.Kind.MINOR


# --- collective and rollover -------------------------------------------------------------


def test_collective_loan_runs_to_term_end_and_is_all_or_nothing(setup, school_class):
    loans = services.class_collective_checkout(
        school_class=school_class, barcodes=["A0000001", "A0000002"], by=setup["by"], now=setup["now"]
    )
    assert all(loan.is_collective and loan.due_date == date(2026, 1, 20) for loan in loans)
    assert loans[0].reader.kind == "collective"
    with pytest.raises(exc.CirculationError, match="NOPE"):
        services.class_collective_checkout(
            school_class=school_class, barcodes=["A0000003", "NOPE"], by=setup["by"], now=setup["now"]
        )
    assert Loan.objects.count() == 2
    # The refused batch is in the log, like a refusal at the desk (nothing of the batch was kept).
    refused = CirculationEvent.objects.get(action="refused")
    assert refused.reader == loans[0].reader and refused.by == setup["by"]
    assert refused.detail.startswith("三年级(2)班 集体借阅未办理") and "NOPE" in refused.detail
    assert not CirculationEvent.objects.filter(action="checkout", copy__barcode="A0000003").exists()


def test_a_refused_first_collective_loan_is_logged_without_a_book_corner_reader(setup, school_class):
    with pytest.raises(exc.CirculationError):
        services.class_collective_checkout(school_class=school_class, barcodes=["NOPE"], by=setup["by"])
    assert not Reader.objects.filter(kind="collective").exists()  # rolled back with the batch
    assert CirculationEvent.objects.get(action="refused").reader is None


def test_rollover_graduates_sixth_grade_after_books_are_back(setup):
    six = SchoolClass.objects.create(entry_year=2020, number=1)  # 六年级 in 2025-2026
    pupil = make_reader("毕业生", school_class=six, number="2020010001")
    checkout(setup, "A0000001", reader=pupil)
    summer = aware(date(2026, 8, 20))
    assert list(services.graduation_open_loans(2026).values_list("reader__name", flat=True)) == ["毕业生"]
    with pytest.raises(exc.RolloverError):
        services.school_year_rollover(school_year=2026, by=setup["by"], now=summer)
    services.loan_return(copy_barcode="A0000001", by=setup["by"], now=summer)
    result = services.school_year_rollover(school_year=2026, by=setup["by"], now=summer)
    six.refresh_from_db()
    pupil.refresh_from_db()
    assert not six.is_active and not pupil.is_active and result.graduated_students == 1
    assert SchoolClass.objects.filter(entry_year=2026).count() == 1
    loan = Loan.objects.get(reader=pupil)
    assert loan.grade == 6 and loan.school_class == six  # history unchanged
    assert Reader.objects.get(pk=setup["reader"].pk).is_active


def test_rollover_releases_the_copy_kept_for_a_graduating_pupil(setup, teacher):
    six = SchoolClass.objects.create(entry_year=2020, number=1)  # 六年级 in 2025-2026
    pupil = make_reader("毕业生", school_class=six, number="2020010001")
    kept = services.hold_place(record=setup["c3"].record, reader=pupil, by=setup["by"], now=setup["now"])
    checkout(setup, "A0000001")
    checkout(setup, "A0000002", reader=teacher.reader)
    waiting = services.hold_place(record=setup["record"], reader=pupil, by=setup["by"], now=setup["now"])
    assert (kept.status, kept.copy, waiting.status) == ("ready", setup["c3"], "waiting")
    services.school_year_rollover(school_year=2026, by=setup["by"], now=aware(date(2026, 8, 20)))
    assert set(Hold.objects.values_list("status", flat=True)) == {"cancelled"}
    # The copy kept on the hold shelf for the pupil goes back to the shelf: it was stuck "on hold"
    # for nobody, and the desk refused to lend it ("已为其他读者预约保留").
    setup["c3"].refresh_from_db()
    assert setup["c3"].status == CopyStatus.ON_SHELF
    assert checkout(setup, "A0000003").copy == setup["c3"]


def test_event_log_is_append_only(setup):
    from django.db import DatabaseError, transaction

    checkout(setup, "A0000001")
    event = CirculationEvent.objects.get(action="checkout")
    with pytest.raises(DatabaseError), transaction.atomic():
        CirculationEvent.objects.filter(pk=event.pk).update(detail="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        CirculationEvent.objects.filter(pk=event.pk).delete()


def test_taking_another_copy_fulfils_the_reservation_and_frees_the_kept_copy(setup, teacher, other_teacher):
    checkout(setup, "A0000001")
    services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])  # keeps A0000002
    services.hold_place(record=setup["record"], reader=other_teacher.reader, by=other_teacher, now=setup["now"])
    make_copy(setup["record"], "A0000004")
    services.loan_checkout(reader=teacher.reader, copy_barcode="A0000004", by=setup["by"], now=setup["now"])
    holds = {h.reader.name: h for h in Hold.objects.select_related("reader", "copy")}
    assert holds["王老师"].status == "fulfilled"
    assert holds["赵老师"].status == "ready" and holds["赵老师"].copy.barcode == "A0000002"


def test_a_copy_back_from_repair_goes_to_the_first_waiting_reservation(setup, teacher):
    from catalog.models import CopyStatus
    from catalog.services import copy_set_repair
    from circulation.models import Hold

    record = make_record("窗边的小豆豆")
    copy = make_copy(record, "R0000001", status=CopyStatus.REPAIR)
    hold = Hold.objects.create(record=record, reader=teacher.reader, placed_at=setup["now"])
    copy_set_repair(copy=copy, repair=False, by=setup["by"], now=setup["now"])
    hold.refresh_from_db()
    copy.refresh_from_db()
    assert hold.status == Hold.Status.READY and hold.copy == copy
    assert copy.status == CopyStatus.ON_HOLD
