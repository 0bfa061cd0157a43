from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from selfcheck.models import Kiosk


class KioskAdminForm(forms.ModelForm):
    """The password is typed in clear once and stored hashed (Django's hashers)."""

    new_password = forms.CharField(
        label=_("新密码"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("自助借还机登录用的密码（CO）。留空则不修改。"),
    )

    class Meta:
        model = Kiosk
        fields = ["name", "description", "encoding", "pin_policy", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("new_password"):
            self.add_error("new_password", _("新建自助借还机时必须设置密码。"))
        return cleaned

    def save(self, commit=True):
        kiosk = super().save(commit=False)
        if self.cleaned_data.get("new_password"):
            kiosk.set_password(self.cleaned_data["new_password"])
        if commit:
            kiosk.save()
        return kiosk


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    form = KioskAdminForm
    list_display = ["name", "description", "encoding", "pin_policy", "is_active", "last_login_at"]
    list_filter = ["is_active", "encoding"]
    search_fields = ["name", "description"]
    readonly_fields = ["last_login_at"]
