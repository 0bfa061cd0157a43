"""Reading promotion in the reports: the term's activities and published honours in the semester
summary (page, draft 工作总结, Excel), and a pupil's reading notes in the reading record."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reading import services
from reading.models import Activity, HonourRound, ReadingNote
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reading_term(school, librarian):
    """In term T: a 读书节 with three participants (two prizes) and a published round (s1 读书之星, s2
    读书积极分子, class A 先进班级); a draft round that must not show; an activity of the previous term."""
    a, b = school.readers["s1"], school.readers["s2"]
    festival = Activity.objects.create(
        name="秋季读书节", kind="festival", start=date(2025, 10, 8), end=date(2025, 10, 20)
    )
    for reader, prize in ((a, "first"), (b, ""), (school.readers["s3"], "merit")):
        p = services.participant_add(activity=festival, reader=reader)
        services.participant_result(participant=p, prize=prize, work_title="")
    Activity.objects.create(name="春季征文", kind="essay", start=date(2025, 4, 1), end=date(2025, 4, 30))
    published = HonourRound.objects.create(term=school.term, title="第一学期读书表彰")
    services.honour_add(honour_round=published, reader=a, kind="star")
    services.honour_add(honour_round=published, reader=b, kind="active")
    published.honours.create(kind="class", school_class=school.classes["A"])
    published = services.honours_publish(honour_round=published)
    draft = HonourRound.objects.create(term=school.term, title="草稿表彰")
    services.honour_add(honour_round=draft, reader=school.readers["s3"], kind="star")
    return published


def summary_url(school):
    return reverse("reports:summary") + f"?term={school.term.pk}"


def test_the_summary_lists_the_terms_activities_and_published_honours(client, librarian, school, reading_term):
    client.force_login(librarian)
    html = client.get(summary_url(school)).content.decode()
    section = html[html.index('data-testid="reading-promotion"') :]
    assert "秋季读书节" in section and "春季征文" not in section
    assert "<td>3</td><td>2</td>" in section  # participants, prizes
    assert "第一学期读书表彰" in section and "草稿表彰" not in section
    assert "<tr><td>1</td><td>1</td><td>1</td></tr>" in section  # 读书之星, 读书积极分子, 先进班级
    # Staff only: the names of the honoured pupils, never those of the draft round.
    names = section[section.index('data-testid="reading-honour-names"') :]
    assert school.readers["s1"].name in names and school.readers["s2"].name in names
    assert school.readers["s3"].name not in names.split("</details>")[0]


def test_the_draft_work_summary_counts_activities_and_honours_without_names(client, librarian, school, reading_term):
    client.force_login(librarian)
    response = client.get(summary_url(school))
    text = response.context["work_summary"]
    assert "本期开展读书活动1项（“秋季读书节”），参加3人次，获奖2人次。" in text
    assert "第一学期读书表彰共表彰读书之星1名、读书积极分子1名、先进班级1个。" in text
    assert school.readers["s1"].name not in text


def test_a_term_without_reading_promotion_says_so(client, librarian, school):
    client.force_login(librarian)
    response = client.get(summary_url(school))
    html = response.content.decode()
    assert "本期没有读书活动。" in html and "本期没有已公布的读书表彰。" in html
    assert "读书活动" not in response.context["work_summary"]


def test_the_summary_export_has_the_reading_sheet_and_sentences(client, librarian, school, reading_term):
    client.force_login(librarian)
    response = client.get(reverse("reports:summary_export") + f"?term={school.term.pk}")
    book = load_workbook(BytesIO(response.content))
    rows = [tuple(r) for r in book["阅读推广"].iter_rows(min_row=3, values_only=True)]
    assert ("读书活动", "秋季读书节", "读书节", "2025-10-08 — 2025-10-20", 3, 2, None) in rows
    assert ("读书表彰", "第一学期读书表彰", "读书之星", reading_term.published_on.isoformat(), 1, None, None) in rows
    assert any(r[0] == "获表彰者" and r[6] == school.readers["s1"].name for r in rows)
    assert not any("草稿表彰" in str(r[1]) for r in rows)
    assert "本期开展读书活动1项" in book["工作总结"]["A3"].value


def test_the_summary_stays_for_staff_only(client, head_teacher, school, reading_term):
    client.force_login(head_teacher)
    assert client.get(summary_url(school)).status_code == 403


# --- reading notes in the reading record --------------------------------------------------------


@pytest.fixture
def notes(school):
    s1 = school.readers["s1"]
    ReadingNote.objects.create(reader=s1, book_title="草房子", written_on=date(2025, 10, 9), note="很感动")
    ReadingNote.objects.create(reader=s1, book_title="城南旧事", written_on=date(2025, 11, 2))
    ReadingNote.objects.create(reader=s1, book_title="上学期的书", written_on=date(2025, 3, 2))
    ReadingNote.objects.create(reader=school.readers["s2"], book_title="别人的书", written_on=date(2025, 10, 9))
    return s1


def record_url(reader, school):
    return reverse("reports:reader_record", args=[reader.pk]) + f"?term={school.term.pk}"


def test_the_reading_record_lists_the_pupils_notes_of_the_period(client, librarian, school, notes):
    client.force_login(librarian)
    html = client.get(record_url(notes, school)).content.decode()
    assert "读书笔记 2 篇" in html
    table = html[html.index('data-testid="notes-table"') :]
    assert "草房子" in table and "很感动" in table and "城南旧事" in table
    assert "上学期的书" not in table and "别人的书" not in table


def test_the_pupil_sees_their_own_notes(client, school, notes):
    user = make_user("s1notes", None)
    notes.user = user
    notes.save(update_fields=["user"])
    client.force_login(user)
    assert "读书笔记 2 篇" in client.get(record_url(notes, school)).content.decode()


def test_notes_are_as_private_as_the_loans(client, other_teacher, assistant, school, notes):
    url = record_url(notes, school)
    assert client.get(url).status_code == 302  # anonymous → login
    for user in (other_teacher, assistant):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403 and "草房子" not in response.content.decode()
