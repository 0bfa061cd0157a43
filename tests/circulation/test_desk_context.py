"""Who the desk's current reader is: only a card, an exact 学号 or a pick from the list sets it;
and what a student assistant may see there."""

import pytest
from django.urls import reverse

from circulation import services
from circulation.models import Loan
from circulation.views.desk import DESK_READER
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db

SCAN = reverse("circulation:desk_scan")


def post(client, code, reader=None, mode="checkout"):
    data = {"code": code, "mode": mode, "reader": reader.pk if reader else ""}
    return client.post(SCAN, data, HTTP_HX_REQUEST="true")


def card_of(reader):
    return reader.cards.get().number


def test_an_empty_enter_changes_nothing(client, setup):
    client.force_login(setup["by"])
    post(client, card_of(setup["reader"]))
    response = post(client, "   ", setup["reader"])
    assert response.status_code == 204 and response.content == b""
    assert client.session[DESK_READER] == setup["reader"].pk


def test_an_exact_student_number_selects_the_reader(client, setup):
    client.force_login(setup["by"])
    body = post(client, "20230201").content.decode()
    assert "读者：张小明" in body and 'id="desk-reader" name="reader" value="%s"' % setup["reader"].pk in body
    assert client.session[DESK_READER] == setup["reader"].pk


def test_a_return_never_changes_the_checkout_reader(client, setup, school_class):
    other = make_reader("金航晨", school_class=school_class, number="20230203")
    services.loan_checkout(reader=other, copy_barcode="A0000003", by=setup["by"], now=setup["now"])
    client.force_login(setup["by"])
    post(client, card_of(setup["reader"]))
    body = post(client, "A0000003", setup["reader"], mode="return").content.decode()
    assert "已还《西游记》（A0000003） · 读者：金航晨" in body
    assert 'id="desk-reader"' not in body  # the page's checkout reader is left as it is
    assert client.session[DESK_READER] == setup["reader"].pk
    # Back to lending (F2): the panel of the reader who was there before, and the screen says so.
    resumed = client.get(reverse("circulation:desk_reader", args=[setup["reader"].pk]), {"resume": "1"})
    assert "当前读者仍是 张小明（还书前的读者）" in resumed.content.decode()
    body = post(client, "A0000001", setup["reader"]).content.decode()
    assert "张小明 已借出《小王子》（A0000001）" in body
    assert Loan.objects.get(copy__barcode="A0000001", returned_at__isnull=True).reader == setup["reader"]


def test_a_refusal_names_the_reader_and_the_book(client, setup, school_class):
    other = make_reader("金航晨", school_class=school_class, number="20230203")
    services.loan_checkout(reader=other, copy_barcode="A0000003", by=setup["by"], now=setup["now"])
    client.force_login(setup["by"])
    post(client, card_of(setup["reader"]))
    body = post(client, "A0000003", setup["reader"]).content.decode()
    assert "拒借 · 读者：张小明 · 图书：《西游记》（A0000003）" in body


def test_a_blocked_reader_gets_the_same_warning_by_card_by_number_and_by_name(client, setup):
    card = setup["reader"].cards.get()
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    services.compensation_report(copy_barcode="A0000001", kind="lost", by=setup["by"], now=setup["now"])
    client.force_login(setup["by"])
    by_card = post(client, card.number).content.decode()
    by_number = post(client, "20230201").content.decode()
    pick = reverse("circulation:desk_reader_select", args=[setup["reader"].pk])
    assert pick in post(client, "张小").content.decode()
    by_name = client.post(pick, HTTP_HX_REQUEST="true").content.decode()
    warning = "读者：张小明 · 注意：有未处理的赔偿或逾期费"
    for body in (by_card, by_number, by_name):
        assert warning in body and 'data-tone="warn"' in body


def test_two_name_matches_are_listed_and_the_reader_stays(client, setup, school_class):
    make_reader("张小红", school_class=school_class, number="20230204")
    client.force_login(setup["by"])
    post(client, card_of(setup["reader"]))
    response = post(client, "张小", setup["reader"])
    body = response.content.decode()
    assert "找到 2 位读者，请选择（当前读者不变）" in body and body.count('data-testid="pick-reader"') == 2
    assert response["HX-Reswap"] == "none" and 'id="desk-reader"' not in body
    assert client.session[DESK_READER] == setup["reader"].pk


def test_a_page_showing_another_reader_than_the_desk_session_lends_nothing(client, setup, school_class):
    other = make_reader("金航晨", school_class=school_class, number="20230203")
    client.force_login(setup["by"])
    post(client, card_of(setup["reader"]))
    post(client, card_of(other))  # e.g. in a second tab
    body = post(client, "A0000001", setup["reader"]).content.decode()
    assert "当前读者已变更" in body and not Loan.objects.exists()


def test_the_idle_timeout_is_a_setting_the_page_uses(client, setup):
    from circulation.models import CirculationSettings

    settings = CirculationSettings.current()
    settings.desk_idle_minutes = 5
    settings.save()
    client.force_login(setup["by"])
    page = client.get(reverse("circulation:desk")).content.decode()
    assert 'data-idle-minutes="5"' in page and "超过 5 分钟无操作" in page


# --- a student assistant ---------------------------------------------------------------------


def test_an_assistant_sees_a_panel_only_after_scanning_the_card(client, setup, assistant):
    client.force_login(assistant)
    url = reverse("circulation:desk_reader", args=[setup["reader"].pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("circulation:desk"), {"reader": setup["reader"].pk}).status_code == 403
    post(client, card_of(setup["reader"]))
    assert "张小明" in client.get(url).content.decode()


def test_an_assistant_may_type_the_student_number_but_not_search_names(client, setup, assistant):
    client.force_login(assistant)
    body = post(client, "张小明").content.decode()
    assert "学生助理请扫描借书证或输入完整学号" in body and "pick-reader" not in body
    assert "读者：张小明" in post(client, "20230201").content.decode()


def test_an_assistant_returning_a_book_does_not_see_an_unscanned_borrower(client, setup, assistant):
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    client.force_login(assistant)
    body = post(client, "A0000001", mode="return").content.decode()
    assert "已还《小王子》" in body and "张小明" not in body and 'data-testid="reader-loans"' not in body


def test_an_assistant_cannot_renew_an_unscanned_readers_loan(client, setup, assistant):
    loan = services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    client.force_login(assistant)
    assert client.post(reverse("circulation:desk_renew", args=[loan.pk])).status_code == 403


def test_a_librarian_keeps_todays_access(client, setup):
    client.force_login(setup["by"])
    assert client.get(reverse("circulation:desk_reader", args=[setup["reader"].pk])).status_code == 200


def test_the_idle_minutes_are_set_on_the_settings_page(client, setup):
    from circulation.forms import SettingsForm
    from circulation.models import CirculationSettings

    data = {k: v for k, v in SettingsForm(instance=CirculationSettings.current()).initial.items() if v is not None}
    client.force_login(setup["by"])
    client.post(reverse("circulation:settings"), {**data, "desk_idle_minutes": "7"})
    assert CirculationSettings.current().desk_idle_minutes == 7
    body = client.post(reverse("circulation:settings"), {**data, "desk_idle_minutes": "0"}).content.decode()
    assert CirculationSettings.current().desk_idle_minutes == 7 and "desk_idle_minutes" in body
