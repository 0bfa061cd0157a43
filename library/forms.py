from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class SafeModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses a value PostgreSQL would refuse (a NUL byte) before looking it up.

    ModelChoiceField looks the typed value up as it is; for a text primary key (a 中图法 class
    number) a NUL byte makes the query itself fail."""

    def to_python(self, value):
        from library.params import has_forbidden_chars

        if isinstance(value, str) and has_forbidden_chars(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeRawIdWidget(ForeignKeyRawIdWidget):
    """The back office's raw-id widget, shown again with a value holding a NUL byte: no look-up."""

    def label_and_url_for_value(self, value):
        from library.params import has_forbidden_chars

        if isinstance(value, str) and has_forbidden_chars(value):
            return "", ""
        return super().label_and_url_for_value(value)


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        # AuthenticationForm sets max_length after the field is built, so nothing enforces it: a
        # 10,000-character name would reach authenticate() and the lock-out records.
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))
        self.fields["password"].label = _("密码")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("登录"), css_class="w-100"))
