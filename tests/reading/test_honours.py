"""Term-end honours: proposed from the term's loans by the school's rules, edited, published, printed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circulation.models import SchoolClass
from library.models import School
from reading import services
from reading.exceptions import HonoursPublished
from reading.models import Honour, HonourRound
from tests.reading.conftest import lend, pupil


@pytest.fixture
def honour_round(term):
    return HonourRound.objects.create(
        term=term, title="本学期读书表彰", stars_per_class=1, active_per_class=1, min_loans=2, classes_count=1
    )


def borrow(book, reader, n, **kwargs):
    for i in range(n):
        lend(book(f"{reader.name}的书{i}"), reader, **kwargs)


def test_the_proposal_follows_the_rules(book, honour_round, school_class):
    other = SchoolClass.objects.create(entry_year=school_class.entry_year, number=school_class.number + 1)
    star, active, few, third = (pupil(n, school_class) for n in ("甲", "乙", "丙", "丁"))
    late = pupil("戊", school_class)
    borrow(book, star, 4)
    borrow(book, active, 3)
    borrow(book, third, 2)
    borrow(book, few, 1)  # under the minimum
    borrow(book, late, 6)
    late_loan = late.loans.first()
    late_loan.returned_at = timezone.make_aware(
        timezone.datetime.combine(late_loan.due_date + timedelta(days=5), timezone.datetime.min.time())
    )
    late_loan.save()
    borrow(book, pupil("己", other), 1)
    services.honours_propose(honour_round=honour_round)
    got = {(h.kind, h.reader.name if h.reader else h.school_class_id) for h in honour_round.honours.all()}
    assert got == {("star", "甲"), ("active", "乙"), ("class", school_class.pk)}


def test_the_librarian_edits_then_publishes_and_nothing_changes_after(book, honour_round, school_class):
    a, b = pupil("甲", school_class), pupil("乙", school_class)
    borrow(book, a, 3)
    services.honours_propose(honour_round=honour_round)
    services.honour_remove(honour=honour_round.honours.get(reader=a))
    services.honour_add(honour_round=honour_round, reader=b, kind="star")
    services.honours_publish(honour_round=honour_round)
    with pytest.raises(HonoursPublished):
        services.honour_add(honour_round=honour_round, reader=a, kind="active")
    with pytest.raises(HonoursPublished):
        services.honours_propose(honour_round=honour_round)
    assert list(honour_round.honours.exclude(kind="class").values_list("reader__name", flat=True)) == ["乙"]


def test_certificates_print_only_once_published(client, librarian, book, honour_round, school_class):
    borrow(book, pupil("张小明", school_class), 3)
    services.honours_propose(honour_round=honour_round)
    client.force_login(librarian)
    assert client.get(f"/reading/honours/{honour_round.pk}/certificates/").status_code == 404
    client.post(f"/reading/honours/{honour_round.pk}/publish/")
    page = client.get(f"/reading/honours/{honour_round.pk}/certificates/").content.decode()
    assert page.count('data-testid="certificate"') == 2 and "张小明" in page and "读书之星" in page
    assert School.current().name in page
    board = client.get(f"/reading/honours/{honour_round.pk}/announcement/").content.decode()
    assert "张小明" in board


def test_the_librarian_starts_a_round_from_the_page(client, librarian, term):
    client.force_login(librarian)
    response = client.post(
        "/reading/honours/",
        {
            "term": term.pk,
            "title": "表彰",
            "scope": "grade",
            "stars_per_class": 3,
            "active_per_class": 5,
            "min_loans": 5,
            "overdue_disqualifies": "on",
            "classes_count": 3,
            "notes_weight": 1,
        },
    )
    assert response.status_code == 302 and HonourRound.objects.get().created_by == librarian
    assert HonourRound.objects.get().scope == "grade"
    page = client.get(response["Location"]).content.decode()
    assert "每个年级读书之星 3 人" in page


def test_per_grade_the_best_readers_of_all_the_grades_classes_are_proposed(book, honour_round, school_class):
    """Scope 按年级: 读书之星 go to the grade's best readers, however many come from one class; another
    grade competes on its own; 先进班级 stay per class."""
    sibling = SchoolClass.objects.create(entry_year=school_class.entry_year, number=school_class.number + 1)
    older = SchoolClass.objects.create(entry_year=school_class.entry_year - 1, number=1)
    a1, a2 = pupil("甲", school_class), pupil("乙", school_class)
    b1 = pupil("丙", sibling)
    c1 = pupil("丁", older)
    borrow(book, a1, 5)
    borrow(book, a2, 4)
    borrow(book, b1, 3)
    borrow(book, c1, 2)
    honour_round.scope = HonourRound.Scope.GRADE
    honour_round.save()
    services.honours_propose(honour_round=honour_round)
    got = {(h.kind, h.reader.name) for h in honour_round.honours.exclude(kind="class").select_related("reader")}
    # one star and one active pupil per grade: 乙 (4 books) beats 丙 (3 books) of the other class
    assert got == {("star", "甲"), ("active", "乙"), ("star", "丁")}
    by_class = dict(honour_round.honours.exclude(kind="class").values_list("reader__name", "school_class_id"))
    assert by_class["乙"] == school_class.pk  # the certificate still names the pupil's class


def test_per_class_each_class_has_its_own_stars(book, honour_round, school_class):
    sibling = SchoolClass.objects.create(entry_year=school_class.entry_year, number=school_class.number + 1)
    a1, a2, b1 = pupil("甲", school_class), pupil("乙", school_class), pupil("丙", sibling)
    borrow(book, a1, 5)
    borrow(book, a2, 4)
    borrow(book, b1, 3)
    services.honours_propose(honour_round=honour_round)
    got = {(h.kind, h.reader.name) for h in honour_round.honours.exclude(kind="class").select_related("reader")}
    assert got == {("star", "甲"), ("active", "乙"), ("star", "丙")}


@pytest.mark.parametrize("user", ["teacher", "assistant"])
def test_honours_are_for_staff_with_the_permission(client, request, user, honour_round):
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"/reading/honours/{honour_round.pk}/").status_code == 403


def test_garbage_is_answered_without_an_error(client, librarian, honour_round):
    client.force_login(librarian)
    assert client.post(f"/reading/honours/{honour_round.pk}/add/", {"reader": "x", "kind": "?"}).status_code == 302
    assert client.post("/reading/honour-entries/999/remove/").status_code == 404
    assert client.get(f"/reading/honours/{honour_round.pk}/?q=%00").status_code == 200
    assert client.get(f"/reading/honours/{honour_round.pk}/publish/").status_code == 405
    assert not Honour.objects.exists()
