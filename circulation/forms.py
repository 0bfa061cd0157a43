from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from circulation.models import CirculationSettings, LoanPolicy, Reader, SchoolClass, Term


class _Crispy:
    submit_label = _("保存")

    def setup_helper(self):
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class LoanPolicyForm(_Crispy, forms.ModelForm):
    class Meta:
        model = LoanPolicy
        fields = [
            "name",
            "reader_kind",
            "grade_from",
            "grade_to",
            "max_items",
            "loan_days",
            "max_renewals",
            "renewal_days",
            "overdue_blocks",
            "unpaid_blocks",
            "max_holds",
            "fine_per_day",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_helper()


class TermForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "school_year", "number", "start", "end"]
        # An <input type="date"> only accepts ISO dates: without the format, the zh-hans input format
        # (2027/01/20) is rendered and the browser shows the field empty when a term is edited.
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_helper()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
            overlap = Term.objects.filter(start__lte=end, end__gte=start)
            if self.instance.pk:
                overlap = overlap.exclude(pk=self.instance.pk)
            if overlap.exists():
                raise forms.ValidationError(_("与已有学期“%(t)s”的日期重叠。") % {"t": overlap.first().name})
        return data


class DayForm(_Crispy, forms.Form):
    submit_label = _("添加")
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(
        label=_("至（可选，连续多天）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=_("原因"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_helper()

    def clean(self):
        data = super().clean()
        day, until = data.get("day"), data.get("until")
        if day and until and (until < day or (until - day).days > 60):
            raise forms.ValidationError(_("结束日期应在开始日期之后，且不超过 60 天。"))
        return data


class SettingsForm(_Crispy, forms.ModelForm):
    class Meta:
        model = CirculationSettings
        fields = [
            "weekends_closed",
            "hold_days",
            "lost_multiplier",
            "lost_minimum",
            "severe_damage_percent",
            "soiled_percent",
            "minor_damage_percent",
            "history_rule",
            "history_years",
            "desk_idle_minutes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_helper()


class ReaderForm(_Crispy, forms.ModelForm):
    username = forms.CharField(label=_("登录账号（教师可填写用户名）"), required=False, max_length=150)

    class Meta:
        model = Reader
        fields = ["kind", "name", "student_number", "gender", "school_class", "note", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active classes, and the reader's own class even after it graduated: otherwise a former
        # pupil's form shows no class and can never be saved again.
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.school_class_id)
        )
        if self.instance.pk and self.instance.user_id:
            self.fields["username"].initial = self.instance.user.username
        self.setup_helper()

    def clean_student_number(self):
        return self.cleaned_data["student_number"] or None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("student", "collective") and not data.get("school_class"):
            self.add_error("school_class", _("学生和班级集体读者必须选择班级。"))
        elif (
            kind == "collective"
            and Reader.objects.filter(kind="collective", school_class=data["school_class"])
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            # Said here: the model's constraint would only name itself (“约束 … 是无效的”).
            self.add_error("school_class", _("该班级已有集体读者。"))
        username = (data.get("username") or "").strip()
        data["user"] = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                self.add_error("username", _("没有这个登录账号。"))
            elif Reader.objects.filter(user=user).exclude(pk=self.instance.pk).exists():
                self.add_error("username", _("这个登录账号已关联其他读者。"))
            else:
                data["user"] = user
        return data


class SchoolClassForm(_Crispy, forms.ModelForm):
    head_teacher_username = forms.CharField(label=_("班主任登录账号"), required=False, max_length=150)

    class Meta:
        model = SchoolClass
        fields = ["stage", "entry_year", "number", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.head_teacher_id:
            self.fields["head_teacher_username"].initial = self.instance.head_teacher.username
        self.setup_helper()

    def clean(self):
        data = super().clean()
        username = (data.get("head_teacher_username") or "").strip()
        data["head_teacher"] = None
        if username:
            data["head_teacher"] = User.objects.filter(username=username).first()
            if data["head_teacher"] is None:
                self.add_error("head_teacher_username", _("没有这个登录账号。"))
        return data
