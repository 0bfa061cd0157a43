"""The self-check page as a kiosk, and nobody else, uses it."""

import pytest
from django.urls import reverse

from circulation import services as circulation
from circulation.models import CirculationEvent, LibraryCard, Loan
from library import roles
from tests.circulation.conftest import lending_term, make_copy, make_record
from tests.conftest import make_reader, make_user

POST_VIEWS = ["selfcheck:card", "selfcheck:scan", "selfcheck:finish", "selfcheck:end"]


@pytest.fixture
def kiosk_user(db):
    return make_user("kiosk1", roles.KIOSK, first_name="图书馆自助机")


@pytest.fixture
def pupil(school_class):
    lending_term()
    return make_reader("张小明", school_class=school_class, number="20230201")


@pytest.fixture
def at_kiosk(client, kiosk_user):
    client.force_login(kiosk_user)
    return client


def card_of(reader):
    return LibraryCard.objects.get(reader=reader, status="valid").number


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("selfcheck:kiosk"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["selfcheck:kiosk", *POST_VIEWS])
def test_other_roles_are_refused(client, librarian, name):
    client.force_login(librarian)
    assert client.post(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", POST_VIEWS)
def test_get_on_a_mutating_view_is_405(at_kiosk, name):
    assert at_kiosk.get(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", POST_VIEWS)
def test_garbage_posts_do_not_break(at_kiosk, name):
    response = at_kiosk.post(reverse(name), {"card": "x" * 500, "barcode": "\x00", "mode": "steal"})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("path", ["/home/", "/dashboard/", "/circulation/desk/", "/", "/my/", "/admin/"])
def test_a_kiosk_sees_nothing_but_its_page(at_kiosk, path):
    response = at_kiosk.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("selfcheck:kiosk")


def test_the_browsers_icon_fetch_does_not_eat_the_scan_result(at_kiosk, pupil):
    """Chromium fetches /favicon.ico beside each page; sent on to the kiosk page, that fetch took the
    one-time result out of the session before the pupil's own page could show it."""
    make_copy(make_record("草房子"), "K0000001")
    at_kiosk.post(reverse("selfcheck:card"), {"card": card_of(pupil)})
    at_kiosk.post(reverse("selfcheck:scan"), {"barcode": "K0000001", "mode": "borrow"})
    icon = at_kiosk.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("favicon.svg")
    assert "借书成功" in at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()


def test_a_pupil_borrows_and_returns_and_gets_a_receipt(at_kiosk, pupil, kiosk_user):
    make_copy(make_record("草房子"), "K0000001")
    at_kiosk.post(reverse("selfcheck:card"), {"card": card_of(pupil)})
    page = at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()
    assert "张小明" in page and "还可以借 2 册" in page
    at_kiosk.post(reverse("selfcheck:scan"), {"barcode": "K0000001", "mode": "borrow"})
    assert "借书成功" in at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()
    loan = Loan.objects.get(copy__barcode="K0000001")
    assert loan.desk == "图书馆自助机" and loan.checked_out_by == kiosk_user
    at_kiosk.post(reverse("selfcheck:scan"), {"barcode": "K0000001", "mode": "return"})
    receipt = at_kiosk.post(reverse("selfcheck:finish")).content.decode()
    assert receipt.count("《草房子》") == 2
    assert "请扫描借书证" in at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()


def test_a_lost_card_is_refused(at_kiosk, pupil):
    circulation.card_report_lost(card=pupil.cards.get())
    at_kiosk.post(reverse("selfcheck:card"), {"card": pupil.cards.get().number})
    page = at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()
    assert "已挂失" in page and "张小明" not in page


def test_a_refused_loan_shows_why_and_changes_nothing(at_kiosk, pupil):
    make_copy(make_record("字典"), "K0000002", lendable=False)
    at_kiosk.post(reverse("selfcheck:card"), {"card": card_of(pupil)})
    at_kiosk.post(reverse("selfcheck:scan"), {"barcode": "K0000002", "mode": "borrow"})
    assert "不外借" in at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()
    assert not Loan.objects.exists()
    assert CirculationEvent.objects.get(action="refused").desk == "图书馆自助机"


def test_a_pupil_at_the_limit_is_told_why_and_can_still_return(at_kiosk, pupil):
    for code in ("K1", "K2"):
        make_copy(make_record(f"书{code}"), code)
        circulation.loan_checkout(reader=pupil, copy_barcode=code)
    at_kiosk.post(reverse("selfcheck:card"), {"card": card_of(pupil)})
    page = at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()
    assert "暂不能借书：已借 2 册，达到上限 2 册" in page
    assert 'value="return" checked' in page
    at_kiosk.post(reverse("selfcheck:scan"), {"barcode": "K1", "mode": "return"})
    assert "《书K1》已归还" in at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()


def test_the_pupil_is_forgotten_at_the_end(at_kiosk, pupil):
    at_kiosk.post(reverse("selfcheck:card"), {"card": card_of(pupil)})
    at_kiosk.post(reverse("selfcheck:end"))
    assert "张小明" not in at_kiosk.get(reverse("selfcheck:kiosk")).content.decode()


def test_an_administrator_adds_a_kiosk_in_the_back_office_with_a_hashed_password(client, admin):
    from selfcheck.models import Kiosk

    client.force_login(admin)
    response = client.post(
        "/admin/selfcheck/kiosk/add/",
        {
            "name": "二楼自助机",
            "description": "",
            "encoding": "gb18030",
            "pin_policy": "none",
            "is_active": "on",
            "new_password": "s3cret-kiosk",
        },
    )
    assert response.status_code == 302
    kiosk = Kiosk.objects.get(name="二楼自助机")
    assert "s3cret-kiosk" not in kiosk.password and kiosk.check_password("s3cret-kiosk")


def test_a_kiosk_without_a_password_is_not_saved(client, admin):
    from selfcheck.models import Kiosk

    client.force_login(admin)
    response = client.post(
        "/admin/selfcheck/kiosk/add/", {"name": "无密码", "encoding": "utf-8", "pin_policy": "none", "new_password": ""}
    )
    assert response.status_code == 200 and not Kiosk.objects.exists()


# --- kiosk accounts, managed by librarians --------------------------------------------------


def test_a_librarian_adds_a_kiosk_and_its_password_is_stored_hashed(client, librarian):
    from selfcheck.models import Kiosk

    client.force_login(librarian)
    data = {"name": "一楼自助机", "description": "大厅", "encoding": "gb18030", "pin_policy": "none"}
    response = client.post(reverse("selfcheck:kiosk_new"), {**data, "is_active": "on", "new_password": "pass-1234"})
    assert response.status_code == 302
    kiosk = Kiosk.objects.get()
    assert kiosk.check_password("pass-1234") and "pass-1234" not in kiosk.password
    assert "一楼自助机" in client.get(reverse("selfcheck:kiosks")).content.decode()


def test_editing_a_kiosk_without_a_new_password_keeps_the_old_one(client, librarian):
    from selfcheck.models import Kiosk

    kiosk = Kiosk(name="一楼自助机")
    kiosk.set_password("pass-1234")
    kiosk.save()
    client.force_login(librarian)
    data = {"name": "一楼自助机", "encoding": "utf-8", "pin_policy": "account", "new_password": ""}
    client.post(reverse("selfcheck:kiosk_edit", args=[kiosk.pk]), data)
    kiosk.refresh_from_db()
    assert kiosk.pin_policy == "account" and not kiosk.is_active and kiosk.check_password("pass-1234")


@pytest.mark.parametrize(
    "name, args", [("selfcheck:kiosks", []), ("selfcheck:kiosk_new", []), ("selfcheck:kiosk_edit", [1])]
)
def test_only_circulation_managers_manage_kiosks(client, assistant, name, args):
    assert client.get(reverse(name, args=args)).status_code == 302
    client.force_login(assistant)
    assert client.get(reverse(name, args=args)).status_code == 403


def test_a_garbage_kiosk_form_is_shown_again_with_errors(client, librarian):
    from selfcheck.models import Kiosk

    client.force_login(librarian)
    response = client.post(reverse("selfcheck:kiosk_new"), {"name": "", "encoding": "latin1", "new_password": "x"})
    assert response.status_code == 200 and not Kiosk.objects.exists()
    assert client.get(reverse("selfcheck:kiosk_edit", args=[999])).status_code == 404
