"""Domain errors of circulation: each carries a Chinese message meant for the person at the desk."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CirculationError(Exception):
    default_message = _("操作失败")

    def __init__(self, message: str | None = None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class UnknownBarcode(CirculationError):
    default_message = _("条码不存在")


class UnknownReader(CirculationError):
    default_message = _("读者不存在，请重新扫描借书证")


class UnknownCard(CirculationError):
    default_message = _("借书证号不存在")


class CopyNotAvailable(CirculationError):
    default_message = _("此书不可借")


class CopyReservedForOther(CopyNotAvailable):
    default_message = _("此书已为其他读者预约保留")


class LoanLimitReached(CirculationError):
    default_message = _("已达到可借册数上限")


class ReaderBlocked(CirculationError):
    default_message = _("该读者暂不能借书")


class CardProblem(ReaderBlocked):
    default_message = _("借书证无效")


class NoPolicy(CirculationError):
    default_message = _("没有适用于该读者的借阅规则")


class NotOnLoan(CirculationError):
    default_message = _("此书未借出，无需归还")


class RenewalRefused(CirculationError):
    default_message = _("不能续借")


class HoldRefused(CirculationError):
    default_message = _("不能预约")


class CardError(CirculationError):
    default_message = _("借书证操作失败")


class CompensationError(CirculationError):
    default_message = _("赔偿操作失败")


class RosterError(CirculationError):
    default_message = _("名单有错误，未导入任何数据")


class RolloverError(CirculationError):
    default_message = _("不能执行升级")


class NotPermitted(CirculationError):
    default_message = _("您没有权限执行此操作")


class NeedsConfirmation(CirculationError):
    """The loan is allowed, but the librarian should look first (the same title already on loan to
    the reader, a book above the pupil's reading level, a reference copy). Lending it anyway is an
    override: the caller passes confirm=True and the checkout's log row says what was confirmed."""

    default_message = _("请确认后再借出")

    def __init__(self, warnings: list[str]):
        self.warnings = [str(w) for w in warnings]
        super().__init__(gettext("；").join(self.warnings))
