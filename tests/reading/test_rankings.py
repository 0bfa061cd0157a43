"""The term's borrowing rankings: computed once a day into a table, naming books, never pupils."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circulation.models import SchoolClass
from reading import selectors, services
from reading.models import PopularBook, RankingState
from tests.reading.conftest import lend, pupil


def test_rankings_count_the_terms_loans_overall_and_per_grade(book, term):
    third = SchoolClass.objects.create(entry_year=timezone.localdate().year - 3, number=1)
    fifth = SchoolClass.objects.create(entry_year=timezone.localdate().year - 5, number=1)
    a, b = book("西游记"), book("水浒传")
    for i in range(3):
        lend(a, pupil(f"三年级{i}", third))
    for i in range(2):
        lend(b, pupil(f"五年级{i}", fifth))
    lend(b, pupil("五年级x", fifth), day=term.start - timedelta(days=5))  # before the term: not counted
    services.rankings_refresh()
    assert [(p.record.title, p.loans) for p in selectors.popular()] == [("西游记", 3), ("水浒传", 2)]
    grade = third.grade_on(timezone.localdate() - timedelta(days=10))
    assert [p.record.title for p in selectors.popular(stage="primary", grade=grade)] == ["西游记"]


def test_the_daily_refresh_runs_once_a_day(book, term):
    lend(book("西游记"), pupil("甲"))
    assert services.rankings_refresh_daily() == 2  # the school's first place and the grade's
    lend(book("水浒传"), pupil("乙"))
    assert services.rankings_refresh_daily() is None  # already done today: the table stays
    assert [p.record.title for p in selectors.popular()] == ["西游记"]
    assert RankingState.current().period_label == "本学期"


def test_the_command_recomputes_on_demand(book, term):
    from django.core.management import call_command

    lend(book("西游记"), pupil("甲"))
    call_command("refresh_rankings")
    assert PopularBook.objects.get(stage="").record.title == "西游记"


def test_the_first_signed_in_request_of_the_day_computes_them(client, librarian, book, term):
    lend(book("西游记"), pupil("甲"))
    client.force_login(librarian)
    client.get("/home/")
    assert PopularBook.objects.filter(record__title="西游记").exists()


def test_the_ranking_page_names_books_never_pupils(client, book, term):
    lend(book("西游记"), pupil("张小明"))
    services.rankings_refresh()
    page = client.get("/reading/popular/").content.decode()
    assert "西游记" in page and "张小明" not in page


def test_the_ranking_page_answers_garbage_parameters(client, db):
    for query in ("?stage=primary&grade=x", "?stage=nope&grade=3", "?stage=junior&grade=99", "?grade="):
        assert client.get("/reading/popular/" + query).status_code == 200


def test_a_grade_asked_for_in_ascii_digits_shows_its_ranking(client, book, term):
    third = SchoolClass.objects.create(entry_year=timezone.localdate().year - 3, number=1)
    lend(book("西游记"), pupil("甲", third))
    services.rankings_refresh()
    grade = third.grade_on(timezone.localdate() - timedelta(days=10))
    page = client.get(f"/reading/popular/?stage=primary&grade={grade}").content.decode()
    assert "西游记" in page and "下面是全校的" not in page


@pytest.mark.parametrize("grade", ["３", "²", "-3", " 3x", "99999999999999999999"])
def test_a_grade_that_is_none_shows_the_school_and_says_so(client, book, term, grade):
    page = client.get("/reading/popular/", {"stage": "primary", "grade": grade}).content.decode()
    assert "没有这个年级的借阅排行，下面是全校的。" in page and "全校借阅排行" in page
