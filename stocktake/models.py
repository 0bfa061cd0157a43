from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Copy, Location, WithdrawalBatch


class Stocktake(models.Model):
    """A 盘点: the copies in its scope are listed when it opens, scanned, and reconciled when it closes."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    name = models.CharField(_("盘点名称"), max_length=100)
    locations = models.ManyToManyField(Location, verbose_name=_("馆藏地点"), blank=True, related_name="+")
    class_prefixes = models.CharField(
        _("分类号范围"), max_length=200, blank=True, help_text=_("中图法分类号开头，以空格分隔，如 I K；留空为全部")
    )
    call_from = models.CharField(_("索书号起"), max_length=100, blank=True)
    call_to = models.CharField(_("索书号止"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    expected_count = models.PositiveIntegerField(_("应盘册数"), default=0)
    opened_at = models.DateTimeField(_("开始时间"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("盘点")
        verbose_name_plural = _("盘点")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def prefix_list(self) -> list[str]:
        return [p for p in self.class_prefixes.upper().split() if p]


class ItemResult(models.TextChoices):
    IN_PLACE = "in_place", _("在架")
    MISPLACED = "misplaced", _("错架")
    ON_LOAN = "on_loan", _("借出")
    AWAY = "away", _("修补/预约")
    MISSING = "missing", _("丢失")


class StocktakeItem(models.Model):
    """A copy expected in a stocktake's scope (listed when it opens)."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="items")
    copy = models.ForeignKey(Copy, on_delete=models.CASCADE, related_name="+")
    # True while the stocktake is open: a copy is in at most one open stocktake (no overlapping scopes).
    is_open = models.BooleanField(default=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=12, choices=ItemResult.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "copy"], name="stocktake_item_one_per_copy"),
            models.UniqueConstraint(
                fields=["copy"], condition=Q(is_open=True), name="stocktake_item_one_open_stocktake_per_copy"
            ),
        ]


class ScanResult(models.TextChoices):
    IN_PLACE = "in_place", _("在架")
    ELSEWHERE = "elsewhere", _("错架")
    ON_LOAN = "on_loan", _("借出未还")
    FOUND_AGAIN = "found_again", _("已注销/遗失却找到")
    UNKNOWN = "unknown", _("未知条码")
    DUPLICATE = "duplicate", _("重复扫描")


class StocktakeScan(models.Model):
    """One barcode seen in a stocktake (first time only: scanning again changes nothing)."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scans")
    barcode = models.CharField(_("条码"), max_length=32)
    copy = models.ForeignKey(Copy, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        Location, verbose_name=_("扫描地点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("结果"), max_length=12, choices=ScanResult.choices, blank=True)
    scanned_at = models.DateTimeField(_("扫描时间"))
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "barcode"], name="stocktake_scan_once_per_barcode"),
        ]
        indexes = [models.Index(fields=["copy"], name="stocktake_scan_copy")]


class WriteOff(models.Model):
    """注销 of a closed stocktake's missing copies: proposed by one person, approved by another."""

    stocktake = models.OneToOneField(Stocktake, on_delete=models.CASCADE, related_name="write_off")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("申请时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    batch = models.ForeignKey(
        WithdrawalBatch, verbose_name=_("注销批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
