"""Bugs found by the browser test of the circulation edit pages (tests/browser/test_circulation_admin_edits.py)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from circulation import services
from circulation.forms import ReaderForm, TermForm
from circulation.models import ClosedDay, Hold, Reader, SchoolClass
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db


def test_an_edited_term_shows_its_dates_in_the_date_inputs(term):
    # <input type="date"> accepts only ISO dates; the zh-hans format (2026/01/20) showed empty fields.
    with translation.override("zh-hans"):
        html = str(TermForm(instance=term)["end"])
    assert 'value="2026-01-20"' in html


def test_a_refused_closed_day_range_keeps_what_was_typed(client, librarian):
    client.force_login(librarian)
    response = client.post(
        reverse("circulation:day_add", args=["closed"]),
        {"closed-day": "2025-12-05", "closed-until": "2025-12-01", "closed-reason": "运动会"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "结束日期应在开始日期之后，且不超过 60 天。" in body
    assert 'value="2025-12-05"' in body and 'value="2025-12-01"' in body and 'value="运动会"' in body
    assert not ClosedDay.objects.exists()


def test_day_add_with_an_unknown_kind_is_not_found(client, librarian):
    client.force_login(librarian)
    response = client.post(reverse("circulation:day_add", args=["weekend"]), {"weekend-day": "2025-12-06"})
    assert response.status_code == 404


def test_a_hold_placed_for_a_pupil_names_the_pupil(client, setup):
    client.force_login(setup["by"])
    # A copy is on the shelf: it is kept for 张小明, not for "您" (the librarian).
    url = reverse("circulation:reserve", args=[setup["record"].pk])
    response = client.post(url, {"reader": "20230201", "next": "/"}, follow=True)
    assert "已为 张小明 预约《小王子》：馆内有书，已保留。" in response.content.decode()
    # The only copy of 西游记 is out: 张小明 is first in the queue.
    other = make_reader("李华", school_class=setup["reader"].school_class, number="20230202")
    services.loan_checkout(reader=other, copy_barcode="A0000003", by=setup["by"])
    url = reverse("circulation:reserve", args=[setup["c3"].record_id])
    response = client.post(url, {"reader": "20230201", "next": "/"}, follow=True)
    assert "已为 张小明 预约《西游记》，排在第 1 位。" in response.content.decode()
    assert sorted(Hold.objects.values_list("reader__name", "status")) == [("张小明", "ready"), ("张小明", "waiting")]


def test_a_teacher_finds_her_holds_page_from_her_home_page(client, teacher):
    client.force_login(teacher)
    body = client.get(reverse("my_account")).content.decode()
    assert f'href="{reverse("circulation:my_holds")}"' in body


def test_a_second_collective_reader_for_a_class_gets_a_clear_message(school_class):
    Reader.objects.create(name="集体", kind="collective", school_class=school_class)
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    data = {"kind": "collective", "name": "张小明", "student_number": "20230201", "school_class": school_class.pk}
    with translation.override("zh-hans"):
        form = ReaderForm(data | {"is_active": "on"}, instance=pupil)
        assert not form.is_valid()
        assert form.errors == {"school_class": ["该班级已有集体读者。"]}


def test_a_graduated_pupil_can_still_be_edited(school_class):
    pupil = make_reader("张小明", school_class=school_class, number="20230201")
    school_class.is_active = False
    school_class.save(update_fields=["is_active"])
    pupil.is_active = False
    pupil.save(update_fields=["is_active"])
    assert re.search(rf'<option value="{school_class.pk}" selected>', str(ReaderForm(instance=pupil)["school_class"]))
    form = ReaderForm(
        {"kind": "student", "name": "张晓明", "student_number": "20230201", "school_class": school_class.pk},
        instance=pupil,
    )
    assert form.is_valid(), form.errors
    # Other graduated classes are still not offered.
    other = SchoolClass.objects.create(entry_year=2017, number=1, is_active=False)
    assert other not in ReaderForm(instance=pupil).fields["school_class"].queryset


def test_the_reader_search_keeps_the_class_and_type_filters(client, librarian, school_class):
    other_class = SchoolClass.objects.create(entry_year=2023, number=3)
    make_reader("张小明", school_class=school_class, number="20230201")
    make_reader("张小红", school_class=other_class, number="20230301")
    make_reader("张老师", kind="teacher", number="T0009")
    client.force_login(librarian)
    url = reverse("circulation:readers")

    def names(**params):
        body = client.get(url, params).content.decode()
        return re.findall(r'/circulation/readers/\d+/">([^<]+)</a>', body)

    assert names(q="张") == ["张小明", "张小红", "张老师"]
    assert names(q="张", **{"class": school_class.pk}) == ["张小明"]
    assert names(q="张", kind="teacher") == ["张老师"]


def test_a_reader_made_inactive_leaves_cards_and_holds_behind(client, setup, teacher, other_teacher):
    """Deactivating on the reader form: leaving date, card cancelled, the book kept for her goes on."""

    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    kept = services.hold_place(record=setup["record"], reader=teacher.reader, by=teacher, now=setup["now"])
    waiting = services.hold_place(record=setup["record"], reader=other_teacher.reader, by=other_teacher)
    assert (kept.status, waiting.status) == ("ready", "waiting")
    leaver = teacher.reader
    client.force_login(setup["by"])
    data = {"kind": "teacher", "name": leaver.name, "student_number": leaver.student_number, "gender": "", "note": ""}
    response = client.post(reverse("circulation:reader_edit", args=[leaver.pk]), data)
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active and leaver.left_on == setup["now"].date()
    assert not leaver.cards.filter(status="valid").exists()
    kept.refresh_from_db()
    waiting.refresh_from_db()
    assert kept.status == "cancelled" and waiting.status == "ready" and waiting.copy_id == kept.copy_id
    assert Hold.objects.filter(copy_id=kept.copy_id, status="ready").count() == 1
    # Back again: the leaving date goes, the (cancelled) card stays in the history.
    client.post(reverse("circulation:reader_edit", args=[leaver.pk]), {**data, "is_active": "on"})
    leaver.refresh_from_db()
    assert leaver.is_active and leaver.left_on is None
