from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Copy, Record

STAGE_GRADES = {"primary": 6, "junior": 3, "senior": 3}


def school_year_of(day: date) -> int:
    """The calendar year a school year starts in: 2025 for 2025-09-01 .. 2026-08-31."""
    return day.year if day.month >= 8 else day.year - 1


class SchoolClass(models.Model):
    """A class (班级), identified by its entry year: its grade follows from the school year."""

    class Stage(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("高中")

    stage = models.CharField(_("学段"), max_length=10, choices=Stage.choices, default=Stage.PRIMARY)
    entry_year = models.PositiveSmallIntegerField(_("入学年份"))
    number = models.PositiveSmallIntegerField(_("班号"))
    head_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("班主任"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="head_of_classes",
    )
    is_active = models.BooleanField(_("在读"), default=True)
    graduated_on = models.DateField(_("毕业日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["stage", "-entry_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "entry_year", "number"], name="circulation_schoolclass_unique"),
        ]

    def grade_on(self, day: date) -> int:
        return school_year_of(day) - self.entry_year + 1

    def name_on(self, day: date) -> str:
        from circulation.naming import class_name

        return class_name(self.stage, self.grade_on(day), self.number)

    def __str__(self) -> str:
        from django.utils import timezone

        return self.name_on(timezone.localdate())


class ReaderKind(models.TextChoices):
    STUDENT = "student", _("学生")
    TEACHER = "teacher", _("教师")
    STAFF = "staff", _("职工")
    COLLECTIVE = "collective", _("班级集体")


class Reader(models.Model):
    """Somebody (or a class collective) who borrows books."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    kind = models.CharField(
        _("读者类型"), max_length=12, choices=ReaderKind.choices, default=ReaderKind.STUDENT, db_index=True
    )
    name = models.CharField(_("姓名"), max_length=60)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, blank=True)
    student_number = models.CharField(_("学号/工号"), max_length=30, null=True, blank=True, unique=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="readers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reader",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    left_on = models.DateField(_("离校日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("读者")
        verbose_name_plural = _("读者")
        ordering = ["kind", "student_number", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="student") | Q(school_class__isnull=False) | Q(is_active=False),
                name="circulation_reader_student_has_class",
            ),
            models.UniqueConstraint(
                fields=["school_class"],
                condition=Q(kind="collective"),
                name="circulation_reader_one_collective_per_class",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LibraryCard(models.Model):
    """借书证. A reader has at most one valid card (database constraint)."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        LOST = "lost", _("挂失")
        REPLACED = "replaced", _("已补办")
        CANCELLED = "cancelled", _("已注销")

    reader = models.ForeignKey(Reader, verbose_name=_("读者"), on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("证号"), max_length=32, unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VALID)
    issued_at = models.DateTimeField(_("办证时间"))
    ended_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("借书证")
        verbose_name_plural = _("借书证")
        constraints = [
            models.UniqueConstraint(
                fields=["reader"], condition=Q(status="valid"), name="circulation_librarycard_one_valid_per_reader"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class LoanPolicy(models.Model):
    """Loan rules for a reader type, optionally for a grade range (most specific wins)."""

    name = models.CharField(_("名称"), max_length=60)
    reader_kind = models.CharField(_("读者类型"), max_length=12, choices=ReaderKind.choices)
    grade_from = models.PositiveSmallIntegerField(_("起始年级"), null=True, blank=True)
    grade_to = models.PositiveSmallIntegerField(_("截止年级"), null=True, blank=True)
    max_items = models.PositiveSmallIntegerField(_("可借册数"))
    loan_days = models.PositiveSmallIntegerField(_("借期（天）"))
    max_renewals = models.PositiveSmallIntegerField(_("可续借次数"), default=1)
    renewal_days = models.PositiveSmallIntegerField(_("续借期（天）"), default=14)
    overdue_blocks = models.BooleanField(_("有逾期时禁止借书"), default=True)
    unpaid_blocks = models.BooleanField(_("有未缴赔偿时禁止借书"), default=True)
    max_holds = models.PositiveSmallIntegerField(_("可预约册数"), default=2)
    fine_per_day = models.DecimalField(
        _("逾期费（元/天）"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("0 表示不收逾期费（默认）。收费时，归还逾期图书会按逾期天数登记一笔逾期费。"),
    )

    class Meta:
        verbose_name = _("借阅规则")
        verbose_name_plural = _("借阅规则")
        ordering = ["reader_kind", "grade_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__isnull=True)
                | Q(grade_to__isnull=True)
                | Q(grade_from__lte=models.F("grade_to")),
                name="circulation_loanpolicy_grade_range",
            ),
            models.CheckConstraint(condition=Q(fine_per_day__gte=0), name="circulation_loanpolicy_fine_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class TitleLoanRule(models.Model):
    """A title lent by rules of its own instead of the reader's LoanPolicy (current periodical
    issues): whether its copies may leave the library at all, for how many days, and whether they
    count toward the reader's limit. Kept by the app that owns the title (serials)."""

    record = models.OneToOneField(Record, verbose_name=_("书目"), on_delete=models.CASCADE, related_name="loan_rule")
    name = models.CharField(_("类型"), max_length=20, default="期刊")
    lendable = models.BooleanField(_("可外借"), default=False)
    loan_days = models.PositiveSmallIntegerField(
        _("借期（天）"), default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    counts_toward_limit = models.BooleanField(_("计入可借册数"), default=True)

    class Meta:
        verbose_name = _("单种借阅规则")
        verbose_name_plural = _("单种借阅规则")
        constraints = [
            models.CheckConstraint(condition=Q(loan_days__gte=1), name="circulation_titleloanrule_loan_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.name}"


class Term(models.Model):
    """学期, e.g. 2025—2026学年第一学期."""

    name = models.CharField(_("学期名称"), max_length=60, unique=True)
    school_year = models.PositiveSmallIntegerField(_("学年起始年份"))
    number = models.PositiveSmallIntegerField(_("学期序号"), choices=[(1, _("第一学期")), (2, _("第二学期"))])
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="circulation_term_start_before_end"),
            models.UniqueConstraint(fields=["school_year", "number"], name="circulation_term_unique_number"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (circulation.naming.term_label)."""
        from circulation.naming import term_label

        return term_label(self.name, self.school_year, self.number)


class ClosedDay(models.Model):
    """A day the library is closed (holiday); weekends are closed by the calendar setting."""

    day = models.DateField(_("日期"), unique=True)
    reason = models.CharField(_("原因"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("闭馆日")
        verbose_name_plural = _("闭馆日")
        ordering = ["day"]


class OpenDay(models.Model):
    """A weekend day that is a working day (调休上班): the library is open."""

    day = models.DateField(_("日期"), unique=True)
    reason = models.CharField(_("原因"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("调休开馆日")
        verbose_name_plural = _("调休开馆日")
        ordering = ["day"]


class CirculationSettings(models.Model):
    """Desk-wide settings (one row)."""

    weekends_closed = models.BooleanField(_("周末闭馆"), default=True)
    hold_days = models.PositiveSmallIntegerField(_("预约保留天数"), default=3)
    lost_multiplier = models.DecimalField(_("遗失赔偿倍数"), max_digits=5, decimal_places=2, default=2)
    lost_minimum = models.DecimalField(_("遗失最低赔偿（元）"), max_digits=8, decimal_places=2, default=10)
    severe_damage_percent = models.PositiveSmallIntegerField(_("严重破损赔偿比例（%）"), default=100)
    soiled_percent = models.PositiveSmallIntegerField(_("污损赔偿比例（%）"), default=50)
    minor_damage_percent = models.PositiveSmallIntegerField(_("轻微破损赔偿比例（%）"), default=20)
    # After this many idle minutes the desk forgets its reader, so the next pupil never borrows on
    # the previous one's card.
    desk_idle_minutes = models.PositiveSmallIntegerField(
        _("流通台无操作自动清除读者（分钟）"), default=3, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # The day expired holds were last handled (services.holds_expire_daily): once a day, by itself.
    holds_checked_on = models.DateField(_("过期预约处理日期"), null=True, blank=True, editable=False)

    class HistoryRule(models.TextChoices):
        YEARS = "years", _("按学年保留")
        UNTIL_LEFT = "until_left", _("保留到读者离校")

    # Reading-history retention (services.loans_anonymise): how long returned loans keep the reader's name.
    history_rule = models.CharField(
        _("借阅记录保留方式"), max_length=12, choices=HistoryRule.choices, default=HistoryRule.YEARS
    )
    history_years = models.PositiveSmallIntegerField(
        _("实名借阅记录保留学年数"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_(
            "归还后的借阅记录在还书的学年结束后再保留几个学年（1 = 到还书的学年结束为止），之后不再关联读者姓名。"
        ),
    )
    history_checked_on = models.DateField(_("借阅记录匿名处理日期"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("流通设置")
        verbose_name_plural = _("流通设置")

    @classmethod
    def current(cls) -> "CirculationSettings":
        obj = cls.objects.order_by("pk").first()
        return obj or cls.objects.create()


class AnonymousBorrower(models.Model):
    """One reader's loans of one school year once their name is detached (reading-history retention).

    The id is a random negative number (never a reader id, and not in the readers' order), so the
    reports can count distinct borrowers over COALESCE(reader_id, anonymous_borrower_id) and every
    past figure stays the same. `facts` keeps what the reports ask of the reader at a period's end,
    for the ends of that school year's terms and of the year: {"2026-01-20": [enrolled, carded]}.
    """

    id = models.BigIntegerField(primary_key=True)
    school_year = models.PositiveSmallIntegerField(_("学年"))
    reader_kind = models.CharField(_("读者类型"), max_length=12, choices=ReaderKind.choices)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facts = models.JSONField(_("统计用信息"), default=dict)

    class Meta:
        verbose_name = _("匿名借阅人")
        verbose_name_plural = _("匿名借阅人")
        constraints = [models.CheckConstraint(condition=Q(id__lt=0), name="circulation_anonymousborrower_negative_id")]


class Loan(models.Model):
    """One volume lent to one reader (册次). Renewals change the due date, not the loan.

    After the retention period a returned loan loses its reader (reader is NULL) and points to an
    AnonymousBorrower instead: the class, grade, reader type and dates stay for the statistics.
    """

    copy = models.ForeignKey(Copy, verbose_name=_("复本"), on_delete=models.PROTECT, related_name="loans")
    reader = models.ForeignKey(
        Reader, verbose_name=_("读者"), null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    anonymous_borrower = models.ForeignKey(
        AnonymousBorrower,
        verbose_name=_("匿名借阅人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    # Snapshot at checkout, so per-class statistics of past terms stay true after rollover.
    reader_kind = models.CharField(_("读者类型"), max_length=12, choices=ReaderKind.choices)
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("借阅时班级"), null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    grade = models.PositiveSmallIntegerField(_("借阅时年级"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("借出时间"), db_index=True)
    due_date = models.DateField(_("应还日期"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True, db_index=True)
    renewals = models.PositiveSmallIntegerField(_("续借次数"), default=0)
    is_collective = models.BooleanField(_("集体借阅"), default=False)
    is_vacation = models.BooleanField(_("假期借阅"), default=False)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("借出操作员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("归还操作员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    desk = models.CharField(_("流通台"), max_length=40, blank=True)
    # False for a copy whose TitleLoanRule does not count toward the reader's limit (a current
    # periodical issue); fixed at checkout, so a later change of the rule leaves open loans alone.
    counts_toward_limit = models.BooleanField(_("计入可借册数"), default=True, db_default=True)

    class Meta:
        verbose_name = _("借阅记录")
        verbose_name_plural = _("借阅记录")
        constraints = [
            models.UniqueConstraint(
                fields=["copy"], condition=Q(returned_at__isnull=True), name="circulation_loan_one_open_per_copy"
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=models.F("checked_out_at")),
                name="circulation_loan_returned_after_checkout",
            ),
            models.CheckConstraint(
                condition=Q(reader__isnull=False, anonymous_borrower__isnull=True)
                | Q(reader__isnull=True, anonymous_borrower__isnull=False, returned_at__isnull=False),
                name="circulation_loan_reader_or_anonymous",
            ),
        ]
        indexes = [
            models.Index(fields=["reader"], condition=Q(returned_at__isnull=True), name="circ_loan_open_by_reader"),
            models.Index(fields=["due_date"], condition=Q(returned_at__isnull=True), name="circ_loan_open_due"),
        ]

    def is_overdue(self, today: date) -> bool:
        return self.returned_at is None and self.due_date < today

    def __str__(self) -> str:
        return f"{self.copy_id} → {self.reader_id}"


class Renewal(models.Model):
    loan = models.ForeignKey(Loan, verbose_name=_("借阅记录"), on_delete=models.CASCADE, related_name="renewal_events")
    renewed_at = models.DateTimeField(_("续借时间"), db_index=True)
    old_due_date = models.DateField(_("原应还日期"))
    new_due_date = models.DateField(_("新应还日期"))
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("续借")
        verbose_name_plural = _("续借")


class Hold(models.Model):
    """预约: a reader's place in the queue for a title."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("排队中")
        READY = "ready", _("待取书")
        FULFILLED = "fulfilled", _("已借出")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已过期")

    record = models.ForeignKey(Record, verbose_name=_("书目"), on_delete=models.PROTECT, related_name="holds")
    reader = models.ForeignKey(Reader, verbose_name=_("读者"), on_delete=models.PROTECT, related_name="holds")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.WAITING, db_index=True)
    placed_at = models.DateTimeField(_("预约时间"))
    copy = models.ForeignKey(
        Copy, verbose_name=_("保留的复本"), null=True, blank=True, on_delete=models.PROTECT, related_name="holds"
    )
    ready_at = models.DateTimeField(_("到书时间"), null=True, blank=True)
    expires_on = models.DateField(_("保留截止"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["placed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "reader"],
                condition=Q(status__in=["waiting", "ready"]),
                name="circulation_hold_one_active_per_reader_record",
            ),
            models.UniqueConstraint(
                fields=["copy"], condition=Q(status="ready"), name="circulation_hold_one_ready_per_copy"
            ),
        ]


class Compensation(models.Model):
    """赔偿 for a lost or damaged copy, or an overdue fine (逾期费, only where a loan policy charges one)."""

    class Kind(models.TextChoices):
        LOST = "lost", _("遗失")
        SEVERE = "severe", _("严重破损")
        SOILED = "soiled", _("污损")
        MINOR = "minor", _("轻微破损")
        OVERDUE = "overdue", _("逾期费")

    # What a librarian reports for a book (the overdue fine is charged by the return itself).
    DAMAGE_KINDS = (Kind.LOST, Kind.SEVERE, Kind.SOILED, Kind.MINOR)

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("未处理")
        PAID = "paid", _("已赔款")
        REPLACED = "replaced", _("以书赔书")
        WAIVED = "waived", _("已免除")

    copy = models.ForeignKey(Copy, verbose_name=_("复本"), on_delete=models.PROTECT, related_name="compensations")
    reader = models.ForeignKey(Reader, verbose_name=_("读者"), on_delete=models.PROTECT, related_name="compensations")
    loan = models.ForeignKey(
        Loan, verbose_name=_("借阅记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="compensations"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("应赔金额"), max_digits=9, decimal_places=2)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.UNPAID, db_index=True)
    reported_at = models.DateTimeField(_("登记时间"), db_index=True)
    settled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    paid_amount = models.DecimalField(_("实收金额"), max_digits=9, decimal_places=2, null=True, blank=True)
    receipt_number = models.CharField(_("收据号"), max_length=30, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("赔偿")
        verbose_name_plural = _("赔偿")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="circulation_compensation_amount_not_negative"),
        ]


class CirculationEvent(models.Model):
    """Append-only log of every desk action, refusals included (for 拒借率)."""

    class Action(models.TextChoices):
        CHECKOUT = "checkout", _("借出")
        RETURN = "return", _("归还")
        RENEW = "renew", _("续借")
        REFUSED = "refused", _("拒借")
        HOLD_PLACED = "hold_placed", _("预约")
        HOLD_READY = "hold_ready", _("预约到书")
        HOLD_CANCELLED = "hold_cancelled", _("取消预约")
        HOLD_EXPIRED = "hold_expired", _("预约过期")
        CARD_ISSUED = "card_issued", _("办证")
        CARD_LOST = "card_lost", _("挂失")
        CARD_REPLACED = "card_replaced", _("补办")
        CARD_CANCELLED = "card_cancelled", _("注销借书证")
        COMPENSATION = "compensation", _("赔偿登记")
        COMPENSATION_SETTLED = "compensation_settled", _("赔偿处理")
        ROLLOVER = "rollover", _("学年升级")

    action = models.CharField(_("操作"), max_length=24, choices=Action.choices, db_index=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    desk = models.CharField(_("流通台"), max_length=40, blank=True)
    reader = models.ForeignKey(
        Reader, verbose_name=_("读者"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    copy = models.ForeignKey(
        Copy, verbose_name=_("复本"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    loan = models.ForeignKey(
        Loan, verbose_name=_("借阅记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("流通日志")
        verbose_name_plural = _("流通日志")
        ordering = ["-at", "-id"]
