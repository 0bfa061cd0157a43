from django.db import migrations

# The circulation log is append-only: rows may be inserted, never deleted or rewritten.
# Only the operator column may change (it is set to NULL when a user account is deleted).
FORWARD = """
CREATE OR REPLACE FUNCTION circulation_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'circulation log is append-only: rows cannot be deleted';
    END IF;
    IF (NEW.action, NEW.at, NEW.desk, NEW.reader_id, NEW.copy_id, NEW.loan_id, NEW.detail)
       IS DISTINCT FROM (OLD.action, OLD.at, OLD.desk, OLD.reader_id, OLD.copy_id, OLD.loan_id, OLD.detail) THEN
        RAISE EXCEPTION 'circulation log is append-only: rows cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER circulation_event_append_only
    BEFORE UPDATE OR DELETE ON circulation_circulationevent
    FOR EACH ROW EXECUTE FUNCTION circulation_event_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS circulation_event_append_only ON circulation_circulationevent;
DROP FUNCTION IF EXISTS circulation_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("circulation", "0002_event_rollover")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
