"""Keep library card numbers and copy barcodes apart, in both directions.

The desk reads a scanned code as a card before it looks for a copy: a copy whose barcode is also
a card number could never be lent. A constraint cannot span two tables, so a trigger on each
table refuses the clash with a unique violation named circulation_barcode_not_card_number
(the services recognise that name and show a Chinese message). Both triggers take the same
advisory lock for the code, so two transactions cannot each insert it into a different table
without seeing the other (each query in the function takes a fresh snapshot after the lock).
The lock is one of 64 buckets of codes, not one per code: a transaction that writes 100,000
copies (an import, the benchmark school) would otherwise run out of lock-table slots."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION circulation_barcode_not_card_number() RETURNS trigger AS $$
DECLARE
    code text;
BEGIN
    IF TG_TABLE_NAME = 'circulation_librarycard' THEN
        code := NEW.number;
    ELSE
        code := NEW.barcode;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('circulation_barcode_not_card_number'), hashtext(code) & 63);
    IF TG_TABLE_NAME = 'circulation_librarycard' THEN
        IF EXISTS (SELECT 1 FROM catalog_copy WHERE barcode = code) THEN
            RAISE EXCEPTION 'card number % is already a copy barcode', code
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'circulation_barcode_not_card_number';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM circulation_librarycard WHERE number = code) THEN
        RAISE EXCEPTION 'copy barcode % is already a library card number', code
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'circulation_barcode_not_card_number';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER circulation_card_number_not_barcode
    BEFORE INSERT OR UPDATE OF number ON circulation_librarycard
    FOR EACH ROW EXECUTE FUNCTION circulation_barcode_not_card_number();
CREATE TRIGGER circulation_barcode_not_card_number
    BEFORE INSERT OR UPDATE OF barcode ON catalog_copy
    FOR EACH ROW EXECUTE FUNCTION circulation_barcode_not_card_number();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS circulation_card_number_not_barcode ON circulation_librarycard;
DROP TRIGGER IF EXISTS circulation_barcode_not_card_number ON catalog_copy;
DROP FUNCTION IF EXISTS circulation_barcode_not_card_number();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0007_settings_desk_idle_minutes"),
        ("catalog", "0004_record_location_ids"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
