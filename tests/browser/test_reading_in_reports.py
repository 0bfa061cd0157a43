"""Reading promotion seen from the reports: the librarian's 学期总结 shows the term's activities and
published honours; a pupil's reading notes show in the pupil's 借阅记录 and on the reader's page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circulation.models import Term
from reading import services
from reading.models import Activity, HonourRound, ReadingNote
from tests.reading.conftest import pupil

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_semester_summary_shows_the_terms_reading_promotion(page, login, librarian, school_class, live_server):
    today = timezone.localdate()
    term = Term.objects.create(
        name="本学期", school_year=2099, number=1, start=today - timedelta(days=60), end=today + timedelta(days=90)
    )
    star = pupil("张小明", school_class)
    festival = Activity.objects.create(name="读书节", start=today - timedelta(days=20), end=today - timedelta(days=10))
    entry = services.participant_add(activity=festival, reader=star)
    services.participant_result(participant=entry, prize="first", work_title="我的读书故事")
    honour_round = HonourRound.objects.create(term=term, title="本学期读书表彰")
    services.honour_add(honour_round=honour_round, reader=star, kind="star")
    services.honours_publish(honour_round=honour_round)

    login(page, "librarian1")
    page.goto(f"{live_server.url}/reports/?term={term.pk}")
    section = page.get_by_test_id("reading-promotion")
    cells = (
        section.get_by_test_id("reading-activities").get_by_role("row").filter(has_text="读书节").get_by_role("cell")
    )
    expect(cells.nth(3)).to_have_text("1")  # participants
    expect(cells.nth(4)).to_have_text("1")  # prize winners
    expect(section).to_contain_text("本学期读书表彰")
    expect(section.get_by_test_id("reading-honour-names")).not_to_be_visible()
    section.get_by_text("获表彰名单").click()
    expect(section.get_by_test_id("reading-honour-names")).to_contain_text("张小明")
    expect(page.get_by_test_id("work-summary")).to_have_value(
        re.compile("本期开展读书活动1项（“读书节”），参加1人次，获奖1人次。本学期读书表彰共表彰读书之星1名。")
    )


def test_a_pupils_notes_in_the_reading_record_and_on_the_readers_page(
    page, login, librarian, head_teacher, school_class, live_server
):
    reader = pupil("张小明", school_class)
    ReadingNote.objects.create(reader=reader, book_title="草房子", written_on=timezone.localdate(), note="桑桑的成长")
    login(page, "headteacher1")
    page.goto(f"{live_server.url}/reports/readers/{reader.pk}/")
    expect(page.get_by_test_id("notes-headline")).to_have_text("读书笔记 1 篇")
    expect(page.get_by_test_id("notes-table")).to_contain_text("桑桑的成长")

    page.context.clear_cookies()
    login(page, "librarian1")
    page.goto(f"{live_server.url}/circulation/readers/{reader.pk}/")
    expect(page.get_by_test_id("reader-notes-headline")).to_have_text("读书笔记 1 篇")
    expect(page.get_by_test_id("reader-notes")).to_contain_text("草房子")
