from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from catalog import covers, marc, selectors, services
from catalog.exceptions import InvalidClassNumber, InvalidIsbn
from catalog.models import (
    LANGUAGES,
    AcquisitionBatch,
    Copy,
    CopySource,
    IsbnSharedReason,
    Location,
    Record,
    WithdrawalBatch,
    WithdrawalReason,
    Z3950Target,
)


class ClcPicker:
    """A crispy layout object: under the 中图法 field, the chosen class's name and the classes that
    match what is typed (a code's start or words of a name), filled by htmx (catalog:clc_search)."""

    def __init__(self, field_name: str = "clc"):
        self.field_name = field_name

    def render(self, form, context, template_pack=None, **kwargs):
        value = form[self.field_name].value() or ""
        name, exact = selectors.clc_name(str(value)) if value else ("", False)
        return render_to_string("catalog/_clc_picker.html", {"code": value, "name": name, "exact": exact})


class RecordForm(forms.ModelForm):
    """Bibliographic data; ISBN and class number are validated and normalised here."""

    isbn = forms.CharField(
        label="ISBN", max_length=20, required=False, help_text=_("ISBN-10 或 ISBN-13，可带连字符；没有 ISBN 可不填。")
    )

    class Meta:
        model = Record
        # The record fields the services write, ISBN first (it is scanned first).
        fields = ["isbn", *(name for name in services.RECORD_FIELDS if name != "isbn")]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "clc": _("输入分类号（如 I287.5）或类名中的词（如 童话），在下面的列表中选择；可用比分类表更细的号码。"),
            "book_number": _("留空则自动取该分类号的下一个种次号。"),
        }

    language = forms.ChoiceField(label=_("语种"), choices=LANGUAGES, initial="chi")

    cover_upload = forms.FileField(
        label=_("封面图片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,image/bmp"}),
        help_text=_("拍下或扫描封面，JPEG/PNG 等图片，不超过 5 MB；没有封面时自动生成一张。"),
    )
    cover_clear = forms.BooleanField(label=_("删除已上传的封面"), required=False)

    def __init__(self, *args, upload_too_large: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # A file over IMPORT_MAX_BYTES never arrives (library.uploadhandlers): say so, not nothing.
        self.upload_too_large = upload_too_large
        self.fields["isbn"].widget.attrs["autofocus"] = True
        self.fields["clc"].required = True
        self.fields["clc"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse_lazy("catalog:clc_search"),
                "hx-trigger": "input changed delay:200ms, change",
                "hx-target": "#clc-picker",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "data-clc-input": "",
            }
        )
        # 语种 is a list; a code stored before (or imported) that the list lacks stays choosable.
        current = self.instance.language if self.instance.pk else self.initial.get("language")
        known = {code for code, _label in LANGUAGES}
        if current and current not in known and len(str(current)) <= 3:
            self.fields["language"].choices = [*LANGUAGES, (current, current)]
        if not (self.instance.pk and self.instance.cover):
            del self.fields["cover_clear"]
        self.warnings: list[str] = []
        self.cover_bytes: bytes | None = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        names = list(self.fields)
        at = names.index("clc") + 1
        self.helper.layout = Layout(*names[:at], ClcPicker("clc"), *names[at:])

    def _get_validation_exclusions(self):
        # The 种次号 constraint is checked by the service (catalog.services.record_create/update),
        # which assigns the number and whose message names the title that already has it.
        exclude = super()._get_validation_exclusions()
        exclude.add("book_number")
        return exclude

    def clean_isbn(self):
        try:
            return services.isbn_normalize(self.cleaned_data.get("isbn", ""))
        except InvalidIsbn as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_clc(self):
        try:
            code, warning = services.class_number_check(self.cleaned_data.get("clc", ""))
        except InvalidClassNumber as exc:
            raise forms.ValidationError(str(exc)) from exc
        if warning:
            self.warnings.append(warning)
        return code

    def clean_unified_number(self):
        raw = self.cleaned_data.get("unified_number", "").strip()
        if not raw:
            return ""
        number = services.unified_number_normalize(raw)
        if not number:
            raise forms.ValidationError(_("统一书号应为“出版社代号·序号”，如 10019·1234。"))
        return number

    def clean_book_number(self):
        return self.cleaned_data.get("book_number", "").strip().replace("/", "")

    def clean_cover_upload(self):
        upload = self.cleaned_data.get("cover_upload")
        if self.upload_too_large:
            raise forms.ValidationError(
                _("封面图片不能超过 %(mb)s MB。") % {"mb": covers.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if upload:
            try:
                self.cover_bytes = covers.prepare(upload)
            except covers.InvalidCover as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload

    def save_cover(self, record: Record) -> None:
        """After the record is saved: store the uploaded cover, or remove it when asked."""
        if self.cover_bytes:
            covers.cover_set(record=record, content=self.cover_bytes)
        elif self.cleaned_data.get("cover_clear"):
            covers.cover_remove(record=record)


class MarcFormatForm(forms.Form):
    """The MARC format and character set of an uploaded file (the MARC import, the source pool):
    detected from the file unless chosen. Upload forms add their own fields and `field_order`."""

    flavour = forms.ChoiceField(
        label=_("MARC 格式"),
        choices=[("auto", _("自动识别")), ("cnmarc", "CNMARC"), ("marc21", "MARC21")],
        required=False,
    )
    encoding = forms.ChoiceField(
        label=_("字符编码"),
        choices=[("auto", _("自动识别"))] + list(marc.ENCODINGS.items()),
        required=False,
        help_text=_(
            "书商和联合目录提供的 CNMARC 文件常用 GBK（GB18030）编码，较早的 MARC21 文件常用 MARC-8；自动识别一般即可。"
        ),
    )


class IsbnSharedForm(forms.Form):
    """The explicit choice that lets a record carry an ISBN another record has."""

    isbn_shared_reason = forms.ChoiceField(
        label=_("同一ISBN的另一种书：多卷书/不同版本"),
        choices=IsbnSharedReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )


class NewCopiesForm(forms.Form):
    copies = forms.IntegerField(label=_("复本数"), min_value=1, max_value=500, initial=1)
    location = forms.ModelChoiceField(label=_("馆藏地点"), queryset=Location.objects.filter(is_active=True))
    copy_price = forms.DecimalField(
        label=_("单册价格"), required=False, min_value=0, max_digits=9, decimal_places=2, help_text=_("留空则用定价")
    )
    source = forms.ChoiceField(label=_("来源"), choices=CopySource.choices, initial=CopySource.PURCHASE)
    batch = forms.ModelChoiceField(label=_("验收批次"), queryset=AcquisitionBatch.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].initial = Location.objects.filter(is_active=True).order_by("position", "pk").first()
        # The latest 30 batches. Not a sliced queryset: ModelChoiceField validates the choice with
        # queryset.get(), which a sliced queryset refuses (every chosen batch would be "invalid").
        latest = AcquisitionBatch.objects.order_by("-received_on", "-id").values("pk")[:30]
        self.fields["batch"].queryset = AcquisitionBatch.objects.filter(pk__in=latest).order_by("-received_on", "-id")
        self.helper = FormHelper()
        self.helper.form_tag = False


class CopyForm(forms.ModelForm):
    class Meta:
        model = Copy
        fields = ["location", "price", "volume_label", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False


class BatchForm(forms.ModelForm):
    class Meta:
        model = AcquisitionBatch
        fields = ["received_on", "supplier", "invoice_number", "invoice_total", "source", "note"]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    source = forms.ChoiceField(label=_("来源"), choices=CopySource.choices, initial=CopySource.PURCHASE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = date.today
        self.helper = FormHelper()
        self.helper.form_tag = False


class WithdrawalForm(forms.ModelForm):
    barcodes = forms.CharField(
        label=_("登记号"),
        # About 3,000 barcodes: a batch beyond that is split (and a megabyte of text is refused).
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": _("每行一个登记号，可用扫描枪逐本扫入")}),
    )

    class Meta:
        model = WithdrawalBatch
        fields = ["withdrawn_on", "reason", "approver", "disposal", "note"]
        widgets = {"withdrawn_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = date.today
        self.fields["reason"].choices = WithdrawalReason.choices
        self.helper = FormHelper()
        self.helper.form_tag = False

    def barcode_list(self) -> list[str]:
        raw = self.cleaned_data.get("barcodes", "")
        return [b for b in raw.replace(",", "\n").replace("，", "\n").split() if b.strip()]


class RepairSendForm(forms.Form):
    """送修: a scanned barcode and what is wrong with the book."""

    barcode = forms.CharField(label=_("登记号"), max_length=32)
    damage = forms.CharField(label=_("破损情况"), max_length=200)


class RepairFinishForm(forms.Form):
    """The chosen copies in repair, and what becomes of them."""

    OUTCOMES = [("shelf", _("修好上架")), ("withdraw", _("无法修复，注销"))]

    copies = forms.ModelMultipleChoiceField(queryset=Copy.objects.all(), label=_("图书"))
    outcome = forms.ChoiceField(choices=OUTCOMES, label=_("处理"))
    approver = forms.CharField(label=_("审批人"), max_length=60, required=False)


class Z3950TargetForm(forms.ModelForm):
    """A Z39.50 server's settings. The password is kept when the field is left empty."""

    HOST_PATTERN = (
        r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
    )

    host = forms.RegexField(
        label=_("主机"),
        regex=HOST_PATTERN,
        max_length=200,
        help_text=_("服务器的域名或 IP 地址，如 z3950.example.cn 或 192.168.1.20"),
        error_messages={"invalid": _("请填写域名或 IP 地址（字母、数字、点和连字符）。")},
    )
    port = forms.IntegerField(label=_("端口"), min_value=1, max_value=65535, initial=210)
    timeout = forms.IntegerField(
        label=_("超时（秒）"), min_value=1, max_value=120, initial=10, help_text=_("等不到回答时，多少秒后放弃")
    )
    password = forms.CharField(
        label=_("密码"),
        required=False,
        max_length=100,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("服务器要求登录时才填；修改时留空则不变。"),
    )

    class Meta:
        model = Z3950Target
        fields = ["name", "host", "port", "database", "syntax", "encoding", "timeout", "enabled", "position", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("保存")))
