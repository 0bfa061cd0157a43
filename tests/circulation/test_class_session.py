"""班级借阅 without cards: pick the pupil from the class list, by 学号 or by card."""

import pytest
from django.urls import reverse

from circulation import exceptions as exc
from circulation import services
from circulation.models import Loan
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(client, setup, assistant):
    client.force_login(assistant)
    school_class = setup["reader"].school_class
    response = client.post(reverse("circulation:session_start"), {"school_class": school_class.pk})
    token = response["Location"].rstrip("/").split("/")[-1]
    return {"token": token, "scan": reverse("circulation:session_scan", args=[token]), "class": school_class}


def pick(client, session, reader):
    return client.post(reverse("circulation:session_pick", args=[session["token"], reader.pk])).content.decode()


def test_the_page_lists_the_class_and_marks_pupils_without_a_card(client, setup, session):
    make_reader("王小丫", school_class=session["class"], number="20230205", card=False)
    page = client.get(reverse("circulation:session", args=[session["token"]])).content.decode()
    assert 'data-testid="class-grid"' in page and "张小明" in page and "王小丫" in page
    assert page.count("无证") == 1


def test_a_pupil_without_a_card_picked_from_the_list_borrows(client, setup, session):
    pupil = make_reader("王小丫", school_class=session["class"], number="20230205", card=False)
    assert "读者：王小丫，请扫描图书" in pick(client, session, pupil)
    body = client.post(session["scan"], {"code": "A0000003", "reader": pupil.pk}).content.decode()
    assert "王小丫 借出《西游记》" in body
    assert Loan.objects.get().reader == pupil


def test_a_pupil_typed_by_student_number_borrows(client, setup, session):
    pupil = make_reader("王小丫", school_class=session["class"], number="20230205", card=False)
    assert "王小丫" in client.post(session["scan"], {"code": "20230205"}).content.decode()
    client.post(session["scan"], {"code": "A0000003", "reader": pupil.pk})
    assert Loan.objects.get().reader == pupil


def test_the_desk_still_needs_a_card(client, setup, librarian):
    """Outside the class session nothing changed: a pupil without a card cannot borrow."""
    pupil = make_reader("王小丫", school_class=setup["reader"].school_class, number="20230205", card=False)
    with pytest.raises(exc.CardProblem):
        services.loan_checkout(reader=pupil, copy_barcode="A0000003", by=librarian, now=setup["now"])


def test_a_lost_card_still_blocks_in_the_class_session(client, setup, session):
    card = setup["reader"].cards.get()
    services.card_report_lost(card=card, by=setup["by"], now=setup["now"])
    pick(client, session, setup["reader"])
    body = client.post(session["scan"], {"code": "A0000003", "reader": setup["reader"].pk}).content.decode()
    assert "拒借" in body and "挂失" in body and not Loan.objects.exists()


def test_a_book_for_another_pupil_than_the_one_picked_last_is_refused(client, setup, session):
    other = make_reader("王小丫", school_class=session["class"], number="20230205", card=False)
    pick(client, session, setup["reader"])
    pick(client, session, other)
    body = client.post(session["scan"], {"code": "A0000003", "reader": setup["reader"].pk}).content.decode()
    assert "当前学生已变更" in body and not Loan.objects.exists()


def test_only_pupils_of_the_class_can_be_picked_from_the_list(client, setup, session):
    from circulation.models import SchoolClass

    elsewhere = SchoolClass.objects.create(stage="primary", entry_year=2024, number=1)
    stranger = make_reader("外班生", school_class=elsewhere, number="20240101", card=False)
    url = reverse("circulation:session_pick", args=[session["token"], stranger.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405


def test_a_stray_enter_changes_nothing(client, setup, session):
    response = client.post(session["scan"], {"code": "", "reader": setup["reader"].pk})
    assert response.status_code == 204
