"""The demo school convinces a librarian: a primary collection read at the pupils' own levels,
reservations fulfilled in the history (catalog.demo + circulation.demo at a small scale)."""

import io
from datetime import date

import pytest
from django.db.models import Count, Q

from catalog import demo as catalog_demo
from catalog.models import Copy, Record
from circulation import demo
from circulation.models import Hold, Loan
from library.demo import DemoContext, DemoScale, build_people

pytestmark = pytest.mark.django_db

PRIMARY = ["lower", "middle", "upper"]


@pytest.fixture
def demo_school():
    ctx = DemoContext(
        scale=DemoScale(students=160, teachers=8, titles=1000, copies=2000, terms=2),
        today=date(2025, 11, 12),
        stdout=io.StringIO(),
    )
    build_people(ctx)
    catalog_demo.build(ctx)
    demo.build(ctx)
    return ctx


def test_a_primary_collection_is_mostly_for_primary_readers(demo_school):
    copies = Copy.objects.aggregate(all=Count("pk"), primary=Count("pk", filter=Q(record__reader_level__in=PRIMARY)))
    assert copies["primary"] / copies["all"] > 0.7


def test_childrens_editions_of_classics_carry_the_level_they_name(demo_school):
    assert not Record.objects.filter(edition__startswith="注音版").exclude(reader_level="lower").exists()
    assert not Record.objects.filter(edition__startswith="青少版").exclude(reader_level="upper").exists()
    # In a primary school the editions of a classic such as 西游记 (初中 in the sample) are for its pupils.
    editions = Record.objects.filter(title__in=["西游记", "水浒传", "红楼梦", "三国演义"]).exclude(
        edition="", volume=""
    )
    assert editions.exists()
    assert not editions.exclude(reader_level__in=PRIMARY).exists()


def test_pupils_borrow_mostly_at_their_level(demo_school):
    levels = {1: "lower", 2: "lower", 3: "middle", 4: "middle", 5: "upper", 6: "upper"}
    student = Loan.objects.filter(reader_kind="student", is_collective=False)
    at_level = sum(
        student.filter(
            grade__in=[g for g, lv in levels.items() if lv == level], copy__record__reader_level=level
        ).count()
        for level in PRIMARY
    )
    assert at_level / student.count() > 0.6
    # First-graders do not read 高中 or teachers' books.
    assert (
        student.filter(grade=1, copy__record__reader_level__in=["senior", "teacher"]).count()
        < 0.02 * student.filter(grade=1).count()
    )


def test_reservations_are_fulfilled_in_the_history(demo_school):
    fulfilled = Hold.objects.filter(status=Hold.Status.FULFILLED)
    assert fulfilled.count() > 10
    hold = fulfilled.first()
    assert hold.placed_at < hold.closed_at
    assert Loan.objects.filter(copy=hold.copy, reader=hold.reader, checked_out_at=hold.closed_at).exists()
