"""Recommended lists made by the librarian from the catalogue: pages, rights and the public view."""

import pytest

from reading.models import ReadingList, ReadingListItem


@pytest.fixture
def grade_list(db):
    return ReadingList.objects.create(title="三年级推荐书目", kind="grade", stage="primary", grade=3)


def test_the_librarian_makes_a_list(client, librarian):
    client.force_login(librarian)
    response = client.post(
        "/reading/manage/", {"title": "三年级推荐书目", "kind": "grade", "stage": "primary", "grade": "3"}
    )
    made = ReadingList.objects.get()
    assert response.status_code == 302 and response.url == f"/reading/manage/lists/{made.pk}/"
    assert made.created_by == librarian


def test_a_grade_without_stage_is_refused(client, librarian):
    client.force_login(librarian)
    response = client.post("/reading/manage/", {"title": "书目", "kind": "grade", "grade": "3"})
    assert response.status_code == 200 and not ReadingList.objects.exists()


def test_the_librarian_adds_notes_and_removes_books(client, librarian, book, grade_list):
    rec = book("夏洛的网")
    client.force_login(librarian)
    client.post(f"/reading/manage/lists/{grade_list.pk}/add/", {"record": rec.pk, "note": "关于友谊"})
    item = ReadingListItem.objects.get()
    assert (item.record, item.note) == (rec, "关于友谊")
    client.post(f"/reading/manage/items/{item.pk}/note/", {"note": "关于友谊和生命"})
    assert ReadingListItem.objects.get().note == "关于友谊和生命"
    client.post(f"/reading/manage/items/{item.pk}/remove/")
    assert not ReadingListItem.objects.exists()


def test_a_book_is_on_a_list_once(client, librarian, book, grade_list):
    rec = book("夏洛的网")
    client.force_login(librarian)
    client.post(f"/reading/manage/lists/{grade_list.pk}/add/", {"record": rec.pk})
    response = client.post(f"/reading/manage/lists/{grade_list.pk}/add/", {"record": rec.pk}, follow=True)
    assert "已在这份书目中" in response.content.decode()
    assert ReadingListItem.objects.count() == 1


def test_the_list_page_finds_books_in_the_catalogue(client, librarian, book, grade_list):
    book("夏洛的网")
    client.force_login(librarian)
    page = client.get(f"/reading/manage/lists/{grade_list.pk}/?q=夏洛").content.decode()
    assert "夏洛的网" in page


@pytest.mark.parametrize("user", ["teacher", "assistant"])
def test_other_roles_may_not_manage_lists(client, request, user, grade_list):
    client.force_login(request.getfixturevalue(user))
    assert client.get("/reading/manage/").status_code == 403
    assert client.post(f"/reading/manage/lists/{grade_list.pk}/add/", {"record": "1"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, grade_list):
    response = client.get(f"/reading/manage/lists/{grade_list.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_mutating_pages_refuse_get(client, librarian, grade_list):
    client.force_login(librarian)
    assert client.get(f"/reading/manage/lists/{grade_list.pk}/add/").status_code == 405
    assert client.get("/reading/manage/rankings/refresh/").status_code == 405


def test_garbage_is_answered_without_an_error(client, librarian, grade_list):
    client.force_login(librarian)
    assert client.post(f"/reading/manage/lists/{grade_list.pk}/add/", {"record": "abc"}).status_code == 302
    assert client.post(f"/reading/manage/lists/{grade_list.pk}/add/", {}).status_code == 302
    assert client.post("/reading/manage/items/999/note/", {"note": "x"}).status_code == 404
    assert client.post(f"/reading/manage/lists/{grade_list.pk}/", {"grade": "x"}).status_code == 200
    assert client.get(f"/reading/manage/lists/{grade_list.pk}/?q=%00夏洛").status_code == 200


def test_the_public_list_and_poster_show_books_and_notes(client, book, grade_list):
    rec = book("夏洛的网")
    ReadingListItem.objects.create(reading_list=grade_list, record=rec, title=rec.title, note="关于友谊")
    ReadingListItem.objects.create(reading_list=grade_list, title="本馆没有的书")
    page = client.get(f"/reading/lists/{grade_list.pk}/").content.decode()
    assert "关于友谊" in page and "本馆暂无" in page
    poster = client.get(f"/reading/lists/{grade_list.pk}/poster/").content.decode()
    assert "三年级推荐书目" in poster and "夏洛的网" in poster
