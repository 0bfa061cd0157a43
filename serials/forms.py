from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Location
from serials import services
from serials.exceptions import InvalidIssn
from serials.models import Frequency, Serial, Subscription


class SerialForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True)
        # Reading room only unless said otherwise (a form posted without these keeps the defaults).
        self.fields["lending"].required = False
        self.fields["loan_days"].required = False

    class Meta:
        model = Serial
        fields = [
            "title",
            "kind",
            "issn",
            "cn_number",
            "postal_code",
            "publisher",
            "frequency",
            "issues_per_year",
            "clc",
            "is_active",
            "lending",
            "loan_days",
            "counts_toward_limit",
            "location",
        ]

    def clean_issn(self):
        try:
            value = services.issn_normalize(self.cleaned_data["issn"])
        except InvalidIssn as exc:
            raise forms.ValidationError(str(exc)) from exc
        if value and Serial.objects.filter(issn=value).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("已有 ISSN 为 %(issn)s 的报刊。") % {"issn": value})
        return value

    def clean_cn_number(self):
        value = " ".join(self.cleaned_data["cn_number"].upper().split())
        if value and not value.startswith("CN"):
            value = f"CN {value}"
        return value

    def clean_lending(self):
        return self.cleaned_data["lending"] or Serial.Lending.READING_ROOM

    def clean_loan_days(self):
        return self.cleaned_data["loan_days"] or Serial._meta.get_field("loan_days").default

    def clean_clc(self):
        return self.cleaned_data["clc"].strip().upper()

    def clean(self):
        data = super().clean()
        if data.get("frequency") == Frequency.CUSTOM and not data.get("issues_per_year"):
            self.add_error("issues_per_year", _("刊期为“其他”时请填写每年期数。"))
        if data.get("lending") == Serial.Lending.LENDABLE and not data.get("location"):
            self.add_error("location", _("可外借的现刊要选择馆藏地点。"))
        return data


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["year", "source", "source_name", "copies", "unit_price", "start_month", "end_month", "note"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year + 1)
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("start_month") and data.get("end_month") and data["start_month"] > data["end_month"]:
            self.add_error("end_month", _("起订月不能晚于止订月。"))
        return data


# The years the periodical pages can be asked for (a subscription's year is within them).
YEAR_MIN, YEAR_MAX = 2000, 2100


class ScanForm(forms.Form):
    code = forms.CharField(label=_("条码"), max_length=40)
    year = forms.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)


class IssuesForm(forms.Form):
    issues = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("各期"))

    def __init__(self, *args, choices_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].choices = [(i.pk, i.pk) for i in (choices_from or [])]


class BindForm(IssuesForm):
    label = forms.CharField(label=_("卷册"), max_length=60)
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True), label=_("馆藏地点"))
