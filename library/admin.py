from django.contrib import admin

from library.models import School


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "library_name"]
