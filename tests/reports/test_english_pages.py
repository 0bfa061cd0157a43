"""Pages rendered in English hold no Chinese punctuation and no untranslated grade, class or term name.

Data typed by the school (book titles, people's names) stays as typed; the test data here carries no
Chinese punctuation or grade names of its own, so whatever the check finds comes from the interface.
"""

import re

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
