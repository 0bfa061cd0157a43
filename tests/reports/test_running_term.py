"""A term still running is reported up to today, said so, and compared like with like (同期).

The hand-built school of conftest.py: term T runs 2025-09-01 .. 2026-01-20 and the previous term P
2025-02-17 .. 2025-07-10; weekends are closed, no holidays, so on Monday 2025-09-22 T is 16 school
days old and P's 16th school day is Monday 2025-03-10.
"""

import re
from datetime import date
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports import selectors
from reports.periods import previous_period, range_period, term_period

pytestmark = pytest.mark.django_db

TODAY = date(2025, 9, 22)


@pytest.fixture
def running(school):
    period = term_period(school.term)
    return selectors.semester_summary(period, previous_period(period), TODAY)


def test_a_running_term_counts_up_to_today(running):
    assert running.in_progress
    assert running.as_of == TODAY
    assert running.period.end == TODAY
    # Student loans up to 09-22: three on 09-10, one on 09-15, two on 09-20 (not the later ones).
    assert running.circ["student_loans"] == 6


def test_a_running_term_is_compared_with_the_same_school_days_of_the_previous_term(running):
    assert running.school_days == 16
    assert running.previous.end == date(2025, 3, 10)
    rows = {r["key"]: r for r in running.compare}
    # P had 2 student loans in all, but only the one of 03-10 in its first 16 school days.
    assert rows["student_loans"]["previous"] == 1
    assert "同期" in running.previous_heading and "2025-03-10" in running.previous_heading


def test_a_finished_term_is_not_in_progress(school):
    period = term_period(school.term)
    s = selectors.semester_summary(period, previous_period(period), date(2026, 3, 1))
    assert not s.in_progress
    assert s.period.end == date(2026, 1, 20)
    assert s.previous.end == date(2025, 7, 10)


def test_the_draft_says_the_term_is_in_progress_and_gives_todays_date(running):
    text = selectors.work_summary_text(running)
    assert "正在进行中" in text
    assert "截至2025-09-22" in text
    assert "2026-01-20" not in text  # not the term's future last day
    assert "同期" in text


def test_the_draft_opens_with_enrolment_then_borrowers_then_volumes(running):
    text = selectors.work_summary_text(running)
    enrolled = text.index("我校在校学生7人，教职工")
    borrowed = text.index("名学生借阅图书6册")
    assert enrolled < borrowed


def test_tied_titles_are_named_as_ties(school):
    # On 2025-09-20 one copy of 十万个为什么 and one of 昆虫记 were lent: a tie for first place.
    s = selectors.semester_summary(range_period(date(2025, 9, 20), date(2025, 9, 20)), None, TODAY)
    text = selectors.work_summary_text(s)
    assert "《十万个为什么》、《昆虫记》并列最受欢迎，各借出1次" in text
    assert "最受欢迎的图书是" not in text


class _Cells(HTMLParser):
    """The text of every table cell of a page, and the draft 工作总结."""

    def __init__(self):
        super().__init__()
        self.cells, self.draft, self._cell, self._in_draft = [], "", None, False

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._cell = ""
        if tag == "textarea" and ("data-testid", "work-summary") in attrs:
            self._in_draft = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append(self._cell)
            self._cell = None
        if tag == "textarea":
            self._in_draft = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._in_draft:
            self.draft += data


def _draft_counts(draft: str, period_label: str) -> list[int]:
    """The whole numbers of the draft that are counts: not dates, not decimals or percentages,
    not the period's name and not the school-day ordinal (第N个开馆日)."""
    text = draft.replace(period_label, "")
    text = re.sub(r"\d{4}-\d{2}-\d{2}", "", text)
    text = re.sub(r"\d+\.\d+%?", "", text)
    text = re.sub(r"第\d+个开馆日|\d+个开馆日", "", text)
    text = re.sub(r"标准为\d+册", "", text)
    return [int(n) for n in re.findall(r"\d+", text)]


@pytest.mark.parametrize("today", [TODAY, date(2026, 3, 1)], ids=["running", "finished"])
def test_every_count_in_the_draft_is_a_cell_of_a_table_on_the_page(client, admin, school, monkeypatch, today):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    client.force_login(admin)
    page = client.get(reverse("reports:summary") + f"?term={school.term.pk}").content.decode()
    parsed = _Cells()
    parsed.feed(page)
    cell_numbers = {int(n) for cell in parsed.cells for n in re.findall(r"(?<![\d.])\d+(?![\d.])", cell)}
    counts = _draft_counts(parsed.draft, school.term.name)
    assert counts, parsed.draft
    missing = [n for n in counts if n not in cell_numbers]
    assert missing == [], parsed.draft


def test_the_excel_summary_of_a_running_term_says_so_in_its_caption(client, admin, school, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    client.force_login(admin)
    response = client.get(reverse("reports:summary_export") + f"?term={school.term.pk}")
    book = load_workbook(BytesIO(response.content))
    caption = book.worksheets[0]["A1"].value
    assert "进行中" in caption and TODAY.isoformat() in caption, caption
    # The comparison names the previous term cut at the same school day (同期).
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("同期" in text and "2025-03-10" in text for text in cells)
