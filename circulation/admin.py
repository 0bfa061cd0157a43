from django.contrib import admin

from circulation import models


@admin.register(models.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["__str__", "stage", "entry_year", "number", "head_teacher", "is_active"]
    list_filter = ["stage", "is_active"]


@admin.register(models.Reader)
class ReaderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "student_number", "school_class", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "student_number", "name_pinyin"]
    raw_id_fields = ["school_class", "user"]


@admin.register(models.LoanPolicy)
class LoanPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "reader_kind", "grade_from", "grade_to", "max_items", "loan_days", "max_renewals"]


@admin.register(models.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end"]


admin.site.register(models.ClosedDay)
admin.site.register(models.OpenDay)
admin.site.register(models.CirculationSettings)


@admin.register(models.CirculationEvent)
class CirculationEventAdmin(admin.ModelAdmin):
    """Read only: the log is append-only (a database trigger refuses changes)."""

    list_display = ["at", "action", "reader", "copy", "detail", "by", "desk"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
