"""The default standards of statistics.md, shared by the data migration and the tests."""

from decimal import Decimal

from django.utils.translation import gettext_noop as N_

SOURCE_2018 = "《中小学图书馆（室）规程》（教基〔2018〕5号）附件1"

HOLDINGS = [
    # school type, volumes per student, new per student per year, periodicals, reference titles
    ("primary", "25", "1", 60, 120),
    ("junior", "35", "1", 80, 180),
    ("senior", "45", "1", 120, 250),
    ("complete", "40", "1", 120, 250),
]

TARGETS = [
    # division, name, classes, primary %, secondary %  (2003 附件2 藏书分类比例表)
    # Names marked for translation: the pages show a default name in the active language.
    (1, N_("马列主义、毛泽东思想、邓小平理论"), "A", "1.5", "2"),
    (2, N_("哲学、宗教"), "B", "1.5", "2"),
    (3, N_("社会科学"), "CDEFGHIJK", "64", "54"),
    (4, N_("自然科学"), "NOPQRSTUVX", "28", "38"),
    (5, N_("综合性图书"), "Z", "5", "4"),
]


def load_defaults(holdings_model, target_model, settings_model) -> None:
    """Create the default rows that are missing; rows a school has edited are left alone."""
    for school_type, per_student, new, periodicals, reference in HOLDINGS:
        holdings_model.objects.get_or_create(
            school_type=school_type,
            defaults={
                "volumes_per_student": Decimal(per_student),
                "new_per_student": Decimal(new),
                "periodical_titles": periodicals,
                "reference_titles": reference,
                "source": SOURCE_2018,
            },
        )
    for division, name, classes, primary, secondary in TARGETS:
        for level, percent in (("primary", primary), ("secondary", secondary)):
            target_model.objects.get_or_create(
                level=level,
                division=division,
                defaults={"name": name, "classes": classes, "percent": Decimal(percent)},
            )
    if not settings_model.objects.exists():
        settings_model.objects.create(duplicate_cap=5, structure_tolerance=20, never_borrowed_years=3)
