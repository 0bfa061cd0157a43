"""Load the default standards of statistics.md (2018 规程 附件1, 2003 附件2, duplicate cap 5)."""

from decimal import Decimal

from django.db import migrations

HOLDINGS = [
    # school type, volumes per student, new per student per year, periodicals, reference titles
    ("primary", "25", "1", 60, 120),
    ("junior", "35", "1", 80, 180),
    ("senior", "45", "1", 120, 250),
    ("complete", "40", "1", 120, 250),
]

TARGETS = [
    # division, name, classes, primary %, secondary %
    (1, "马列主义、毛泽东思想、邓小平理论", "A", "1.5", "2"),
    (2, "哲学、宗教", "B", "1.5", "2"),
    (3, "社会科学", "CDEFGHIJK", "64", "54"),
    (4, "自然科学", "NOPQRSTUVX", "28", "38"),
    (5, "综合性图书", "Z", "5", "4"),
]


def load(apps, schema_editor):
    HoldingsStandard = apps.get_model("reports", "HoldingsStandard")
    CollectionTarget = apps.get_model("reports", "CollectionTarget")
    ReportSettings = apps.get_model("reports", "ReportSettings")
    for school_type, per_student, new, periodicals, reference in HOLDINGS:
        HoldingsStandard.objects.update_or_create(
            school_type=school_type,
            defaults={
                "volumes_per_student": Decimal(per_student),
                "new_per_student": Decimal(new),
                "periodical_titles": periodicals,
                "reference_titles": reference,
                "source": "《中小学图书馆（室）规程》（教基〔2018〕5号）附件1",
            },
        )
    for division, name, classes, primary, secondary in TARGETS:
        for level, percent in (("primary", primary), ("secondary", secondary)):
            CollectionTarget.objects.update_or_create(
                level=level,
                division=division,
                defaults={"name": name, "classes": classes, "percent": Decimal(percent)},
            )
    if not ReportSettings.objects.exists():
        ReportSettings.objects.create(duplicate_cap=5, structure_tolerance=20, never_borrowed_years=3)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
