from django.contrib import admin

from selfcheck import services
from selfcheck.forms import KioskForm
from selfcheck.models import Kiosk


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    form = KioskForm
    list_display = ["name", "description", "encoding", "pin_policy", "is_active", "last_login_at"]
    list_filter = ["is_active", "encoding"]
    search_fields = ["name", "description"]
    readonly_fields = ["last_login_at"]

    def save_model(self, request, obj, form, change):
        services.kiosk_save(form=form)
