"""The readers list (读者): class order, card number, loans on hand and overdue, collective readers apart."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from circulation.models import Loan, SchoolClass
from tests.circulation.conftest import make_copy
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return re.findall(r'/circulation/readers/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def classes(db):
    year = timezone.localdate().year if timezone.localdate().month >= 8 else timezone.localdate().year - 1
    # Created out of order: 三年级(1)班, 一年级(2)班, 一年级(1)班, 二年级(1)班.
    return {
        "3-1": SchoolClass.objects.create(entry_year=year - 2, number=1),
        "1-2": SchoolClass.objects.create(entry_year=year, number=2),
        "1-1": SchoolClass.objects.create(entry_year=year, number=1),
        "2-1": SchoolClass.objects.create(entry_year=year - 1, number=1),
    }


def test_readers_are_listed_by_grade_class_and_student_number(client, librarian, classes):
    c = classes
    make_reader("三一乙", school_class=c["3-1"], number="S302")
    make_reader("一二甲", school_class=c["1-2"], number="S201")
    make_reader("一一乙", school_class=c["1-1"], number="S102")
    make_reader("一一甲", school_class=c["1-1"], number="S101")
    make_reader("二一甲", school_class=c["2-1"], number="S401")
    make_reader("三一甲", school_class=c["3-1"], number="S301")
    make_reader("老师甲", kind="teacher", number="T1")
    client.force_login(librarian)
    assert names(client.get(reverse("circulation:readers"))) == [
        "一一甲",
        "一一乙",
        "一二甲",
        "二一甲",
        "三一甲",
        "三一乙",
        "老师甲",
    ]


def test_collective_readers_have_their_own_tab(client, librarian, classes):
    make_reader("一年级(1)班图书角", kind="collective", school_class=classes["1-1"])
    make_reader("一一甲", school_class=classes["1-1"], number="S101")
    client.force_login(librarian)
    assert names(client.get(reverse("circulation:readers"))) == ["一一甲"]
    assert names(client.get(reverse("circulation:readers") + "?tab=collective")) == ["一年级(1)班图书角"]


def test_the_list_shows_card_number_loans_on_hand_and_overdue(client, librarian, classes):
    reader = make_reader("一一甲", school_class=classes["1-1"], number="S101")
    today = timezone.localdate()
    for due in (today + timedelta(days=3), today - timedelta(days=2), today - timedelta(days=9)):
        Loan.objects.create(
            copy=make_copy(), reader=reader, reader_kind="student", checked_out_at=timezone.now(), due_date=due
        )
    Loan.objects.create(
        copy=make_copy(),
        reader=reader,
        reader_kind="student",
        checked_out_at=timezone.now(),
        due_date=date(2020, 1, 1),
        returned_at=timezone.now(),
    )
    client.force_login(librarian)
    html = client.get(reverse("circulation:readers")).content.decode()
    row = re.search(r'<tr data-testid="reader-row">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    card = reader.cards.get().number
    assert cells[4:7] == [card, "3", "2"]


def test_the_list_costs_the_same_queries_for_more_readers(client, librarian, classes, django_assert_max_num_queries):
    client.force_login(librarian)
    client.get(reverse("circulation:readers"))  # session, permissions warmed
    for i in range(30):
        make_reader(f"学生{i}", school_class=classes["1-1"], number=f"S{i:03d}")
    with django_assert_max_num_queries(8):
        client.get(reverse("circulation:readers"))
