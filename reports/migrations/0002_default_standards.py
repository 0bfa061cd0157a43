"""Load the default standards of statistics.md (2018 规程 附件1, 2003 附件2, duplicate cap 5)."""

from django.db import migrations


def load(apps, schema_editor):
    from reports.defaults import load_defaults

    load_defaults(
        apps.get_model("reports", "HoldingsStandard"),
        apps.get_model("reports", "CollectionTarget"),
        apps.get_model("reports", "ReportSettings"),
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
