"""Cataloguing pages: new record with 查重, editing, adding copies, repair status."""

from datetime import date

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import BookNumberCounter, Copy, CopyStatus, CopyStatusChange, Record


def form_data(stacks, **over):
    data = {
        "isbn": "978-7-02-000220-7",
        "title": "西游记",
        "authors": "吴承恩",
        "publisher": "人民文学出版社",
        "pub_year": "2019",
        "price": "39.80",
        "clc": "I242.4",
        "language": "chi",
        "c-copies": "2",
        "c-location": stacks.pk,
        "c-source": "purchase",
    }
    data.update(over)
    return data


def test_isbn_step_shows_existing_records_with_that_isbn(client, librarian, catalogue):
    rec = catalogue("西游记", "I242.4", isbn="9787020002207")
    client.force_login(librarian)
    html = client.get(reverse("catalog:record_new"), {"isbn": "7-02-000220-X"}).content.decode()
    assert "已经有这个 ISBN" in html and reverse("catalog:record_staff", args=[rec.pk]) in html
    assert 'value="9787020002207"' in html


def test_isbn_step_refuses_a_bad_check_digit(client, librarian, db):
    client.force_login(librarian)
    html = client.get(reverse("catalog:record_new"), {"isbn": "978-7-02-000220-8"}).content.decode()
    assert "校验位不对" in html


def test_new_record_with_copies(client, librarian, stacks):
    client.force_login(librarian)
    response = client.post(reverse("catalog:record_new"), form_data(stacks))
    rec = Record.objects.get()
    assert response.status_code == 302 and response.url == reverse("catalog:record_staff", args=[rec.pk])
    assert (rec.isbn, rec.call_number, rec.clc_base, rec.created_by) == ("9787020002207", "I242.4/1", "I", librarian)
    assert sorted(rec.copies.values_list("barcode", flat=True)) == ["A0000001", "A0000002"]
    assert rec.copies.first().price == rec.price


def test_duplicate_title_author_publisher_asks_before_saving(client, librarian, stacks, catalogue):
    catalogue("西游记", "I242.4", authors="吴承恩", publisher="人民文学出版社")
    client.force_login(librarian)
    html = client.post(reverse("catalog:record_new"), form_data(stacks, isbn="")).content.decode()
    assert "馆藏里已经有相同的书" in html and "给它添加复本" in html
    assert Record.objects.count() == 1
    response = client.post(reverse("catalog:record_new"), form_data(stacks, isbn="", confirm_new="1"))
    assert response.status_code == 302 and Record.objects.count() == 2


def test_bad_isbn_and_unknown_class_are_form_errors_and_nothing_is_saved(client, librarian, stacks):
    client.force_login(librarian)
    html = client.post(
        reverse("catalog:record_new"), form_data(stacks, isbn="978-7-02-000220-8", clc="L12")
    ).content.decode()
    assert "校验位不对" in html and "基本大类 L 不存在" in html
    assert not Record.objects.exists() and not BookNumberCounter.objects.exists()


def test_a_class_deeper_than_the_table_is_accepted_with_a_warning(client, librarian, stacks):
    client.force_login(librarian)
    response = client.post(reverse("catalog:record_new"), form_data(stacks, clc="I561.459"), follow=True)
    assert "不在分类表中" in response.content.decode()
    assert Record.objects.get().call_number == "I561.459/1"


@pytest.mark.parametrize("name", ["record_new", "manage"])
def test_cataloguing_pages_need_login_and_the_catalogue_role(client, assistant, name):
    url = reverse(f"catalog:{name}")
    assert client.get(url).status_code == 302
    client.force_login(assistant)
    assert client.get(url).status_code == 403


def test_add_copies(client, librarian, catalogue, stacks):
    rec = catalogue("城南旧事", "I246.5", copies=1)
    client.force_login(librarian)
    response = client.post(
        reverse("catalog:copies_add", args=[rec.pk]), {"c-copies": "3", "c-location": stacks.pk, "c-source": "donation"}
    )
    assert response.status_code == 302
    assert rec.copies.filter(source="donation").count() == 3


def test_add_copies_into_an_acquisition_batch(client, librarian, catalogue, stacks):
    # The batch list of the form is limited to the latest batches: choosing one must still validate.
    batch = services.batch_create(received_on=date(2025, 9, 1))
    rec = catalogue("城南旧事", "I246.5", copies=0)
    client.force_login(librarian)
    response = client.post(
        reverse("catalog:copies_add", args=[rec.pk]),
        {"c-copies": "2", "c-location": stacks.pk, "c-source": "purchase", "c-batch": batch.pk},
        follow=True,
    )
    assert "复本信息不完整" not in response.content.decode()
    assert list(rec.copies.values_list("batch", "acquired_on").distinct()) == [(batch.pk, date(2025, 9, 1))]


def test_new_record_with_copies_into_an_acquisition_batch(client, librarian, stacks):
    batch = services.batch_create(received_on=date(2025, 9, 1))
    client.force_login(librarian)
    response = client.post(reverse("catalog:record_new"), form_data(stacks, **{"c-batch": batch.pk}))
    assert response.status_code == 302
    assert Record.objects.get().copies.filter(batch=batch).count() == 2


def test_add_copies_get_is_405_anonymous_is_redirected_wrong_role_403(client, assistant, catalogue, stacks):
    rec = catalogue("城南旧事", "I246.5", copies=0)
    url = reverse("catalog:copies_add", args=[rec.pk])
    assert client.post(url, {"c-copies": "1", "c-location": stacks.pk}).status_code == 302
    assert not rec.copies.exists()
    client.force_login(assistant)
    assert client.post(url, {"c-copies": "1", "c-location": stacks.pk}).status_code == 403
    assert client.get(url).status_code in (403, 405)


def test_add_copies_get_is_405_for_a_librarian(client, librarian, catalogue):
    rec = catalogue("城南旧事", "I246.5", copies=0)
    client.force_login(librarian)
    assert client.get(reverse("catalog:copies_add", args=[rec.pk])).status_code == 405


def test_add_copies_with_a_bad_count_changes_nothing(client, librarian, catalogue, stacks):
    rec = catalogue("城南旧事", "I246.5", copies=0)
    client.force_login(librarian)
    response = client.post(
        reverse("catalog:copies_add", args=[rec.pk]), {"c-copies": "0", "c-location": stacks.pk}, follow=True
    )
    assert "复本信息不完整" in response.content.decode()
    assert not Copy.objects.exists()


def test_edit_record_keeps_book_number_and_reindexes(client, librarian, catalogue):
    rec = catalogue("城南旧事", "I246.5", copies=0)
    client.force_login(librarian)
    data = {"title": "城南旧事（插图本）", "clc": "I246.5", "book_number": "7", "language": "chi"}
    assert client.post(reverse("catalog:record_edit", args=[rec.pk]), data).status_code == 302
    rec.refresh_from_db()
    assert rec.call_number == "I246.5/7" and "插图" in rec.search_text


def test_repair_round_trip_is_recorded_with_who(client, librarian, catalogue):
    copy = catalogue("城南旧事", "I246.5").copies.get()
    client.force_login(librarian)
    client.post(reverse("catalog:copy_repair", args=[copy.pk]), {"repair": "1"})
    copy.refresh_from_db()
    assert copy.status == CopyStatus.REPAIR
    client.post(reverse("catalog:copy_repair", args=[copy.pk]), {"repair": "0"})
    copy.refresh_from_db()
    assert copy.status == CopyStatus.ON_SHELF
    assert list(CopyStatusChange.objects.order_by("pk").values_list("to_status", "changed_by")) == [
        ("repair", librarian.pk),
        ("on_shelf", librarian.pk),
    ]


def test_repair_of_a_lent_copy_is_refused(client, librarian, catalogue):
    copy = catalogue("城南旧事", "I246.5").copies.get()
    Copy.objects.filter(pk=copy.pk).update(status=CopyStatus.ON_LOAN)
    client.force_login(librarian)
    response = client.post(reverse("catalog:copy_repair", args=[copy.pk]), {"repair": "1"}, follow=True)
    assert "只有在架的书才能送去修补" in response.content.decode()
    assert not CopyStatusChange.objects.exists()


def test_manage_finds_a_record_by_scanned_barcode(client, librarian, catalogue):
    rec = catalogue("城南旧事", "I246.5")
    client.force_login(librarian)
    response = client.get(reverse("catalog:manage"), {"q": rec.copies.get().barcode})
    assert response.status_code == 302 and response.url == reverse("catalog:record_staff", args=[rec.pk])


def test_edit_to_the_isbn_of_another_record_needs_the_explicit_choice(client, librarian, catalogue):
    other = catalogue("西游记", "I242.4", isbn="9787020002207")
    rec = catalogue("草房子", "I287.45", isbn="9787544800013")
    client.force_login(librarian)
    url = reverse("catalog:record_edit", args=[rec.pk])
    data = {"title": "草房子", "isbn": "7-02-000220-X", "clc": "I287.45", "book_number": "1", "language": "chi"}
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "馆藏里已经有这个 ISBN 的书" in html and reverse("catalog:record_staff", args=[other.pk]) in html
    assert "同一ISBN的另一种书：多卷书/不同版本" in html
    # The old "这是另一种书" tick no longer passes an exact ISBN match.
    assert client.post(url, {**data, "confirm_duplicate": "1", "confirm_new": "1"}).status_code == 200
    rec.refresh_from_db()
    assert rec.isbn == "9787544800013"
    assert client.post(url, {**data, "isbn_shared_reason": "edition"}).status_code == 302
    rec.refresh_from_db()
    assert (rec.isbn, rec.isbn_shared_reason) == ("9787020002207", "edition")
    # The ISBN no longer changes: other edits are not asked about again.
    assert client.post(url, {**data, "publisher": "天天出版社"}).status_code == 302


def test_another_volume_of_a_set_under_one_isbn_is_saved_as_a_multi_volume_book(client, librarian, catalogue):
    catalogue("中国历史", "K209", isbn="9787534205200", volume="第1册")
    rec = catalogue("中国历史", "K209", isbn="", volume="第2册")
    client.force_login(librarian)
    data = {"title": "中国历史", "volume": "第2册", "isbn": "9787534205200", "clc": "K209", "language": "chi"}
    url = reverse("catalog:record_edit", args=[rec.pk])
    assert client.post(url, {**data, "book_number": "2"}).status_code == 200
    response = client.post(url, {**data, "book_number": "2", "isbn_shared_reason": "volume"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert (rec.isbn, rec.isbn_shared_reason) == ("9787534205200", "volume")
    # Editing it again (its own ISBN unchanged) asks nothing.
    assert client.post(url, {**data, "book_number": "2", "pages": "120页"}).status_code == 302
