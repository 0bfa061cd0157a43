"""Load the 中图法 table (catalog/data/, see catalog/data/README.md) and keep search_document
in step with search_text by a trigger, so bulk inserts and imports are indexed too."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION catalog_record_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document := array_to_tsvector(
        array_remove(string_to_array(coalesce(NEW.search_text, ''), ' '), '')
    );
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER catalog_record_search_document_trg
    BEFORE INSERT OR UPDATE OF search_text ON catalog_record
    FOR EACH ROW EXECUTE FUNCTION catalog_record_search_document();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS catalog_record_search_document_trg ON catalog_record;
DROP FUNCTION IF EXISTS catalog_record_search_document();
"""


def load_table(apps, schema_editor):
    from catalog.clc import table_rows

    ClcClass = apps.get_model("catalog", "ClcClass")
    ClcClass.objects.using(schema_editor.connection.alias).bulk_create(
        [ClcClass(**row) for row in table_rows()], batch_size=5000
    )


def unload_table(apps, schema_editor):
    apps.get_model("catalog", "ClcClass").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_text_importlog")]

    operations = [
        migrations.RunPython(load_table, unload_table, elidable=False),
        migrations.RunSQL(TRIGGER, DROP_TRIGGER),
    ]
