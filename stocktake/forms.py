from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Location
from library import params
from stocktake.exceptions import StocktakeError
from stocktake.models import StocktakeScan
from stocktake.services import call_range_keys, class_prefixes_normalize

# A scan's code is kept as typed in the scan's row: no longer than its column (a longer code is no
# barcode of ours; cutting it could make it one).
BARCODE_MAX = StocktakeScan._meta.get_field("barcode").max_length


def _locations():
    return Location.objects.filter(is_active=True).order_by("position", "name")


class OpenForm(forms.Form):
    name = forms.CharField(label=_("盘点名称"), max_length=100)
    locations = forms.ModelMultipleChoiceField(
        label=_("馆藏地点"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为全部地点"),
    )
    class_prefixes = forms.CharField(
        label=_("分类号范围"),
        max_length=200,
        required=False,
        help_text=_("中图法分类号开头，以空格分隔，如 I K；留空为全部"),
    )

    call_from = forms.CharField(label=_("索书号起"), max_length=100, required=False, help_text=_("如 I2 或 I247.5/12"))
    call_to = forms.CharField(
        label=_("索书号止"), max_length=100, required=False, help_text=_("只写分类号则包括该类全部图书，如 I29")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = _locations()
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_class_prefixes(self):
        try:
            return class_prefixes_normalize(self.cleaned_data.get("class_prefixes", ""))
        except StocktakeError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        try:
            call_range_keys(data.get("call_from", ""), data.get("call_to", ""))
        except StocktakeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class ScanForm(forms.Form):
    barcode = forms.CharField(label=_("条码"), max_length=BARCODE_MAX)
    location = forms.ModelChoiceField(label=_("正在盘点的地点"), queryset=Location.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _locations()


class ScanInputForm(forms.Form):
    """A scan as posted by the page: the code and the location's id, checked without a query (the
    scan's statement checks that the location exists; see services.scan_record)."""

    barcode = forms.CharField(max_length=BARCODE_MAX, error_messages={"required": _("请扫描图书条码。")})
    location = forms.CharField(required=False, max_length=19)  # an id: at most 19 digits (bigint)

    def clean_location(self) -> int | None:
        raw = self.cleaned_data.get("location") or ""
        if not raw:
            return None
        value = params.parse_int(raw, min_value=1)
        if value is None:
            raise forms.ValidationError(_("请选择正在盘点的地点。"))
        return value


class UploadForm(forms.Form):
    file = forms.FileField(label=_("盘点机文件"), help_text=_("文本文件，每行一个条码，后面可以跟扫描时间"))
    location = forms.ModelChoiceField(label=_("扫描地点"), queryset=Location.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = _locations()
        self.helper = FormHelper()
        self.helper.form_tag = False


class CopyChoiceForm(forms.Form):
    copy = forms.IntegerField(min_value=1, max_value=params.BIGINT_MAX)
