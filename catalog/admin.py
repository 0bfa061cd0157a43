"""Back office for the catalogue's managed lists (locations, accession-number sequence) and look-ups."""

from django.contrib import admin
from django.db import models

from catalog.models import (
    AcquisitionBatch,
    BarcodeSequence,
    BookNumberCounter,
    ClcClass,
    ImportLog,
    Location,
    WithdrawalBatch,
)
from library.forms import SafeModelChoiceField, SafeRawIdWidget


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_lendable", "is_active", "position"]
    list_editable = ["is_lendable", "is_active", "position"]


@admin.register(BarcodeSequence)
class BarcodeSequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "width", "next_value", "__str__"]
    # A 64-bit running number has at most 20 digits; a wider width only pads with zeros (and a
    # width past Python's ssize_t broke the page before the model's own checks could answer).
    formfield_overrides = {models.PositiveSmallIntegerField: {"min_value": 1, "max_value": 20}}


@admin.register(BookNumberCounter)
class BookNumberCounterAdmin(admin.ModelAdmin):
    list_display = ["clc", "last_number"]
    search_fields = ["clc"]


@admin.register(ClcClass)
class ClcClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind"]
    search_fields = ["code", "name"]
    list_filter = ["level", "kind"]
    raw_id_fields = ["parent"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The parent is typed (a raw id) and its key is text: look nothing up for a NUL byte.
        kwargs.setdefault("form_class", SafeModelChoiceField)
        if db_field.name in self.raw_id_fields:
            kwargs["widget"] = SafeRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AcquisitionBatch)
class AcquisitionBatchAdmin(admin.ModelAdmin):
    list_display = ["number", "received_on", "supplier", "invoice_number", "invoice_total"]
    search_fields = ["number", "supplier", "invoice_number"]


@admin.register(WithdrawalBatch)
class WithdrawalBatchAdmin(admin.ModelAdmin):
    list_display = ["number", "withdrawn_on", "reason", "approver"]
    readonly_fields = ["operator"]


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "filename",
        "records_created",
        "records_matched",
        "copies_created",
        "created_by",
    ]
    readonly_fields = [f.name for f in ImportLog._meta.fields]
