from django.contrib import admin

from reports.models import CollectionTarget, HoldingsStandard, ReportSettings


@admin.register(HoldingsStandard)
class HoldingsStandardAdmin(admin.ModelAdmin):
    list_display = [
        "school_type",
        "volumes_per_student",
        "new_per_student",
        "periodical_titles",
        "reference_titles",
        "source",
    ]


@admin.register(CollectionTarget)
class CollectionTargetAdmin(admin.ModelAdmin):
    list_display = ["level", "division", "name", "classes", "percent"]
    list_filter = ["level"]


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "duplicate_cap", "structure_tolerance", "never_borrowed_years"]
