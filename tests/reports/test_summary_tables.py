"""The summary's tables say what their headings promise: the 排名 table in ranking order, new cards of
class book corners shown (the draft counts them)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.reports.conftest import at, lend

pytestmark = pytest.mark.django_db


def test_the_class_table_headed_ranking_is_in_ranking_order(client, admin, school):
    # Two more loans for 四年级(1)班 (2 pupils): 2.00 per student, ahead of 三年级(2)班 (1.00).
    s4, klass = school.readers["s4"], school.classes["C"]
    for key, day in (("c10", date(2025, 10, 20)), ("c6", date(2025, 10, 21))):
        lend(
            s4,
            school.copies[key],
            at(day),
            due=day + timedelta(days=14),
            returned=at(day + timedelta(days=7)),
            klass=klass,
            grade=4,
        )
    client.force_login(admin)
    html = client.get(reverse("reports:summary") + f"?term={school.term.pk}").content.decode()
    table = html[html.index('data-testid="class-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<tr data-class="([^"]+)"><td>(\d+)</td>', table)
    # 三年级(1)班 3.50 per student, 四年级(1)班 2.00, 三年级(2)班 1.00: not the classes' own order.
    assert rows == [("三年级(1)班", "1"), ("四年级(1)班", "2"), ("三年级(2)班", "3")]


def test_new_cards_of_class_book_corners_are_in_the_readers_table(client, admin, school):
    client.force_login(admin)
    html = client.get(reverse("reports:summary") + f"?term={school.term.pk}").content.decode()
    assert re.search(r'data-testid="collective-cards-issued">1<', html)
    draft = re.search(r'data-testid="work-summary"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "班级集体1张" in draft


def test_classes_tied_for_the_lowest_figure_are_named_as_a_tie(client, admin, school):
    client.force_login(admin)
    html = client.get(reverse("reports:summary") + f"?term={school.term.pk}").content.decode()
    gap = re.search(r'data-testid="class-gap">(.*?)</p>', html, re.S).group(1)
    # 三年级(2)班 and 四年级(1)班 both have 1.00 loans per student.
    assert "三年级(2)班、四年级(1)班（并列）" in gap
