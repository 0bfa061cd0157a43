"""The source pool keeps a record's 统一书号 (CNMARC 091 $a) in a column of its own, so a scanned
统一书号 finds it through an index, and its title/author search gets pg_trgm GIN indexes.

pg_trgm ships with PostgreSQL (Debian: postgresql-contrib, part of the server package). Records
pooled before this migration have no 统一书号 column value: delete and re-upload a file to read
its 091 fields.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_report_indexes"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="sourcerecord",
            name="unified_number",
            field=models.CharField(blank=True, max_length=20, verbose_name="统一书号"),
        ),
        migrations.AddIndex(
            model_name="sourcerecord",
            index=models.Index(
                condition=models.Q(("unified_number", ""), _negated=True),
                fields=["unified_number"],
                name="catalog_sourcerecord_unified",
            ),
        ),
        migrations.AddIndex(
            model_name="sourcerecord",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("title"), name="gin_trgm_ops"
                ),
                name="catalog_srcrec_title_trgm",
            ),
        ),
        migrations.AddIndex(
            model_name="sourcerecord",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("authors"), name="gin_trgm_ops"
                ),
                name="catalog_srcrec_authors_trgm",
            ),
        ),
    ]
