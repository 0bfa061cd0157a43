from datetime import date
from io import StringIO

from stdnum import isbn

from catalog import demo
from catalog.models import AcquisitionBatch, Copy, Record, WithdrawalBatch
from library.demo import DemoContext, DemoScale, build_people


def test_demo_catalogue_covers_all_classes_with_valid_isbns(db):
    ctx = DemoContext(
        scale=DemoScale(students=40, teachers=4, titles=600, copies=900), today=date(2025, 11, 12), stdout=StringIO()
    )
    build_people(ctx)
    demo.build(ctx)
    assert Record.objects.count() == 600
    assert Copy.objects.count() >= 900
    assert len(set(Record.objects.values_list("clc_base", flat=True))) == 22
    assert all(isbn.is_valid(i) for i in Record.objects.values_list("isbn", flat=True)[:200])
    assert not Record.objects.filter(search_document__isnull=True).exists()
    assert AcquisitionBatch.objects.filter(received_on__gte=date(2025, 9, 1)).exists()
    assert WithdrawalBatch.objects.exists() and Copy.objects.filter(withdrawn_on__isnull=False).exists()
    # The accession sequence continues after the demo's barcodes.
    from catalog.services import barcodes_allocate

    assert barcodes_allocate(count=1)[0] not in set(Copy.objects.values_list("barcode", flat=True))
