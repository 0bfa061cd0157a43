from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


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
