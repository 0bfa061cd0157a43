"""The public front page: the search box, then shelves of covers."""

from django.urls import reverse

from reading import services
from reading.models import ReadingList
from tests.reading.conftest import lend, pupil


def test_the_front_page_shows_new_arrivals_with_covers(client, book):
    rec = book("昆虫记", code="Q96")
    page = client.get("/").content.decode()
    assert 'data-testid="shelf-new"' in page
    assert "昆虫记" in page and reverse("catalog:record_cover", args=[rec.pk]) in page


def test_the_front_page_shows_the_most_borrowed_without_pupils(client, book, term):
    lend(book("西游记"), pupil("张小明"))
    services.rankings_refresh()
    page = client.get("/").content.decode()
    assert 'data-testid="shelf-popular"' in page
    assert "张小明" not in page


def test_the_featured_lists_are_shelves(client, book, librarian):
    rec = book("红星照耀中国", code="K26")
    grade_list = services.reading_list_save(
        reading_list=ReadingList(title="三年级推荐书目", kind="grade", stage="primary", grade=3, featured=True)
    )
    theme_list = services.reading_list_save(reading_list=ReadingList(title="爱国主义书展", kind="theme", featured=True))
    services.reading_list_add(reading_list=grade_list, record=rec, note="好书")
    services.reading_list_add(reading_list=theme_list, record=rec)
    page = client.get("/").content.decode()
    assert "三年级推荐书目" in page and "爱国主义书展" in page


def test_the_shelves_are_cached_and_forgotten_when_a_list_changes(
    client, book, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    rec = book("昆虫记")
    client.get("/")
    with django_assert_max_num_queries(4):
        client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        reading_list = services.reading_list_save(
            reading_list=ReadingList(title="科普书展", kind="theme", featured=True)
        )
        services.reading_list_add(reading_list=reading_list, record=rec)
    assert "科普书展" in client.get("/").content.decode()


def test_a_search_shows_covers(client, book):
    rec = book("昆虫记")
    page = client.get("/?q=昆虫").content.decode()
    assert reverse("catalog:record_cover", args=[rec.pk]) in page
