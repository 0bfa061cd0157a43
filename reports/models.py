"""Standards the reports compare against: editable data (back office), loaded with the defaults of
statistics.md by the data migration 0002."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class HoldingsStandard(models.Model):
    """附件1 藏书量: volumes per student etc. for one school type (2018 规程 by default)."""

    class SchoolType(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初级中学")
        SENIOR = "senior", _("高级中学")
        COMPLETE = "complete", _("完全中学")

    school_type = models.CharField(_("学校类型"), max_length=20, choices=SchoolType.choices, unique=True)
    volumes_per_student = models.DecimalField(
        _("生均藏书（册）"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    new_per_student = models.DecimalField(
        _("年生均新增（册）"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    periodical_titles = models.PositiveIntegerField(_("报刊（种）"))
    reference_titles = models.PositiveIntegerField(_("工具书、教学参考书（种）"))
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("藏书量标准")
        verbose_name_plural = _("藏书量标准")
        ordering = ["school_type"]

    def __str__(self) -> str:
        return str(self.get_school_type_display())


class CollectionTarget(models.Model):
    """附件2 藏书分类比例: the recommended share of one 部类 for primary or secondary schools."""

    class Level(models.TextChoices):
        PRIMARY = "primary", _("小学")
        SECONDARY = "secondary", _("中学")

    level = models.CharField(_("学段"), max_length=10, choices=Level.choices)
    division = models.PositiveSmallIntegerField(_("部类序号"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    name = models.CharField(_("部类名称"), max_length=60)
    classes = models.CharField(_("包含的基本大类"), max_length=30, help_text=_("中图法基本大类字母，如 CDEFGHIJK"))
    percent = models.DecimalField(
        _("推荐比例（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("藏书分类比例标准")
        verbose_name_plural = _("藏书分类比例标准")
        ordering = ["level", "division"]
        constraints = [
            models.UniqueConstraint(fields=["level", "division"], name="reports_collectiontarget_unique_division"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.name}"


class ReportSettings(models.Model):
    """Thresholds of the collection analysis (one row)."""

    duplicate_cap = models.PositiveSmallIntegerField(
        _("复本上限（册/种）"), default=5, validators=[MinValueValidator(1)]
    )
    structure_tolerance = models.PositiveSmallIntegerField(
        _("藏书结构容差（%）"),
        default=20,
        help_text=_("实际比例低于推荐比例×(1-容差) 标记为偏低，高于推荐比例×(1+容差) 标记为偏高"),
        validators=[MaxValueValidator(100)],
    )
    never_borrowed_years = models.PositiveSmallIntegerField(
        _("剔旧候选：未借阅年数"), default=3, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("统计报表设置")
        verbose_name_plural = _("统计报表设置")

    def __str__(self) -> str:
        return str(_("统计报表设置"))

    @classmethod
    def current(cls) -> "ReportSettings":
        obj = cls.objects.order_by("pk").first()
        return obj or cls.objects.create()


class SummaryCache(models.Model):
    """The computed figures of a finished period (a finished term never changes), keyed by period,
    compared period and language. `fingerprint` is the data's change mark when they were computed
    (reports.changes); after any later write it differs and the figures are computed again.

    `figures` is plain JSON (reports.selectors.codec). `data` held a pickle before migration 0004 and is
    no longer read or written; it stays (empty) so code from before 0004 still runs on a migrated
    database (the shared benchmark database), and can be dropped once every branch has 0004."""

    key = models.CharField(max_length=200, unique=True)
    fingerprint = models.CharField(max_length=400)
    figures = models.JSONField(null=True)
    data = models.BinaryField(default=b"", editable=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("统计结果缓存")
        verbose_name_plural = _("统计结果缓存")
