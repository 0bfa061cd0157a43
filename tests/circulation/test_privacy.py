"""Privacy by role, enforced in the services and selectors as well as the pages (see
circulation/privacy.py): a pupil's reading is seen by the librarians, their head teacher, and a
student assistant only as counts per class; nobody but a librarian cancels someone else's hold."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from circulation import exceptions as exc
from circulation import selectors, services
from circulation.models import Hold, SchoolClass
from circulation.views.desk import DESK_SEEN
from tests.circulation.conftest import aware
from tests.conftest import make_reader, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(setup, head_teacher):
    """张小明 (三年级(2)班, head teacher 陈老师) has a book overdue today."""
    services.loan_checkout(
        reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=aware(date(2025, 10, 20))
    )
    return setup


@pytest.fixture
def teachers_hold(setup, teacher):
    return services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])


# --- holds: only librarians cancel someone else's ----------------------------------------------


def test_a_student_assistant_cannot_cancel_a_readers_hold_in_the_service(teachers_hold, assistant):
    with pytest.raises(exc.NotPermitted):
        services.hold_cancel(hold=teachers_hold, by=assistant)
    teachers_hold.refresh_from_db()
    assert teachers_hold.status == Hold.Status.READY


def test_a_student_assistant_gets_403_cancelling_a_hold_and_sees_no_cancel_button(client, teachers_hold, assistant):
    client.force_login(assistant)
    assert client.post(reverse("circulation:hold_cancel", args=[teachers_hold.pk])).status_code == 403
    teachers_hold.refresh_from_db()
    assert teachers_hold.status == Hold.Status.READY
    page = client.get(reverse("circulation:holds")).content.decode()
    assert reverse("circulation:hold_cancel", args=[teachers_hold.pk]) not in page


def test_librarians_and_the_reader_themselves_may_cancel(client, setup, teachers_hold, teacher):
    client.force_login(setup["by"])
    assert (
        reverse("circulation:hold_cancel", args=[teachers_hold.pk])
        in client.get(reverse("circulation:holds")).content.decode()
    )
    services.hold_cancel(hold=teachers_hold, by=setup["by"])
    again = services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    services.hold_cancel(hold=again, by=teacher)
    assert set(Hold.objects.values_list("status", flat=True)) == {Hold.Status.CANCELLED}


# --- overdue lists: an assistant sees counts per class, no names ------------------------------


def test_a_student_assistant_sees_overdue_counts_per_class_without_names(client, overdue, assistant):
    client.force_login(assistant)
    for url in (reverse("circulation:overdue"), reverse("circulation:overdue") + "?by=reader"):
        body = client.get(url).content.decode()
        assert "三年级(2)班" in body and 'data-testid="overdue-counts"' in body
        assert "张小明" not in body and "小王子" not in body


def test_the_librarian_sees_the_names(client, overdue):
    client.force_login(overdue["by"])
    assert "张小明" in client.get(reverse("circulation:overdue")).content.decode()


def test_the_counts_selector_names_nobody(overdue, student_reader, school_class):
    services.loan_checkout(
        reader=make_reader("李小红", school_class=school_class, number="20230202"),
        copy_barcode="A0000003",
        by=overdue["by"],
        now=aware(date(2025, 10, 20)),
    )
    rows = selectors.overdue_counts_by_class(date(2025, 11, 12))
    assert [(r["name"], r["readers"], r["loans"]) for r in rows] == [("三年级(2)班", 2, 2)]
    assert set(rows[0]) == {"school_class", "name", "loans", "readers"}


def test_the_named_overdue_selector_refuses_an_assistant(overdue, assistant, school_class):
    with pytest.raises(PermissionDenied):
        selectors.overdue_loans(date(2025, 11, 12), viewer=assistant)
    with pytest.raises(PermissionDenied):
        selectors.overdue_loans(date(2025, 11, 12), school_class=school_class, viewer=assistant)


def test_a_student_assistant_cannot_print_a_class_reminder_slip(client, overdue, assistant, school_class):
    client.force_login(assistant)
    assert client.get(reverse("circulation:overdue_class_print", args=[school_class.pk])).status_code == 403


# --- teachers: a head teacher their class, any other teacher only themselves -------------------


def test_a_head_teacher_sees_their_own_class_and_no_other(overdue, head_teacher, school_class):
    other = SchoolClass.objects.create(entry_year=2022, number=1)
    today = date(2025, 11, 12)
    assert [
        loan.reader.name for loan in selectors.overdue_loans(today, school_class=school_class, viewer=head_teacher)
    ] == ["张小明"]
    with pytest.raises(PermissionDenied):
        selectors.overdue_loans(today, school_class=other, viewer=head_teacher)
    with pytest.raises(PermissionDenied):
        selectors.overdue_loans(today, viewer=head_teacher)  # the whole school


def test_another_teacher_sees_no_pupils_loans(client, overdue, other_teacher, school_class):
    with pytest.raises(PermissionDenied):
        selectors.overdue_loans(date(2025, 11, 12), school_class=school_class, viewer=other_teacher)
    client.force_login(other_teacher)
    assert client.get(reverse("circulation:overdue_class_print", args=[school_class.pk])).status_code == 403
    assert client.get(reverse("circulation:my_class_overdue")).status_code == 403
    assert client.get(reverse("circulation:overdue")).status_code == 403
    body = client.get(reverse("my_account")).content.decode()
    assert "张小明" not in body and "小王子" not in body


# --- a reader's own page says who may see it ------------------------------------------------------


def test_my_account_lists_who_may_see_my_loans(client, overdue, head_teacher):
    pupil = overdue["reader"]
    pupil.user = make_user("pupil1", None)
    pupil.save(update_fields=["user"])
    client.force_login(pupil.user)
    body = client.get(reverse("my_account")).content.decode()
    assert 'data-testid="who-may-see"' in body
    assert "图书管理员和系统管理员" in body and "学生图书管理员" in body
    assert "您的班主任（陈老师）" in body and "其他老师和同学都看不到您的借阅" in body
    assert "已归还的借阅记录保留到还书的学年结束，之后不再关联您的姓名" in body


# --- the hold shelf: names only for librarians, or readers scanned at the assistant's desk ------


def test_the_hold_shelf_and_slip_show_a_student_assistant_no_names(client, teachers_hold, teacher, assistant):
    name = teacher.reader.name
    client.force_login(assistant)
    shelf = client.get(reverse("circulation:holds")).content.decode()
    slip = client.get(reverse("circulation:hold_slip", args=[teachers_hold.pk])).content.decode()
    assert teachers_hold.record.title in shelf and name not in shelf
    assert teachers_hold.record.title in slip and name not in slip


def test_a_reader_scanned_at_the_assistants_desk_is_named_on_the_hold_shelf(client, teachers_hold, teacher, assistant):
    client.force_login(assistant)
    session = client.session
    session[DESK_SEEN] = [teachers_hold.reader_id]
    session.save()
    assert teacher.reader.name in client.get(reverse("circulation:holds")).content.decode()
    assert teacher.reader.name in client.get(reverse("circulation:hold_slip", args=[teachers_hold.pk])).content.decode()


def test_librarians_see_the_names_on_the_hold_shelf(client, setup, teachers_hold, teacher):
    client.force_login(setup["by"])
    assert teacher.reader.name in client.get(reverse("circulation:holds")).content.decode()
    assert teacher.reader.name in client.get(reverse("circulation:hold_slip", args=[teachers_hold.pk])).content.decode()
