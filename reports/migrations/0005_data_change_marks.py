"""Change marks for the kept report figures (reports.changes): a row per data-changing statement."""

from django.db import migrations

CREATE = """
CREATE TABLE reports_datachange (n bigint NOT NULL DEFAULT 1);
CREATE FUNCTION reports_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reports_datachange DEFAULT VALUES;
    RETURN NULL;
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS reports_note_change() CASCADE;
DROP TABLE IF EXISTS reports_datachange;
"""


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_summary_cache_json")]

    # The triggers themselves are put on every table after each migrate (reports.changes.install).
    operations = [migrations.RunSQL(CREATE, DROP)]
