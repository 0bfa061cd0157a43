from datetime import date

from django.urls import reverse

from catalog import labels, services
from catalog.models import Copy


def test_code128_svg_is_inline_svg():
    svg = labels.code128_svg("A0000123")
    assert svg.startswith("<svg") and "<rect" in svg


def test_spine_lines_split_class_and_book_number():
    assert labels.spine_lines("I287.5/123") == ("I287.5", "123")
    assert labels.spine_lines("I287.5") == ("I287.5", "")


def test_spine_labels_of_a_record(client, librarian, catalogue):
    rec = catalogue("稻草人", "I287.7", copies=2, volume="上")
    client.force_login(librarian)
    html = client.get(reverse("catalog:labels"), {"record": rec.pk, "kind": "spine"}).content.decode()
    assert html.count('data-testid="label"') == 2
    assert '<div class="l1">I287.7</div><div class="l2">1</div>' in html
    assert "grid-template-columns: repeat(5, 38.1mm)" in html


def test_barcode_labels_by_batch_with_school_name_and_title(client, librarian, catalogue, stacks):
    batch = services.batch_create(received_on=date(2025, 9, 1))
    rec = catalogue("草房子", "I287.45", copies=0)
    services.copies_add(record=rec, count=3, location=stacks, batch=batch)
    catalogue("别的书", "I287.45", copies=1)
    client.force_login(librarian)
    html = client.get(
        reverse("catalog:labels"), {"batch": batch.pk, "kind": "barcode", "preset": "barcode-4x12"}
    ).content.decode()
    assert html.count("<svg") == 3 and "A0000001" in html and "草房子" in html and "A0000004" not in html


def test_labels_by_barcode_range_and_selection(client, librarian, catalogue):
    rec = catalogue("草房子", "I287.45", copies=5)
    ids = list(rec.copies.order_by("barcode").values_list("pk", flat=True))
    client.force_login(librarian)
    html = client.get(reverse("catalog:labels"), {"from": "A0000002", "to": "A0000004"}).content.decode()
    assert html.count('data-testid="label"') == 3
    html = client.get(reverse("catalog:labels") + f"?copy={ids[0]}&copy={ids[4]}&kind=barcode").content.decode()
    assert html.count('data-testid="label"') == 2


def test_skipping_used_labels_leaves_empty_cells(client, librarian, catalogue):
    rec = catalogue("草房子", "I287.45", copies=1)
    client.force_login(librarian)
    html = client.get(reverse("catalog:labels"), {"record": rec.pk, "skip": "4"}).content.decode()
    assert html.count('<div class="label"></div>') == 4


def test_withdrawn_copies_get_no_labels_and_bad_ranges_are_explained(client, librarian, catalogue):
    rec = catalogue("草房子", "I287.45", copies=1)
    services.withdrawal_create(barcodes=[rec.copies.get().barcode], reason="damaged")
    client.force_login(librarian)
    assert "没有找到符合条件的在藏图书" in client.get(reverse("catalog:labels"), {"record": rec.pk}).content.decode()
    assert "位数应相同" in client.get(reverse("catalog:labels"), {"from": "A1", "to": "A0000009"}).content.decode()


def test_labels_need_the_catalogue_role(client, assistant, db):
    client.force_login(assistant)
    assert client.get(reverse("catalog:labels")).status_code == 403
    assert Copy.objects.count() == 0


def test_a_half_filled_range_or_no_choice_on_the_form_is_explained(client, librarian, catalogue):
    catalogue("草房子", "I287.45", copies=2)
    client.force_login(librarian)
    url = reverse("catalog:labels")
    html = client.get(url, {"kind": "barcode", "from": "A0000001", "to": " "}).content.decode()
    assert "请填写起止两个登记号" in html and 'data-testid="label"' not in html
    html = client.get(url, {"kind": "spine", "to": "A0000002"}).content.decode()
    assert "请填写起止两个登记号" in html
    html = client.get(url, {"kind": "spine", "preset": "spine-4x10", "from": "", "to": ""}).content.decode()
    assert "请选择要打印的图书：验收批次或登记号范围。" in html
    assert '<option value="spine-4x10" selected>' in html  # the chosen sheet is kept
    # Opened from the menu (nothing sent yet): no message.
    assert 'data-testid="labels-problem"' not in client.get(url).content.decode()
