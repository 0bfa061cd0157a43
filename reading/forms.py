from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Record
from circulation.models import SchoolClass, Term
from library.params import BIGINT_MAX
from reading.models import Activity, Honour, HonourRound, Prize, ReadingList, Stage

GRADES_IN_STAGE = {Stage.PRIMARY: 6, Stage.JUNIOR: 3, Stage.SENIOR: 3}


class ReadingListForm(forms.ModelForm):
    class Meta:
        model = ReadingList
        fields = ["title", "kind", "stage", "grade", "note", "featured"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"grade": _("推荐书目按年级填写，例如小学三年级填“小学”和 3；主题书展可不填。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        stage, grade = data.get("stage"), data.get("grade")
        if grade is not None and not stage:
            self.add_error("stage", _("填写年级时请选择学段。"))
        elif grade is not None and not 1 <= grade <= GRADES_IN_STAGE.get(stage, 0):
            self.add_error("grade", _("这个学段没有这个年级。"))
        return data


class ItemAddForm(forms.Form):
    record = forms.ModelChoiceField(queryset=Record.objects.all(), widget=forms.HiddenInput)
    note = forms.CharField(label=_("推荐语"), max_length=500, required=False)


class ItemNoteForm(forms.Form):
    note = forms.CharField(label=_("推荐语"), max_length=500, required=False)


class ListImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件"), help_text=_("列：题名、著者、ISBN、年级、推荐语（可先下载模板）。"))
    title = forms.CharField(
        label=_("书目名称"), max_length=100, help_text=_("有多个年级时，每个年级一份，名称后加年级。")
    )
    kind = forms.ChoiceField(label=_("类型"), choices=ReadingList.Kind.choices, initial=ReadingList.Kind.GRADE)
    stage = forms.ChoiceField(
        label=_("学段"),
        choices=Stage.choices,
        initial=Stage.PRIMARY,
        help_text=_("年级只写“3”或“三年级”时按这个学段。"),
    )
    featured = forms.BooleanField(label=_("在首页展示"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ListImportConfirmForm(forms.Form):
    """The choices of the upload step, carried through the preview to the confirmation."""

    title = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=ReadingList.Kind.choices)
    stage = forms.ChoiceField(choices=Stage.choices)
    featured = forms.BooleanField(required=False)


class ActivityForm(forms.ModelForm):
    classes = forms.ModelMultipleChoiceField(
        label=_("参加班级"),
        queryset=SchoolClass.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = ["name", "kind", "start", "end", "classes", "reading_list", "note"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data


class ParticipantAddForm(forms.Form):
    reader = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)


class ResultForm(forms.Form):
    prize = forms.ChoiceField(label=_("获奖等级"), choices=[("", _("参与"))] + Prize.choices, required=False)
    work_title = forms.CharField(label=_("作品题目"), max_length=200, required=False)
    attachment = forms.FileField(label=_("作品附件"), required=False)

    def clean_attachment(self):
        from reading import attachments

        upload = self.cleaned_data.get("attachment")
        self.prepared = None
        if upload:
            try:
                self.prepared = attachments.prepare(upload)
            except attachments.InvalidAttachment as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload


class HonourRoundForm(forms.ModelForm):
    class Meta:
        model = HonourRound
        fields = [
            "term",
            "title",
            "scope",
            "stars_per_class",
            "active_per_class",
            "min_loans",
            "overdue_disqualifies",
            "classes_count",
            "notes_weight",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.order_by("-start")
        self.helper = FormHelper()
        self.helper.form_tag = False


class HonourAddForm(forms.Form):
    reader = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)
    kind = forms.ChoiceField(
        choices=[(Honour.Kind.STAR, Honour.Kind.STAR.label), (Honour.Kind.ACTIVE, Honour.Kind.ACTIVE.label)]
    )


class ReadingNoteForm(forms.Form):
    reader = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)
    book_title = forms.CharField(label=_("书名"), max_length=300)
    written_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("笔记摘要"), max_length=2000, required=False)
