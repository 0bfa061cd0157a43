"""Self-service machines (自助借还机) that connect over SIP2, each with its own account."""

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kiosk(models.Model):
    """A SIP2 account: the machine logs in (93) with `name` and its password; its loans and returns
    are logged with `name` as the desk (流通台)."""

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        GB18030 = "gb18030", "GB18030"

    class PinPolicy(models.TextChoices):
        NONE = "none", _("不需要密码（凭借书证借还）")
        ACCOUNT = "account", _("有登录账号的读者须输入登录密码")

    name = models.CharField(
        _("登录名"),
        max_length=40,
        unique=True,
        help_text=_("自助借还机登录用的用户名（CN），也作为流通记录中的“流通台”名称。"),
    )
    description = models.CharField(_("位置说明"), max_length=100, blank=True)
    password = models.CharField(_("密码（加密保存）"), max_length=128)
    encoding = models.CharField(_("字符编码"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8)
    pin_policy = models.CharField(_("读者密码"), max_length=10, choices=PinPolicy.choices, default=PinPolicy.NONE)
    is_active = models.BooleanField(_("启用"), default=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("自助借还机")
        verbose_name_plural = _("自助借还机")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_password(self, raw: str) -> None:
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return bool(self.password) and check_password(raw, self.password)
