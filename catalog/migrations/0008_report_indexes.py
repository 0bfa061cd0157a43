"""Indexes for the reports: the last catalogue edit (summary fingerprint), and the title and CLC class
of lent copies read from indexes alone (no visit to the wide catalogue rows). Additive only."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_book_number_unique"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="copy",
            index=models.Index(fields=["id"], include=("record",), name="catalog_copy_id_record"),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["updated_at"], name="catalog_record_updated_at"),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["id"], include=("clc_base",), name="catalog_record_id_clc_base"),
        ),
    ]
