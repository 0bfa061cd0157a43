"""Domain errors of the catalogue; each carries a Chinese message for the user."""

from django.utils.translation import gettext_lazy as _


class CatalogError(Exception):
    default_message = _("操作未完成。")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidIsbn(CatalogError):
    default_message = _("ISBN 校验位不对，请核对后重新输入。")


class InvalidClassNumber(CatalogError):
    default_message = _("分类号不正确。")


class DuplicateRecord(CatalogError):
    default_message = _("馆藏中已有相同的书目。")

    def __init__(self, duplicates, message=None):
        self.duplicates = list(duplicates)
        super().__init__(message)


class IsbnShared(DuplicateRecord):
    """Another record has exactly this ISBN: a second one needs an explicit reason (多卷书/不同版本)."""

    default_message = _(
        "馆藏中已有这个 ISBN 的书目。同一种书请添加复本；确是同一 ISBN 的另一种书，请选择原因（多卷书/不同版本）。"
    )


class BookNumberTaken(CatalogError):
    default_message = _("这个种次号在本分类号下已被使用。")


class CopyNotFound(CatalogError):
    default_message = _("没有这个登记号的图书。")


class CopyNotWithdrawable(CatalogError):
    default_message = _("这本书现在不能注销。")


class ImportRejected(CatalogError):
    default_message = _("文件不能导入。")


class LabelError(CatalogError):
    default_message = _("没有可以打印的标签。")
