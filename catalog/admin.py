"""Back office for the catalogue's managed lists (locations, accession-number sequence) and look-ups."""

from django.contrib import admin

from catalog.models import (
    AcquisitionBatch,
    BarcodeSequence,
    BookNumberCounter,
    ClcClass,
    ImportLog,
    Location,
    WithdrawalBatch,
)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_lendable", "is_active", "position"]
    list_editable = ["is_lendable", "is_active", "position"]


@admin.register(BarcodeSequence)
class BarcodeSequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "width", "next_value", "__str__"]


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
