from django import forms
from django.utils.translation import gettext_lazy as _


class CardForm(forms.Form):
    card = forms.CharField(label=_("借书证号"), max_length=32)


class ScanForm(forms.Form):
    BORROW, RETURN = "borrow", "return"

    barcode = forms.CharField(label=_("图书条码"), max_length=32)
    mode = forms.ChoiceField(choices=[(BORROW, _("借书")), (RETURN, _("还书"))])
