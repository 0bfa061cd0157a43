"""新书通报: the real count of a large batch, every title grouped by class, a chosen period or set
of batches, the poster and the Excel export."""

from datetime import date
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from catalog import services
from catalog.models import Copy, Record


def big_batch(stacks, n: int, received_on=date(2025, 9, 1)):
    """A delivery of n titles (one copy each), half 文学 and half 历史, made in bulk for speed."""
    batch = services.batch_create(received_on=received_on)
    records = Record.objects.bulk_create(
        Record(
            title=f"新书{received_on:%m%d}-{i:03d}",
            clc="I287.5" if i % 2 else "K825",
            clc_base="I" if i % 2 else "K",
            # 种次号 are unique within a class: one batch's numbers follow the date it was received.
            book_number=f"{received_on:%m%d}{i:03d}",
            call_number=f"{'I287.5' if i % 2 else 'K825'}/{received_on:%m%d}{i:03d}",
            shelf_key=f"{i:05d}",
        )
        for i in range(n)
    )
    Copy.objects.bulk_create(
        Copy(barcode=f"N{received_on:%m%d}{i:05d}", record=r, location=stacks, batch=batch, acquired_on=received_on)
        for i, r in enumerate(records)
    )
    return batch


def test_a_375_title_batch_says_375_and_lists_them_all_by_class(client, stacks):
    big_batch(stacks, 375)
    html = client.get(reverse("catalog:new_arrivals")).content.decode()
    assert "375 种，375 册" in html
    assert html.count('data-testid="arrival-title"') == 375
    assert html.index("K 历史、地理") > html.index("I 文学")


def test_choosing_a_period_lists_only_its_batches(client, stacks):
    big_batch(stacks, 3, received_on=date(2025, 3, 1))
    big_batch(stacks, 2, received_on=date(2025, 9, 1))
    html = client.get(reverse("catalog:new_arrivals"), {"from": "2025-08-01", "to": "2025-12-31"}).content.decode()
    assert "新书0901-001" in html and "新书0301-001" not in html


def test_choosing_batches_lists_them_whatever_their_age(client, stacks):
    old = big_batch(stacks, 2, received_on=date(2024, 3, 1))
    for month in (5, 7, 9, 11):
        big_batch(stacks, 1, received_on=date(2025, month, 1))
    assert "新书0301-000" not in client.get(reverse("catalog:new_arrivals")).content.decode()
    html = client.get(reverse("catalog:new_arrivals"), {"batch": [old.pk]}).content.decode()
    assert "新书0301-000" in html and "新书1101-000" not in html


def test_garbage_parameters_answer_with_the_latest_batches(client, stacks):
    big_batch(stacks, 1)
    for name in ("catalog:new_arrivals", "catalog:new_arrivals_print", "catalog:new_arrivals_export"):
        response = client.get(
            reverse(name), {"batch": ["x", "99999999999999", "\x00"], "from": "2025-13-45", "page": "z"}
        )
        assert response.status_code == 200


def test_the_poster_counts_every_title(client, stacks):
    batch = big_batch(stacks, 375)
    html = client.get(reverse("catalog:new_arrivals_print"), {"batch": batch.pk}).content.decode()
    assert "本期到馆新书 375 种" in html and html.count("<li>") == 375


def test_the_excel_export_has_one_row_per_title_and_keeps_formulas_as_text(client, stacks):
    batch = big_batch(stacks, 375)
    Record.objects.filter(title="新书0901-000").update(title="=HYPERLINK(1)")
    response = client.get(reverse("catalog:new_arrivals_export"), {"batch": batch.pk})
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 375 and rows[0][0] == batch.number
    titles = [row[3] for row in rows]
    assert "=HYPERLINK(1)" in titles and ws.cell(row=2 + titles.index("=HYPERLINK(1)"), column=4).data_type == "s"
