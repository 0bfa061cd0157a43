from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from selfcheck.models import Kiosk


class CardForm(forms.Form):
    card = forms.CharField(label=_("借书证号"), max_length=32)


class ScanForm(forms.Form):
    BORROW, RETURN = "borrow", "return"

    barcode = forms.CharField(label=_("图书条码"), max_length=32)
    mode = forms.ChoiceField(choices=[(BORROW, _("借书")), (RETURN, _("还书"))])


class KioskForm(forms.ModelForm):
    """A kiosk account; the password is typed in clear once and stored hashed (services.kiosk_save)."""

    new_password = forms.CharField(
        label=_("新密码"),
        required=False,
        min_length=8,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("自助借还机登录用的密码（CO）。留空则不修改。"),
    )

    class Meta:
        model = Kiosk
        fields = ["name", "description", "encoding", "pin_policy", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("保存")))

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("new_password"):
            self.add_error("new_password", _("新建自助借还机时必须设置密码。"))
        return cleaned
