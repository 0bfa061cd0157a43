"""Periodicals (报刊): titles, the year's subscriptions, the expected issues and bound volumes."""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("日报")
    WEEKLY = "weekly", _("周报/周刊")
    SEMIMONTHLY = "semimonthly", _("半月刊")
    MONTHLY = "monthly", _("月刊")
    BIMONTHLY = "bimonthly", _("双月刊")
    QUARTERLY = "quarterly", _("季刊")
    CUSTOM = "custom", _("其他（每年期数）")


# Issues a year, and the days after the expected date an issue may still come before it counts
# as missing (post to a school is slow; a quarterly may be weeks late).
ISSUES_PER_YEAR = {"daily": 365, "weekly": 52, "semimonthly": 24, "monthly": 12, "bimonthly": 6, "quarterly": 4}
GRACE_DAYS = {"daily": 5, "weekly": 10, "semimonthly": 15, "monthly": 20, "bimonthly": 30, "quarterly": 45}


class Serial(models.Model):
    """A newspaper or magazine title (报刊)."""

    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", _("报纸")
        MAGAZINE = "magazine", _("期刊")

    title = models.CharField(_("刊名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.MAGAZINE)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True, help_text=_("如 1234-5679"))
    cn_number = models.CharField(_("国内统一刊号"), max_length=30, blank=True, help_text=_("如 CN 11-1234/G4"))
    postal_code = models.CharField(_("邮发代号"), max_length=20, blank=True, help_text=_("如 2-123"))
    publisher = models.CharField(_("出版者"), max_length=200, blank=True)
    frequency = models.CharField(_("刊期"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    issues_per_year = models.PositiveSmallIntegerField(
        _("每年期数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("刊期为“其他”时填写"),
    )
    clc = models.CharField(_("分类号"), max_length=60, blank=True, help_text=_("装订合订本时用于索书号，如 G62"))
    book_number = models.CharField(_("种次号"), max_length=20, blank=True, editable=False)
    is_active = models.BooleanField(_("在订"), default=True)

    class Lending(models.TextChoices):
        READING_ROOM = "reading_room", _("仅阅览")
        LENDABLE = "lendable", _("可外借")

    # Current issues (现刊): read in the reading room, or lent at the desk by rules of their own.
    # A lendable title's issues get a copy each (with a barcode) when checked in, under `record`.
    lending = models.CharField(_("现刊借阅"), max_length=20, choices=Lending.choices, default=Lending.READING_ROOM)
    loan_days = models.PositiveSmallIntegerField(
        _("现刊借期（天）"), default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    counts_toward_limit = models.BooleanField(
        _("计入读者可借册数"), default=True, help_text=_("不勾选：借期刊不占借书的册数")
    )
    location = models.ForeignKey(
        "catalog.Location",
        verbose_name=_("现刊馆藏地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("可外借的现刊登到后放在哪里"),
    )
    record = models.OneToOneField(
        "catalog.Record",
        verbose_name=_("现刊书目"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="current_issues_of",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报刊")
        verbose_name_plural = _("报刊")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["issn"], condition=~Q(issn=""), name="serials_serial_issn_unique"),
            models.CheckConstraint(
                condition=~Q(frequency="custom") | Q(issues_per_year__isnull=False),
                name="serials_serial_custom_has_issues",
            ),
            models.CheckConstraint(
                condition=~Q(lending="lendable") | Q(location__isnull=False),
                name="serials_serial_lendable_has_location",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def yearly_issues(self) -> int:
        if self.frequency == Frequency.CUSTOM:
            return self.issues_per_year or 1
        return ISSUES_PER_YEAR[self.frequency]

    @property
    def grace_days(self) -> int:
        if self.frequency == Frequency.CUSTOM:
            return max(5, 365 // (self.issues_per_year or 1) // 2)
        return GRACE_DAYS[self.frequency]


class Subscription(models.Model):
    """One title subscribed for one year: where from, how many copies, at what price, which months."""

    class Source(models.TextChoices):
        POST_OFFICE = "post_office", _("邮局")
        COUNTY_STATION = "county_station", _("县图书站")
        AGENT = "agent", _("代理商")

    serial = models.ForeignKey(Serial, verbose_name=_("报刊"), on_delete=models.PROTECT, related_name="subscriptions")
    year = models.PositiveSmallIntegerField(
        _("订阅年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("订购渠道"), max_length=20, choices=Source.choices, default=Source.POST_OFFICE)
    source_name = models.CharField(_("渠道名称"), max_length=100, blank=True, help_text=_("如 县邮政局、某代理商"))
    copies = models.PositiveSmallIntegerField(_("份数"), default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("全年单价（元）"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    start_month = models.PositiveSmallIntegerField(
        _("起订月"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    end_month = models.PositiveSmallIntegerField(
        _("止订月"), default=12, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        ordering = ["-year", "serial__title"]
        constraints = [
            models.UniqueConstraint(fields=["serial", "year"], name="serials_subscription_one_per_year"),
            models.CheckConstraint(
                condition=Q(start_month__lte=models.F("end_month")), name="serials_subscription_months_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.year}"

    @property
    def total(self):
        return self.unit_price * self.copies


class BoundVolume(models.Model):
    """A 合订本: issues bound together, catalogued as a Record with one Copy that circulates."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("订阅"), on_delete=models.PROTECT, related_name="bound_volumes"
    )
    label = models.CharField(_("合订本"), max_length=60)
    copy = models.OneToOneField(
        "catalog.Copy", verbose_name=_("复本"), on_delete=models.PROTECT, related_name="bound_volume"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("合订本")
        verbose_name_plural = _("合订本")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label


class Issue(models.Model):
    """One expected issue of a subscription (predicted from the frequency), and its arrival."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("订阅"), on_delete=models.CASCADE, related_name="issues"
    )
    number = models.PositiveSmallIntegerField(_("期号"))
    expected_on = models.DateField(_("应到日期"))
    received_on = models.DateField(_("到刊日期"), null=True, blank=True)
    received_copies = models.PositiveSmallIntegerField(_("到刊份数"), default=0)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_on = models.DateField(_("催缺日期"), null=True, blank=True)
    bound_volume = models.ForeignKey(
        BoundVolume, verbose_name=_("合订本"), null=True, blank=True, on_delete=models.PROTECT, related_name="issues"
    )

    class Meta:
        verbose_name = _("期")
        verbose_name_plural = _("期")
        ordering = ["subscription", "number"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "number"], name="serials_issue_number_unique"),
            models.CheckConstraint(
                condition=Q(bound_volume__isnull=True) | Q(received_on__isnull=False),
                name="serials_issue_bound_was_received",
            ),
        ]
        indexes = [models.Index(fields=["received_on", "expected_on"], name="serials_issue_arrival")]

    def __str__(self) -> str:
        return _("%(year)s年第%(n)s期") % {"year": self.subscription.year, "n": self.number}

    def due_by(self, grace: int) -> date:
        return self.expected_on + timedelta(days=grace)

    def state(self, today: date, grace: int) -> str:
        """received / late (received after the grace) / missing (overdue, not received) / expected."""
        if self.received_on:
            return "late" if self.received_on > self.due_by(grace) else "received"
        return "missing" if today > self.due_by(grace) else "expected"


class IssueCopy(models.Model):
    """The copy (with its barcode) of a checked-in issue of a lendable title: the desk lends it,
    returns, stocktake and the reports see it like any copy. Written off when the issue is bound."""

    issue = models.ForeignKey(Issue, verbose_name=_("期"), on_delete=models.PROTECT, related_name="copies")
    copy = models.OneToOneField(
        "catalog.Copy", verbose_name=_("复本"), on_delete=models.PROTECT, related_name="serial_issue"
    )

    class Meta:
        verbose_name = _("现刊复本")
        verbose_name_plural = _("现刊复本")
