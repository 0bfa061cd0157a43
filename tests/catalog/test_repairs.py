"""The repair queue (修补): send with the damage noted, list by date, mend or write off in one step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import selectors, services
from catalog.exceptions import CatalogError, CopyNotFound, CopyNotWithdrawable
from catalog.models import Copy, CopyStatus, WithdrawalBatch


@pytest.fixture
def books(catalogue):
    return list(catalogue("城南旧事", "I246.5", copies=3).copies.order_by("barcode"))


def test_sending_notes_the_damage_and_the_queue_lists_oldest_first(books, librarian):
    now = timezone.now()
    services.repair_send(barcode=books[1].barcode, damage="书脊开裂", by=librarian, now=now - timedelta(days=1))
    services.repair_send(barcode=books[0].barcode.lower(), damage="缺页", by=librarian, now=now - timedelta(days=5))
    queue = list(selectors.repair_queue())
    assert [(c.barcode, c.damage) for c in queue] == [(books[0].barcode, "缺页"), (books[1].barcode, "书脊开裂")]


def test_sending_needs_the_damage_and_a_known_barcode(books):
    with pytest.raises(CatalogError):
        services.repair_send(barcode=books[0].barcode, damage="  ")
    with pytest.raises(CopyNotFound):
        services.repair_send(barcode="NOPE", damage="缺页")
    assert not Copy.objects.filter(status=CopyStatus.REPAIR).exists()


def test_mending_puts_all_chosen_copies_back_on_the_shelf(books, librarian):
    for copy in books[:2]:
        services.repair_send(barcode=copy.barcode, damage="污损")
    services.repairs_finish(copy_ids=[c.pk for c in books[:2]], outcome="shelf", by=librarian)
    assert set(Copy.objects.filter(pk__in=[c.pk for c in books[:2]]).values_list("status", flat=True)) == {"on_shelf"}


def test_writing_off_makes_one_damaged_withdrawal_batch(books, librarian):
    for copy in books[:2]:
        services.repair_send(barcode=copy.barcode, damage="水浸")
    batch = services.repairs_finish(
        copy_ids=[c.pk for c in books[:2]], outcome="withdraw", approver="张校长", by=librarian
    )
    assert batch.reason == "damaged" and batch.approver == "张校长" and batch.copies.count() == 2
    assert not selectors.repair_queue().exists()


def test_finishing_is_all_or_none_when_one_copy_is_not_in_repair(books, librarian):
    services.repair_send(barcode=books[0].barcode, damage="缺页")
    with pytest.raises(CopyNotWithdrawable):
        services.repairs_finish(copy_ids=[books[0].pk, books[1].pk], outcome="withdraw", by=librarian)
    assert not WithdrawalBatch.objects.exists()
    assert Copy.objects.get(pk=books[0].pk).status == CopyStatus.REPAIR


def test_repair_page_sends_and_mends(client, librarian, books):
    client.force_login(librarian)
    client.post(reverse("catalog:repair_send"), {"barcode": books[0].barcode, "damage": "书脊开裂"})
    html = client.get(reverse("catalog:repairs")).content.decode()
    assert "书脊开裂" in html and books[0].barcode in html
    client.post(reverse("catalog:repairs_finish"), {"copies": [books[0].pk], "outcome": "shelf"})
    assert Copy.objects.get(pk=books[0].pk).status == CopyStatus.ON_SHELF


def test_repair_page_write_off_leads_to_the_withdrawal_list(client, librarian, books):
    services.repair_send(barcode=books[0].barcode, damage="缺页")
    client.force_login(librarian)
    response = client.post(reverse("catalog:repairs_finish"), {"copies": [books[0].pk], "outcome": "withdraw"})
    batch = WithdrawalBatch.objects.get()
    assert response["Location"] == reverse("catalog:withdrawal_detail", args=[batch.pk])


@pytest.mark.parametrize("name", ["catalog:repair_send", "catalog:repairs_finish"])
def test_repair_posts_refuse_get_and_garbage(client, librarian, books, name):
    client.force_login(librarian)
    assert client.get(reverse(name)).status_code == 405
    response = client.post(reverse(name), {"copies": ["x", "99999999999999999999"], "barcode": "\x00", "outcome": "?"})
    assert response.status_code == 302 and not Copy.objects.exclude(status=CopyStatus.ON_SHELF).exists()


@pytest.mark.parametrize("name", ["catalog:repairs", "catalog:repair_send", "catalog:repairs_finish"])
def test_repair_pages_are_for_cataloguers_only(client, assistant, teacher, name):
    assert client.get(reverse(name)).status_code == 302  # anonymous → login
    for user in (assistant, teacher):
        client.force_login(user)
        assert client.post(reverse(name)).status_code == 403
