"""读书笔记: recorded by the librarian or the pupil's head teacher, counted in the term's honours."""

from datetime import date

import pytest
from django.utils import timezone

from circulation.models import SchoolClass
from reading import services
from reading.models import HonourRound, ReadingNote
from tests.reading.conftest import lend, pupil


def test_the_head_teacher_records_a_note_for_a_pupil_of_the_class(client, head_teacher, school_class, book):
    rec = book("草房子")
    reader = pupil("张小明", school_class)
    client.force_login(head_teacher)
    assert "张小明" in client.get("/reading/notes/?q=张小明").content.decode()
    client.post(
        "/reading/notes/add/", {"reader": reader.pk, "book_title": "草房子", "written_on": "2025-11-01", "note": "感动"}
    )
    note = ReadingNote.objects.get()
    assert (note.reader, note.record, note.recorded_by) == (reader, rec, head_teacher)


def test_a_head_teacher_cannot_reach_other_classes(client, head_teacher, school_class):
    other = SchoolClass.objects.create(entry_year=school_class.entry_year, number=school_class.number + 1)
    stranger = pupil("李小红", other)
    client.force_login(head_teacher)
    assert "没有找到读者" in client.get("/reading/notes/?q=李小红").content.decode()
    client.post("/reading/notes/add/", {"reader": stranger.pk, "book_title": "书", "written_on": "2025-11-01"})
    assert not ReadingNote.objects.exists()
    note = ReadingNote.objects.create(reader=stranger, book_title="书", written_on=date(2025, 11, 1))
    assert client.post(f"/reading/notes/{note.pk}/remove/").status_code == 404


@pytest.mark.parametrize("user", ["teacher", "assistant"])
def test_others_may_not_see_notes(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get("/reading/notes/").status_code == 403


def test_the_librarian_removes_a_note(client, librarian, school_class):
    note = ReadingNote.objects.create(
        reader=pupil("张小明", school_class), book_title="书", written_on=date(2025, 11, 1)
    )
    client.force_login(librarian)
    client.post(f"/reading/notes/{note.pk}/remove/")
    assert not ReadingNote.objects.exists()


def test_notes_count_in_the_honours(book, term, school_class):
    reader, other = pupil("甲", school_class), pupil("乙", school_class)
    lend(book("书一"), other)
    lend(book("书二"), other)
    lend(book("书三"), reader)
    for day in (1, 2):
        ReadingNote.objects.create(reader=reader, book_title="书", written_on=timezone.localdate().replace(day=day))
    honour_round = HonourRound.objects.create(
        term=term, title="表彰", stars_per_class=1, active_per_class=0, min_loans=2, notes_weight=1
    )
    services.honours_propose(honour_round=honour_round)
    star = honour_round.honours.get(kind="star")
    assert (star.reader, star.loans, star.notes) == (reader, 1, 2)  # 1 + 2 notes beats 2 loans


def test_the_readers_staff_page_lists_the_pupils_notes(client, librarian, assistant, school_class):
    reader = pupil("张小明", school_class)
    ReadingNote.objects.create(reader=reader, book_title="草房子", written_on=date(2025, 11, 1), note="感动")
    ReadingNote.objects.create(
        reader=pupil("李小红", school_class), book_title="别人的书", written_on=date(2025, 11, 1)
    )
    client.force_login(librarian)
    html = client.get(f"/circulation/readers/{reader.pk}/").content.decode()
    section = html[html.index('data-testid="reader-notes-headline"') :]
    assert "读书笔记 1 篇" in section and "草房子" in section and "感动" in section
    assert "别人的书" not in section
    client.force_login(assistant)  # a student assistant sees no pupil's reading
    response = client.get(f"/circulation/readers/{reader.pk}/")
    assert response.status_code == 403 and "草房子" not in response.content.decode()
