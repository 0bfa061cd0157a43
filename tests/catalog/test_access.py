"""Every cataloguing page needs a login and the catalogue permission; mutating-only views refuse GET."""

import pytest
from django.urls import reverse

from catalog.models import Copy, Record, WithdrawalBatch

STAFF_PAGES = [
    ("catalog:manage", False),
    ("catalog:record_new", False),
    ("catalog:record_staff", True),
    ("catalog:record_edit", True),
    ("catalog:copies_add", True),
    ("catalog:copy_edit", "copy"),
    ("catalog:copy_repair", "copy"),
    ("catalog:batches", False),
    ("catalog:batch_new", False),
    ("catalog:weeding", False),
    ("catalog:labels", False),
    ("catalog:import_excel", False),
    ("catalog:import_template", False),
    ("catalog:import_marc", False),
    ("catalog:exports", False),
    ("catalog:export_excel", False),
    ("catalog:export_marc", False),
]


@pytest.fixture
def one_book(catalogue):
    return catalogue("稻草人", "I287.7")


def url_for(name, arg, book):
    if arg == "copy":
        return reverse(name, args=[book.copies.get().pk])
    return reverse(name, args=[book.pk]) if arg else reverse(name)


@pytest.mark.parametrize("name, arg", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, one_book, name, arg):
    response = client.get(url_for(name, arg, one_book))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("name, arg", STAFF_PAGES)
def test_teachers_and_student_assistants_are_refused(client, teacher, assistant, one_book, name, arg):
    for user in (teacher, assistant):
        client.force_login(user)
        assert client.post(url_for(name, arg, one_book)).status_code == 403


@pytest.mark.parametrize(
    "name, arg", [("catalog:copies_add", True), ("catalog:copy_repair", "copy"), ("catalog:export_marc", False)]
)
def test_post_only_views_refuse_get(client, librarian, one_book, name, arg):
    client.force_login(librarian)
    assert client.get(url_for(name, arg, one_book)).status_code == 405


@pytest.mark.parametrize("name", ["catalog:opac", "catalog:new_arrivals", "catalog:classes"])
def test_public_pages_need_no_login(client, one_book, name):
    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("catalog:record", args=[one_book.pk])).status_code == 200


def test_librarian_pages_render(client, librarian, one_book):
    client.force_login(librarian)
    for name, arg in STAFF_PAGES:
        if name in ("catalog:copies_add", "catalog:copy_repair", "catalog:export_marc"):
            continue
        assert client.get(url_for(name, arg, one_book)).status_code == 200, name
    assert Record.objects.count() == 1 and Copy.objects.count() == 1 and not WithdrawalBatch.objects.exists()
