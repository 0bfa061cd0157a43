"""The SIP2 server over a real socket: every message a self-service machine sends, on the desk's
own rules, each action logged with the machine's name as the desk."""

import pytest
from django.utils import timezone

from circulation import services as circulation
from circulation.models import CirculationEvent, Compensation, Hold, LibraryCard, Loan
from selfcheck.models import Kiosk
from tests.circulation.conftest import make_copy, make_record
from tests.conftest import PASSWORD, make_reader, make_user

from .conftest import KIOSK_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pupil(school_class):
    return make_reader("张小明", school_class=school_class, number="20230201")


def card_of(reader) -> str:
    return reader.cards.get(status=LibraryCard.Status.VALID).number


def test_login_with_a_wrong_password_is_refused_and_nothing_else_is_served(connect, kiosk):
    client = connect()
    assert client.login(kiosk.name, "wrong").fixed["ok"] == "0"
    assert client.status().fixed["online_status"] == "N"
    assert client.checkin("0001").fixed["ok"] == "0"


def test_an_inactive_kiosk_cannot_log_in(connect, kiosk):
    Kiosk.objects.filter(pk=kiosk.pk).update(is_active=False)
    assert connect().login(kiosk.name, KIOSK_PASSWORD).fixed["ok"] == "0"


def test_sc_status_says_online_and_lists_what_is_supported(machine):
    response = machine.status()
    assert response.fixed["online_status"] == "Y" and response.fixed["protocol_version"] == "2.00"
    assert response.get("BX") == "YYYNYYYYYNYNNNYY"


def test_checkout_lends_the_book_and_logs_the_kiosk_as_desk(machine, kiosk, term, pupil):
    make_copy(make_record("草房子"), "B0000001")
    response = machine.checkout(card_of(pupil), "B0000001")
    assert response.fixed["ok"] == "1" and response.get("AJ") == "草房子"
    assert "借书成功" in response.get("AF")
    loan = Loan.objects.get(copy__barcode="B0000001", returned_at__isnull=True)
    assert loan.reader == pupil and loan.desk == kiosk.name
    assert CirculationEvent.objects.get(action="checkout").desk == kiosk.name


def test_checkout_over_the_limit_is_refused_in_chinese_and_logged(machine, kiosk, term, pupil):
    for code in ("B1", "B2", "B3"):
        make_copy(make_record(f"书{code}"), code)
    machine.checkout(card_of(pupil), "B1")
    machine.checkout(card_of(pupil), "B2")
    response = machine.checkout(card_of(pupil), "B3")
    assert response.fixed["ok"] == "0" and "达到上限" in response.get("AF")
    assert CirculationEvent.objects.get(action="refused").desk == kiosk.name


def test_a_book_reserved_for_another_pupil_is_not_lent(machine, term, pupil, school_class):
    other = make_reader("李华", school_class=school_class, number="20230202")
    copy = make_copy(make_record("城南旧事"), "B0000009")
    circulation.hold_place(reader=other, record=copy.record)
    response = machine.checkout(card_of(pupil), "B0000009")
    assert response.fixed["ok"] == "0" and "预约" in response.get("AF")


def test_a_book_the_desk_would_confirm_is_refused_with_a_pointer_to_the_desk(machine, term, pupil):
    record = make_record("草房子")
    make_copy(record, "B0000021")
    make_copy(record, "B0000022")
    machine.checkout(card_of(pupil), "B0000021")
    response = machine.checkout(card_of(pupil), "B0000022")
    assert (
        response.fixed["ok"] == "0" and "已借有一本《草房子》" in response.get("AF") and "服务台" in response.get("AF")
    )
    assert Loan.objects.count() == 1


def test_a_lost_card_is_refused_even_when_the_reader_has_a_new_one(machine, term, pupil):
    old = pupil.cards.get()
    circulation.card_report_lost(card=old)
    make_copy(make_record(), "B0000002")
    status = machine.patron_status(old.number)
    assert status.get("BL") == "N" and status.fixed["patron_status"][4] == "Y"
    response = machine.checkout(old.number, "B0000002")
    assert response.fixed["ok"] == "0" and "挂失" in response.get("AF")
    circulation.card_reissue(card=LibraryCard.objects.get(pk=old.pk))
    assert "旧证不能使用" in machine.checkout(old.number, "B0000002").get("AF")
    assert machine.checkout(card_of(pupil), "B0000002").fixed["ok"] == "1"


def test_a_cancelled_card_is_refused(machine, term, pupil):
    card = pupil.cards.get()
    circulation.card_cancel(card=card)
    make_copy(make_record(), "B0000003")
    status = machine.patron_status(card.number)
    assert status.get("BL") == "N"
    response = machine.checkout(card.number, "B0000003")
    assert response.fixed["ok"] == "0" and "注销" in response.get("AF")
    assert not Loan.objects.filter(copy__barcode="B0000003").exists()


def test_an_unknown_card_is_not_a_valid_patron(machine, term):
    response = machine.patron_status("NOPE")
    assert response.get("BL") == "N" and response.fixed["patron_status"][0] == "Y"


def test_patron_status_gives_the_blocked_reasons_in_chinese(machine, term, pupil):
    copy = make_copy(make_record(), "B0000003")
    Compensation.objects.create(copy=copy, reader=pupil, kind="lost", amount="20.00", reported_at=timezone.now())
    response = machine.patron_status(card_of(pupil))
    assert response.get("BL") == "Y" and response.get("AE") == "张小明"
    assert "未处理的赔偿" in response.get("AF") and response.fixed["patron_status"][0] == "Y"
    assert response.get("BV") == "20.00"


def test_patron_information_lists_loans_overdue_and_holds(machine, term, pupil):
    make_copy(make_record("草房子"), "B0000004")
    machine.checkout(card_of(pupil), "B0000004")
    waiting = make_copy(make_record("青铜葵花"), "B0000005")
    circulation.loan_checkout(reader=make_reader("王五", kind="teacher"), copy_barcode="B0000005")
    circulation.hold_place(reader=pupil, record=waiting.record)
    response = machine.patron_information(card_of(pupil), summary="  Y  Y    ")
    assert response.fixed["charged_items_count"] == "0001"
    assert response.fixed["unavailable_holds_count"] == "0001"
    assert response.get_all("AU") == ["B0000004"] and response.get_all("CD") == ["青铜葵花"]
    assert response.get("CB") == "0002" and "还可以借 1 册" in response.get("AF")


def test_patron_information_lists_only_what_the_summary_asks(machine, term, pupil):
    make_copy(make_record(), "B0000006")
    machine.checkout(card_of(pupil), "B0000006")
    assert machine.patron_information(card_of(pupil)).get_all("AU") == []


def test_item_information_for_a_copy_on_loan_and_an_unknown_one(machine, term, pupil):
    make_copy(make_record("草房子"), "B0000007")
    machine.checkout(card_of(pupil), "B0000007")
    item = machine.item_information("B0000007")
    assert item.fixed["circulation_status"] == "04" and item.get("AJ") == "草房子" and item.get("AH")
    missing = machine.item_information("NOPE")
    assert missing.fixed["circulation_status"] == "01" and "不存在" in missing.get("AF")


def test_checkin_returns_the_book_and_routes_a_reserved_one_to_the_hold_shelf(
    machine, kiosk, term, pupil, school_class
):
    copy = make_copy(make_record("城南旧事"), "B0000008")
    machine.checkout(card_of(pupil), "B0000008")
    other = make_reader("李华", school_class=school_class, number="20230202")
    circulation.hold_place(reader=other, record=copy.record)
    response = machine.checkin("B0000008")
    assert response.fixed["ok"] == "1" and response.fixed["alert"] == "Y" and response.get("CL") == "HOLD"
    assert "预约书架" in response.get("AF") and "李华" not in response.get("AF")
    assert Hold.objects.get(reader=other).status == Hold.Status.READY
    assert CirculationEvent.objects.get(action="return").desk == kiosk.name


def test_checkin_of_a_book_not_on_loan_is_refused(machine, term):
    make_copy(make_record(), "B0000010")
    response = machine.checkin("B0000010")
    assert response.fixed["ok"] == "0" and "无需归还" in response.get("AF")


def test_renew_and_renew_all(machine, kiosk, term, pupil):
    make_copy(make_record("草房子"), "B0000011")
    make_copy(make_record("青铜葵花"), "B0000012")
    machine.checkout(card_of(pupil), "B0000011")
    machine.checkout(card_of(pupil), "B0000012")
    renewed = machine.renew(card_of(pupil), "B0000011")
    assert renewed.fixed["ok"] == "1" and "续借成功" in renewed.get("AF")
    response = machine.renew_all(card_of(pupil))
    # The student policy allows one renewal: the first book has had it.
    assert response.get_all("BM") == ["B0000012"] and response.get_all("BN") == ["B0000011"]
    assert response.fixed["renewed_count"] == "0001" and response.fixed["unrenewed_count"] == "0001"
    # Both renewals (29, then 65 for the other book) are logged with the machine's name as the desk.
    renewals = CirculationEvent.objects.filter(action=CirculationEvent.Action.RENEW)
    assert sorted(renewals.values_list("copy__barcode", flat=True)) == ["B0000011", "B0000012"]
    assert set(renewals.values_list("desk", flat=True)) == {kiosk.name}


def test_renewing_someone_elses_book_is_refused(machine, term, pupil, school_class):
    other = make_reader("李华", school_class=school_class, number="20230202")
    make_copy(make_record(), "B0000013")
    machine.checkout(card_of(other), "B0000013")
    assert machine.renew(card_of(pupil), "B0000013").fixed["ok"] == "0"


def test_end_session_and_fee_paid_refused_politely(machine, pupil):
    assert machine.end_session(card_of(pupil)).fixed["end_session"] == "Y"
    fee = machine.fee_paid(card_of(pupil), "5.00")
    assert fee.fixed["payment_accepted"] == "N" and "服务台" in fee.get("AF")


def test_a_teacher_must_give_their_password_where_the_kiosk_asks_for_one(machine, kiosk, term):
    Kiosk.objects.filter(pk=kiosk.pk).update(pin_policy=Kiosk.PinPolicy.ACCOUNT)
    user = make_user("teacher9", None)
    reader = make_reader("王老师", kind="teacher", user=user, number="T0009")
    make_copy(make_record(), "B0000014")
    machine.login(kiosk.name, KIOSK_PASSWORD)  # the policy is read at login
    wrong = machine.checkout(card_of(reader), "B0000014", pin="nope")
    assert wrong.fixed["ok"] == "0" and "密码错误" in wrong.get("AF")
    assert machine.patron_status(card_of(reader), pin="nope").get("CQ") == "N"
    assert machine.checkout(card_of(reader), "B0000014", pin=PASSWORD).fixed["ok"] == "1"


def test_a_gb18030_kiosk_logs_in_and_gets_chinese_in_gb18030(connect, kiosk, term, pupil):
    Kiosk.objects.filter(pk=kiosk.pk).update(encoding="gb18030")
    client = connect(encoding="gb18030")
    assert client.login(kiosk.name, KIOSK_PASSWORD).fixed["ok"] == "1"  # its Chinese name in GB18030
    assert client.patron_status(card_of(pupil)).get("AE") == "张小明"


def test_without_checksums_the_response_has_none(connect, kiosk):
    client = connect(checksums=False)
    client.login(kiosk.name, KIOSK_PASSWORD)
    client.send_raw(b"9900802.00\r")
    raw = client.sock.recv(4096)
    assert raw.startswith(b"98") and b"AZ" not in raw


def test_the_sequence_number_is_echoed_and_97_repeats_the_last_response(machine):
    machine.sequence = 6
    assert machine.status().sequence == 6
    machine.send_raw(b"97\r")
    again = machine.read()
    assert again.code == "98" and again.sequence == 6
