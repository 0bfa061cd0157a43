"""Warnings before a loan (same title, reading level, reference copy): the librarian confirms."""

import pytest
from django.urls import reverse

from circulation import exceptions as exc
from circulation import services
from circulation.models import CirculationEvent, Loan
from tests.circulation.conftest import make_copy, make_record

pytestmark = pytest.mark.django_db


def checkout(s, code, **kw):
    kw.setdefault("by", s["by"])
    return services.loan_checkout(reader=s["reader"], copy_barcode=code, now=s["now"], **kw)


def test_the_same_title_already_on_loan_asks_first_and_is_not_a_refusal(setup):
    checkout(setup, "A0000001")
    with pytest.raises(exc.NeedsConfirmation, match="张小明 已借有一本《小王子》"):
        checkout(setup, "A0000002")
    assert Loan.objects.count() == 1
    assert not CirculationEvent.objects.filter(action="refused").exists()


def test_a_confirmed_warning_lends_and_the_log_says_what_was_confirmed(setup):
    checkout(setup, "A0000001")
    loan = checkout(setup, "A0000002", confirm=True)
    event = CirculationEvent.objects.get(action="checkout", loan=loan)
    assert "已确认" in event.detail and "已借有一本《小王子》" in event.detail


def test_a_different_title_gives_no_warning(setup):
    checkout(setup, "A0000001")
    assert checkout(setup, "A0000003").copy.record.title == "西游记"
    assert CirculationEvent.objects.get(action="checkout", copy__barcode="A0000003").detail == ""


def test_a_returned_copy_of_the_title_gives_no_warning(setup):
    checkout(setup, "A0000001")
    services.loan_return(copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    assert checkout(setup, "A0000002").copy.barcode == "A0000002"


@pytest.mark.parametrize(
    "level, warned", [("lower", False), ("middle", False), ("upper", True), ("junior", True), ("teacher", True)]
)
def test_a_book_above_the_pupils_grade_asks_first(setup, level, warned):
    # The pupil is in 三年级 (grade 3): 中年级 (3–4) is fine, 高年级 (5–6) and above are not.
    record = make_record("时间简史")
    record.reader_level = level
    record.save()
    make_copy(record, "B0000001")
    if warned:
        with pytest.raises(exc.NeedsConfirmation, match="适读对象") as info:
            checkout(setup, "B0000001")
        assert "三年级(2)班" in info.value.message
        assert checkout(setup, "B0000001", confirm=True).copy.barcode == "B0000001"
    else:
        assert checkout(setup, "B0000001").copy.barcode == "B0000001"


def test_the_reading_level_does_not_apply_to_teachers(setup, teacher):
    record = make_record("教学参考")
    record.reader_level = "teacher"
    record.save()
    make_copy(record, "B0000002")
    loan = services.loan_checkout(reader=teacher.reader, copy_barcode="B0000002", by=setup["by"], now=setup["now"])
    assert loan.reader_id == teacher.reader.pk


def test_a_reference_copy_asks_a_librarian_and_is_refused_to_an_assistant(setup, assistant):
    make_copy(setup["record"], "R0000001", lendable=False)
    with pytest.raises(exc.CopyNotAvailable, match="只供阅览"):
        checkout(setup, "R0000001", by=assistant)
    with pytest.raises(exc.NeedsConfirmation, match="参考/阅览"):
        checkout(setup, "R0000001")
    with pytest.raises(exc.CopyNotAvailable):
        checkout(setup, "R0000001", by=assistant, confirm=True)
    loan = checkout(setup, "R0000001", confirm=True)
    assert "参考/阅览" in CirculationEvent.objects.get(action="checkout", loan=loan).detail


def test_several_warnings_are_listed_together(setup):
    checkout(setup, "A0000001")
    setup["record"].reader_level = "senior"
    setup["record"].save()
    with pytest.raises(exc.NeedsConfirmation) as info:
        checkout(setup, "A0000002")
    assert len(info.value.warnings) == 2


# --- at the desk: a second scan of the same barcode, or the 确认借出 button ------------------

SCAN = reverse("circulation:desk_scan")


def _desk(client, setup):
    client.force_login(setup["by"])
    card = setup["reader"].cards.get()
    client.post(SCAN, {"code": card.number, "mode": "checkout"}, HTTP_HX_REQUEST="true")


def _post(client, setup, code, confirm=""):
    data = {"code": code, "mode": "checkout", "reader": setup["reader"].pk, "confirm": confirm}
    return client.post(SCAN, data, HTTP_HX_REQUEST="true").content.decode()


def test_the_desk_shows_the_warning_with_reader_and_book_and_a_confirm_button(client, setup):
    _desk(client, setup)
    _post(client, setup, "A0000001")
    body = _post(client, setup, "A0000002")
    assert "请确认 · 读者：张小明 · 图书：《小王子》（A0000002）" in body and 'data-tone="warn"' in body
    assert 'data-testid="desk-confirm-button"' in body and 'id="desk-confirm" name="confirm" value="A0000002"' in body
    assert Loan.objects.count() == 1


def test_scanning_the_same_barcode_again_confirms(client, setup):
    _desk(client, setup)
    _post(client, setup, "A0000001")
    _post(client, setup, "A0000002")
    body = _post(client, setup, "A0000002", confirm="A0000002")
    assert "张小明 已借出《小王子》（A0000002）" in body
    assert Loan.objects.filter(copy__barcode="A0000002").exists()


def test_a_confirmation_is_only_for_the_barcode_it_was_asked_for(client, setup):
    _desk(client, setup)
    _post(client, setup, "A0000001")
    body = _post(client, setup, "A0000002", confirm="A0000009")
    assert "请确认" in body and not Loan.objects.filter(copy__barcode="A0000002").exists()
