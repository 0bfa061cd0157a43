"""Pages rendered in English hold no Chinese punctuation and no untranslated grade, class or term name.

Data typed by the school (book titles, people's names) stays as typed; the test data here carries no
Chinese punctuation or grade names of its own, so whatever the check finds comes from the interface.
"""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHINESE_PUNCTUATION = "，。；：、（）《》！？【】"
GRADE_WORDS = re.compile(r"[一二三四五六七八九]年级|初[一二三]|高[一二三]|学年|学期|\d+班")


def visible(html: str) -> str:
    """The page without scripts and styles (chart data, code), i.e. what a reader sees, attributes included."""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    return re.sub(r"<style\b.*?</style>", "", html, flags=re.S)


def english_page(client, url: str) -> str:
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 200, url
    html = visible(response.content.decode())
    assert 'lang="en"' in html
    return html


def problems(html: str) -> list[str]:
    found = []
    for m in re.finditer(f"[{CHINESE_PUNCTUATION}]", html):
        found.append(html[max(0, m.start() - 40) : m.end() + 20].replace("\n", " "))
    for m in GRADE_WORDS.finditer(html):
        found.append(html[max(0, m.start() - 40) : m.end() + 20].replace("\n", " "))
    return found


@pytest.fixture
def english_school(school):
    coll = school.readers["coll"]
    coll.name = "Book corner A"
    coll.save(update_fields=["name"])
    for r in school.records.values():
        r.authors = "Author"
        r.save(update_fields=["authors"])
    return school


def urls(school):
    q = f"?term={school.term.pk}"
    return [
        reverse("reports:summary") + q,
        reverse("reports:summary") + "?year=2025",
        reverse("reports:class_list") + q,
        reverse("reports:class_report", args=[school.classes["A"].pk]) + q,
        reverse("reports:reader_record", args=[school.readers["s1"].pk]) + q,
        reverse("circulation:readers"),
        reverse("circulation:reader_detail", args=[school.readers["s1"].pk]),
        reverse("reports:collection") + "?date=2026-01-20",
        reverse("dashboard"),
        reverse("catalog:opac") + "?q=Author",
    ]


@pytest.mark.parametrize("index", range(10))
def test_an_english_page_has_no_chinese_punctuation_or_grade_names(client, admin, english_school, index):
    client.force_login(admin)
    url = urls(english_school)[index]
    assert problems(english_page(client, url)) == [], url


@pytest.fixture
def more_pages(english_school, admin):
    """One of each page whose labels, brackets or term names were once written around the translated
    text: a receiving batch and a withdrawal, a hold slip, the calendar, a periodical, a closed
    stocktake, a published honour round of the term and an activity of a class."""
    from catalog.models import AcquisitionBatch, WithdrawalBatch
    from circulation.models import Hold
    from reading import services as reading
    from reading.models import Activity, Honour, HonourRound
    from serials.models import Serial
    from stocktake.services import stocktake_close, stocktake_open

    s = english_school
    batch = AcquisitionBatch.objects.create(
        number="B-1", received_on="2025-09-01", supplier="Books Ltd", invoice_number="F-1", invoice_total="60.00"
    )
    withdrawal = WithdrawalBatch.objects.create(
        number="W-1", withdrawn_on="2025-10-10", reason="damaged", disposal="Pulped", note="Torn", operator=admin
    )
    hold = Hold.objects.create(
        record=s.records["R1"],
        reader=s.readers["s1"],
        status="ready",
        placed_at="2025-10-01T10:00+08:00",
        copy=s.copies["c1"],
        ready_at="2025-10-02T10:00+08:00",
        expires_on="2025-10-09",
    )
    serial = Serial.objects.create(title="Weekly", kind="newspaper", frequency="weekly")
    stocktake = stocktake_open(name="Autumn", locations=[s.copies["c1"].location], by=admin)
    stocktake_close(stocktake=stocktake, by=admin)
    open_stocktake = stocktake_open(name="Spring", locations=[s.copies["c1"].location], by=admin)
    rnd = HonourRound.objects.create(
        term=s.term, title="Readers", min_loans=1, overdue_disqualifies=True, notes_weight=1, created_by=admin
    )
    reading.honour_add(honour_round=rnd, reader=s.readers["s1"], kind="star", by=admin)
    Honour.objects.create(round=rnd, kind="class", school_class=s.classes["A"])
    reading.honours_publish(honour_round=rnd, by=admin)
    activity = reading.activity_save(
        activity=Activity(name="Book week", start="2025-10-01", end="2025-10-10"),
        classes=[s.classes["A"], s.classes["B"]],
        by=admin,
    )
    reading.participant_add(activity=activity, reader=s.readers["s1"], by=admin)
    reading.rankings_refresh(now=datetime(2025, 10, 15, 10, tzinfo=UTC))  # the ranking of the term
    return {
        "catalog:batch_detail": [batch.pk],
        "catalog:withdrawal_detail": [withdrawal.pk],
        "circulation:hold_slip": [hold.pk],
        "circulation:calendar": [],
        "serials:serial_detail": [serial.pk],
        "stocktake:report": [stocktake.pk],
        "stocktake:detail": [open_stocktake.pk],
        "reading:honours": [],
        "reading:honour_round": [rnd.pk],
        "reading:honour_announcement": [rnd.pk],
        "reading:honour_certificates": [rnd.pk],
        "reading:activity": [activity.pk],
        "reading:popular": [],
        "reading:manage": [],
    }


MORE_PAGES = [
    "catalog:batch_detail",
    "catalog:withdrawal_detail",
    "circulation:hold_slip",
    "circulation:calendar",
    "serials:serial_detail",
    "stocktake:report",
    "stocktake:detail",
    "reading:honours",
    "reading:honour_round",
    "reading:honour_announcement",
    "reading:honour_certificates",
    "reading:activity",
    "reading:popular",
    "reading:manage",
]


@pytest.mark.parametrize("name", MORE_PAGES)
def test_a_page_with_labels_or_term_names_has_none_of_them_in_chinese(client, admin, more_pages, name):
    client.force_login(admin)
    url = reverse(name, args=more_pages[name])
    assert problems(english_page(client, url)) == [], url


def test_the_check_finds_chinese_punctuation_and_grade_names():
    assert problems("Loans：3") and problems("三年级(2)班") and not problems("Grade 3, Class 2: 3 loans")


def test_a_running_term_in_english_says_it_is_in_progress(client, admin, english_school, monkeypatch):
    from datetime import date

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2025, 10, 15))
    client.force_login(admin)
    html = english_page(client, reverse("reports:summary") + f"?term={english_school.term.pk}")
    assert "is in progress" in html
    assert "same stage" in html
    assert problems(html) == []


def test_messages_joined_in_python_take_the_active_languages_punctuation():
    from django.utils import translation

    from catalog.sources.z3950 import TargetError
    from circulation.exceptions import NeedsConfirmation
    from reports.formulas import FORMULAS, formula
    from stocktake.excel import scope_text

    class Place:
        def __init__(self, name):
            self.name = name

    class Stocktake:
        class locations:
            @staticmethod
            def all():
                return [Place("Shelf A"), Place("Shelf B")]

        class_prefixes = call_from = call_to = ""

    def texts():
        return [
            str(NeedsConfirmation(["one", "two"])),
            str(TargetError(target="Library", message="timed out")),
            formula(next(iter(FORMULAS))),
            scope_text(Stocktake),
        ]

    assert texts()[:2] == ["one；two", "Library：timed out"]
    with translation.override("en"):
        english = texts()
    assert english[:2] == ["one; two", "Library: timed out"]
    assert [t for t in english if problems(t)] == []


def test_a_readers_loans_name_the_grade_in_the_readers_language(client, admin, english_school):
    client.force_login(admin)
    url = reverse("circulation:reader_detail", args=[english_school.readers["s1"].pk])
    assert "Grade 3 (1)" in english_page(client, url)
    client.cookies["django_language"] = "zh-hans"
    assert "3年级(1)" in client.get(url).content.decode()
