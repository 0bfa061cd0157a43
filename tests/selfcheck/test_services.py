"""The kiosk's domain functions, without a socket."""

import pytest

from circulation import services as circulation
from selfcheck import services
from selfcheck.models import Kiosk
from tests.circulation.conftest import lending_term
from tests.conftest import make_reader


@pytest.fixture
def kiosk(db):
    kiosk = Kiosk(name="一楼自助机")
    kiosk.set_password("pass-1234")
    kiosk.save()
    return kiosk


def test_a_kiosk_logs_in_with_its_password_and_the_login_is_recorded(kiosk):
    assert services.kiosk_authenticate(name="一楼自助机", password="wrong") is None
    assert services.kiosk_authenticate(name="一楼自助机", password="pass-1234") == kiosk
    kiosk.refresh_from_db()
    assert kiosk.last_login_at is not None


def test_a_pupil_without_a_loan_policy_is_identified_but_may_not_borrow(school_class):
    pupil = make_reader("张小明", school_class=school_class)
    patron = services.patron_find(card_number=pupil.cards.get().number, pin=None, kiosk=None)
    assert patron.identified and patron.may_borrow == 0
    assert "没有适用于" in patron.blocks[0]


def test_a_cancelled_card_is_not_valid(school_class):
    lending_term()
    pupil = make_reader("张小明", school_class=school_class)
    circulation.card_cancel(card=pupil.cards.get())
    patron = services.patron_find(card_number=pupil.cards.get().number, pin=None, kiosk=None)
    assert not patron.valid and patron.blocks == ["此借书证已注销，不能使用"]


def test_a_pupil_without_a_login_needs_no_pin_even_where_the_kiosk_asks(kiosk, school_class):
    lending_term()
    Kiosk.objects.filter(pk=kiosk.pk).update(pin_policy=Kiosk.PinPolicy.ACCOUNT)
    kiosk.refresh_from_db()
    pupil = make_reader("张小明", school_class=school_class)
    patron = services.patron_find(card_number=pupil.cards.get().number, pin="", kiosk=kiosk)
    assert patron.identified and patron.pin_ok is None and patron.may_borrow == 2
