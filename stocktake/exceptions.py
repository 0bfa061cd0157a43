"""Domain errors of stocktaking; each carries a Chinese message for the user."""

from django.utils.translation import gettext_lazy as _


class StocktakeError(Exception):
    default_message = _("操作未完成。")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ScopeOverlap(StocktakeError):
    default_message = _("所选范围内有图书正在另一次盘点中。")


class StocktakeClosed(StocktakeError):
    default_message = _("这次盘点已经结束。")


class ApprovalRefused(StocktakeError):
    default_message = _("注销需要另一位管理员审批。")
