from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from library.models import School


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "library_name"]


# django-axes' list of login attempts: its two computed columns carry English names that no
# catalogue can translate (they come from the method names); give them translatable ones.
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.display(description=_("状态"))
    def status(self, obj):
        return super().status(obj)

    @admin.display(description=_("过期时间"))
    def expiration(self, obj):
        return super().expiration(obj)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
