"""Acquisition batches, 新书通报, weeding with its 注销清单, the class tree."""

from datetime import date

import pytest
from django.urls import reverse

from catalog import services
from catalog.exceptions import CopyNotFound, CopyNotWithdrawable
from catalog.models import AcquisitionBatch, Copy, CopyStatus, WithdrawalBatch


def test_batches_are_numbered_per_year(db):
    a = services.batch_create(received_on=date(2025, 3, 1))
    b = services.batch_create(received_on=date(2025, 9, 1))
    c = services.batch_create(received_on=date(2026, 3, 1))
    assert (a.number, b.number, c.number) == ("YS2025-001", "YS2025-002", "YS2026-001")


def test_batch_page_totals_titles_volumes_amount(client, librarian, catalogue, stacks):
    batch = services.batch_create(received_on=date(2025, 9, 1), supplier="新华书店")
    rec = catalogue("稻草人", "I287.7", price="20.00", copies=0)
    services.copies_add(record=rec, count=3, location=stacks, price=rec.price, batch=batch)
    client.force_login(librarian)
    html = client.get(reverse("catalog:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="total-volumes">3<' in html and 'data-testid="total-amount">60.00<' in html
    assert rec.copies.first().acquired_on == date(2025, 9, 1)


def test_new_batch_view(client, librarian, db):
    client.force_login(librarian)
    response = client.post(
        reverse("catalog:batch_new"), {"received_on": "2025-10-08", "supplier": "博库", "source": "purchase"}
    )
    assert response.status_code == 302 and AcquisitionBatch.objects.get().number == "YS2025-001"


def test_new_arrivals_page_is_public_and_lists_latest_batch_first(client, catalogue, stacks):
    old = services.batch_create(received_on=date(2024, 3, 1))
    new = services.batch_create(received_on=date(2025, 9, 1))
    services.copies_add(record=catalogue("旧书甲", "I287.7", copies=0), count=1, location=stacks, batch=old)
    services.copies_add(record=catalogue("新书乙", "I287.7", copies=0), count=1, location=stacks, batch=new)
    html = client.get(reverse("catalog:new_arrivals")).content.decode()
    assert html.index("新书乙") < html.index("旧书甲")


def test_weeding_writes_off_all_scanned_copies_as_one_batch(catalogue, librarian):
    rec = catalogue("稻草人", "I287.7", copies=3)
    codes = list(rec.copies.order_by("barcode").values_list("barcode", flat=True))[:2]
    batch = services.withdrawal_create(barcodes=codes, reason="damaged", approver="张校长", by=librarian)
    assert batch.number.startswith("ZX") and batch.copies.count() == 2
    assert set(Copy.objects.filter(barcode__in=codes).values_list("status", flat=True)) == {CopyStatus.WITHDRAWN}
    assert rec.copies.filter(withdrawn_on__isnull=True).count() == 1


def test_weeding_refuses_a_lent_copy_and_writes_nothing(catalogue):
    rec = catalogue("稻草人", "I287.7", copies=2)
    first, second = rec.copies.order_by("barcode")
    Copy.objects.filter(pk=second.pk).update(status=CopyStatus.ON_LOAN)
    with pytest.raises(CopyNotWithdrawable):
        services.withdrawal_create(barcodes=[first.barcode, second.barcode], reason="damaged")
    assert not WithdrawalBatch.objects.exists()
    assert not Copy.objects.filter(withdrawn_on__isnull=False).exists()


def test_weeding_refuses_unknown_and_already_withdrawn_barcodes(catalogue):
    copy = catalogue("稻草人", "I287.7").copies.get()
    with pytest.raises(CopyNotFound):
        services.withdrawal_create(barcodes=["NOPE"], reason="damaged")
    services.withdrawal_create(barcodes=[copy.barcode], reason="lost")
    copy.refresh_from_db()
    assert copy.status == CopyStatus.LOST
    with pytest.raises(CopyNotWithdrawable):
        services.withdrawal_create(barcodes=[copy.barcode], reason="damaged")


def test_weeding_view_previews_then_confirms(client, librarian, catalogue):
    copy = catalogue("稻草人", "I287.7").copies.get()
    client.force_login(librarian)
    data = {"barcodes": copy.barcode.lower(), "withdrawn_on": "2025-11-01", "reason": "outdated", "approver": "张校长"}
    html = client.post(reverse("catalog:weeding"), data).content.decode()
    assert "确认注销以下 1 册" in html and not WithdrawalBatch.objects.exists()
    response = client.post(reverse("catalog:weeding"), {**data, "confirm": "1"})
    batch = WithdrawalBatch.objects.get()
    assert response.url == reverse("catalog:withdrawal_detail", args=[batch.pk])
    copy.refresh_from_db()
    assert copy.withdrawn_on == date(2025, 11, 1) and copy.withdrawal_reason == "outdated"
    sheet = client.get(response.url).content.decode()
    assert "图书注销清单" in sheet and copy.barcode in sheet and "张校长" in sheet


def test_weeding_view_domain_error_shows_message_and_changes_nothing(client, librarian, catalogue):
    catalogue("稻草人", "I287.7")
    client.force_login(librarian)
    data = {"barcodes": "X9999", "withdrawn_on": "2025-11-01", "reason": "outdated", "confirm": "1"}
    assert "没有登记号为 X9999 的图书" in client.post(reverse("catalog:weeding"), data).content.decode()
    assert not WithdrawalBatch.objects.exists()


def test_weeding_view_access(client, assistant, db):
    url = reverse("catalog:weeding")
    assert client.post(url, {}).status_code == 302
    client.force_login(assistant)
    assert client.post(url, {}).status_code == 403


def test_class_tree_counts_titles_and_copies_under_each_node(client, catalogue):
    catalogue("稻草人", "I287.7", copies=2)
    catalogue("西游记", "I242.4", copies=1)
    catalogue("哈利·波特", "I561.45", copies=1)
    catalogue("计算机", "TP3", copies=4)
    top = client.get(reverse("catalog:classes")).context["rows"]
    counts = {r["node"].code: (r["titles"], r["copies"]) for r in top}
    assert counts["I"] == (3, 4) and counts["T"] == (1, 4) and counts["A"] == (0, 0)
    literature = client.get(reverse("catalog:classes"), {"code": "I"}).context["rows"]
    counts = {r["node"].code: (r["titles"], r["copies"]) for r in literature}
    assert counts["I2"] == (2, 3) and counts["I3/7"] == (1, 1)


def test_class_tree_counts_a_book_under_the_most_specific_sibling(client, catalogue):
    # Under I287, I287.5 (故事) and I287.59 (报告文学) are siblings; under I2, I23 and I239 are.
    catalogue("大熊猫的故乡", "I287.59", copies=2)
    catalogue("小故事", "I287.5", copies=1)
    catalogue("相声集", "I239.1", copies=1)
    counts = {
        r["node"].code: (r["titles"], r["copies"])
        for r in client.get(reverse("catalog:classes"), {"code": "I287"}).context["rows"]
    }
    assert counts["I287.59"] == (1, 2) and counts["I287.5"] == (1, 1)
    counts = {
        r["node"].code: (r["titles"], r["copies"])
        for r in client.get(reverse("catalog:classes"), {"code": "I2"}).context["rows"]
    }
    assert counts["I239"] == (1, 1) and counts["I23"] == (0, 0) and counts["I28"] == (2, 3)


def test_weeding_page_finds_copies_by_title(client, librarian, catalogue):
    rec = catalogue("稻草人", "I287.7", copies=2)
    catalogue("别的书", "I287.7", copies=1)
    client.force_login(librarian)
    found = client.get(reverse("catalog:weeding"), {"q": "稻草"}).context["found"]
    assert sorted(c.barcode for c in found) == sorted(rec.copies.values_list("barcode", flat=True))
