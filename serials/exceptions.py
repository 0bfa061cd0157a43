"""Domain errors of the periodicals; each carries a Chinese message for the user."""

from django.utils.translation import gettext_lazy as _


class SerialError(Exception):
    default_message = _("操作未完成。")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidIssn(SerialError):
    default_message = _("ISSN 校验位不对，请核对后重新输入。")


class IssueNotFound(SerialError):
    default_message = _("没有找到这一期。")
