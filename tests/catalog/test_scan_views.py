"""扫描编目: the lookup fills the form (few queries), a book the school has gets added copies with one
Enter, a new one is catalogued with its copies; the session's copies are listed for one batch of
labels. Every mutating view: GET → 405, anonymous → login, wrong role → 403, errors change nothing."""

import pytest
from django.urls import reverse

from catalog.models import Copy, Record
from catalog.views.scan import SESSION_COPIES
from tests.catalog.pool_data import put_in_pool

HTMX = {"HTTP_HX_REQUEST": "true"}


KAOFANGZI = {"title": "草房子", "isbn": "9787544800013", "clc": "I287.45", "price": "CNY25.00"}


def _create_data(stacks, **over):
    data = {
        "isbn": "9787544800013",
        "title": "草房子",
        "authors": "曹文轩",
        "clc": "I287.45",
        "language": "chi",
        "c-copies": "2",
        "c-location": stacks.pk,
        "c-source": "purchase",
    }
    return data | over


def test_a_pool_record_fills_the_form_with_its_source_named(client, librarian, stacks):
    put_in_pool([KAOFANGZI])
    client.force_login(librarian)
    html = client.get(reverse("catalog:scan"), {"code": "978-7-5448-0001-3"}, **HTMX).content.decode()
    assert "书商 2026 秋季 MARC" in html and "已填入" in html and 'name="authors" value="曹文轩"' in html
    assert 'name="title" value="草房子"' in html and 'name="price" value="25.00"' in html
    assert 'name="pub_year" value="2016"' in html and "<!doctype" not in html  # the partial only
    assert 'name="book_number"' in html and 'name="book_number" value' not in html  # assigned on saving


def test_the_fill_runs_a_few_queries_whatever_the_catalogue_size(
    client, librarian, stacks, catalogue, django_assert_max_num_queries
):
    for i in range(30):
        catalogue(f"书{i}", "I287.45", isbn="")
    put_in_pool([KAOFANGZI, {**KAOFANGZI, "price": "CNY26.00", "file": "另一个书商"}])
    client.force_login(librarian)
    client.get(reverse("catalog:scan"))  # the session and permissions are loaded once
    with django_assert_max_num_queries(10):
        client.get(reverse("catalog:scan"), {"code": "9787544800013"}, **HTMX)
    rec = catalogue("西游记", "I242.4", isbn="9787020002207")
    with django_assert_max_num_queries(10):
        html = client.get(reverse("catalog:scan"), {"code": "7-02-000220-X"}, **HTMX).content.decode()
    assert "本馆已有此书，添加复本" in html and f'value="{rec.pk}"' in html


def test_differences_between_sources_are_shown_to_pick_from(client, librarian, stacks):
    put_in_pool([KAOFANGZI, {**KAOFANGZI, "publisher": "江苏少年儿童出版社", "file": "联合目录 2025"}])
    client.force_login(librarian)
    html = client.get(reverse("catalog:scan"), {"code": "9787544800013"}, **HTMX).content.decode()
    assert 'data-fill-field="publisher" data-fill-value="江苏少年儿童出版社"' in html
    assert 'data-fill-field="title"' not in html  # the titles agree


def test_nothing_found_asks_for_manual_cataloguing_with_the_isbn_filled(client, librarian, stacks):
    client.force_login(librarian)
    html = client.get(reverse("catalog:scan"), {"code": "9787544800013"}, **HTMX).content.decode()
    assert "没有找到这本书的书目数据" in html and 'name="isbn" value="9787544800013"' in html


def test_a_bad_code_is_a_message(client, librarian, db):
    client.force_login(librarian)
    html = client.get(reverse("catalog:scan"), {"code": "978-7-5448-0001-4"}, **HTMX).content.decode()
    assert "校验位不对" in html


def test_confirming_catalogues_the_book_and_lists_its_copies_for_labels(client, librarian, stacks):
    client.force_login(librarian)
    response = client.post(reverse("catalog:scan_create"), _create_data(stacks))
    assert response.status_code == 302 and response.url == reverse("catalog:scan")
    rec = Record.objects.get()
    assert rec.call_number == "I287.45/1" and rec.copies.count() == 2
    html = client.get(reverse("catalog:scan")).content.decode()
    assert "本次编目：1 种 2 册" in html and "A0000001" in html and "A0000002" in html
    assert html.count('<input type="hidden" name="copy"') == 2  # the labels of the session, in one batch
    # The next book starts with the same number of copies and location.
    assert (
        'name="c-copies" value="2"' in client.get(reverse("catalog:scan"), {"code": "9787020002207"}).content.decode()
    )


def test_adding_copies_to_a_book_the_school_has(client, librarian, stacks, catalogue):
    rec = catalogue("西游记", "I242.4", isbn="9787020002207", copies=1)
    client.force_login(librarian)
    data = {"record": rec.pk, "c-copies": "3", "c-location": stacks.pk, "c-source": "purchase"}
    response = client.post(reverse("catalog:scan_copies"), data, follow=True)
    assert "已给《西游记》添加 3 册复本" in response.content.decode()
    assert rec.copies.count() == 4 and len(client.session[SESSION_COPIES]) == 3


def test_clearing_the_list_keeps_the_books(client, librarian, stacks):
    client.force_login(librarian)
    client.post(reverse("catalog:scan_create"), _create_data(stacks))
    client.post(reverse("catalog:scan_clear"))
    assert "本次编目：0 种 0 册" in client.get(reverse("catalog:scan")).content.decode()
    assert Copy.objects.count() == 2


def test_a_used_book_number_is_a_message_and_nothing_is_written(client, librarian, stacks, catalogue):
    catalogue("城南旧事", "I287.45")
    client.force_login(librarian)
    response = client.post(reverse("catalog:scan_create"), _create_data(stacks, book_number="1"))
    assert response.status_code == 200 and "已被《城南旧事》使用" in response.content.decode()
    assert Record.objects.count() == 1 and Copy.objects.count() == 1


def test_an_isbn_catalogued_meanwhile_asks_for_the_reason(client, librarian, stacks, catalogue):
    catalogue("草房子", "I287.45", isbn="9787544800013")
    client.force_login(librarian)
    html = client.post(reverse("catalog:scan_create"), _create_data(stacks)).content.decode()
    assert "同一ISBN的另一种书：多卷书/不同版本" in html and Record.objects.count() == 1


def test_adding_copies_without_a_record_or_location_changes_nothing(client, librarian, stacks, catalogue):
    rec = catalogue("西游记", "I242.4", copies=1)
    client.force_login(librarian)
    response = client.post(reverse("catalog:scan_copies"), {"c-copies": "1", "c-location": stacks.pk}, follow=True)
    assert "请选择要添加复本的书目" in response.content.decode()
    response = client.post(reverse("catalog:scan_copies"), {"record": rec.pk, "c-copies": "0"}, follow=True)
    assert "复本信息不完整" in response.content.decode() and Copy.objects.count() == 1


@pytest.mark.parametrize("name", ["scan_create", "scan_copies", "scan_clear"])
def test_buttons_refuse_get_visitors_and_other_roles(client, librarian, assistant, name, db):
    url = reverse(f"catalog:{name}")
    assert client.post(url).status_code == 302 and "/login" in client.post(url).url
    client.force_login(assistant)
    assert client.post(url).status_code == 403
    client.force_login(librarian)
    assert client.get(url).status_code == 405


def test_the_page_is_for_cataloguers(client, assistant, db):
    assert client.get(reverse("catalog:scan")).status_code == 302
    client.force_login(assistant)
    assert client.get(reverse("catalog:scan")).status_code == 403


def test_a_source_language_code_is_read_into_the_list(client, librarian, stacks):
    put_in_pool([{**KAOFANGZI, "title": "Le Petit Prince", "language": "fra"}])
    client.force_login(librarian)
    html = client.get(reverse("catalog:scan"), {"code": "9787544800013"}, **HTMX).content.decode()
    assert '<option value="fre" selected>法语</option>' in html


def test_in_english_the_card_of_the_new_copies_says_copies(client, librarian, stacks):
    client.force_login(librarian)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("catalog:scan"), {"code": "9787544800013"}, **HTMX).content.decode()
    assert '<div class="card-header">Copies</div>' in html
