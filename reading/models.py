from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Record


class Stage(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")


class RankingState(models.Model):
    """The one row that says when the borrowing rankings were last computed (and claims the day)."""

    computed_on = models.DateField(_("计算日期"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    period_start = models.DateField(_("统计起始日"), null=True, blank=True)
    period_end = models.DateField(_("统计截止日"), null=True, blank=True)
    period_label = models.CharField(_("统计时段"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("借阅排行状态")
        verbose_name_plural = _("借阅排行状态")

    @classmethod
    def current(cls) -> "RankingState":
        state = cls.objects.order_by("pk").first()
        return state or cls.objects.create()

    @cached_property
    def period_name(self) -> str:
        """The period in the active language. period_label keeps the name as it was when computed (a
        term's stored Chinese name, or 近 120 天 in the language of whoever triggered the refresh);
        shown, a term is named by its label and the 120 days are translated now."""
        from circulation.models import Term

        if not self.period_label:
            return ""
        term = Term.objects.filter(start=self.period_start, name=self.period_label).first()
        if term is not None:
            return term.label
        if self.period_start and self.period_end and (self.period_end - self.period_start).days == 120:
            return gettext("近 120 天")
        return self.period_label


class PopularBook(models.Model):
    """One place in the term's borrowing ranking, of the whole school (stage blank) or of one grade.

    Computed once a day (reading.services.rankings_refresh), never per request. It names books only:
    the rankings are shown to pupils and on the public page."""

    stage = models.CharField(_("学段"), max_length=10, choices=Stage.choices, blank=True)
    grade = models.PositiveSmallIntegerField(_("年级"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"))
    record = models.ForeignKey(Record, verbose_name=_("书目"), on_delete=models.CASCADE, related_name="+")
    loans = models.PositiveIntegerField(_("借阅册次"))

    class Meta:
        verbose_name = _("借阅排行")
        verbose_name_plural = _("借阅排行")
        ordering = ["stage", "grade", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "grade", "rank"], nulls_distinct=False, name="reading_popularbook_unique_rank"
            ),
        ]


class ReadingList(models.Model):
    """推荐书目/导读书目 (by grade) or a theme display (主题书展), with a note per book."""

    class Kind(models.TextChoices):
        GRADE = "grade", _("推荐书目")
        THEME = "theme", _("主题书展")

    title = models.CharField(_("书目名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.GRADE)
    stage = models.CharField(_("学段"), max_length=10, choices=Stage.choices, blank=True)
    grade = models.PositiveSmallIntegerField(_("年级"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    featured = models.BooleanField(
        _("在首页展示"), default=False, help_text=_("首页展示每种类型最近设为展示的一份书目。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("推荐书目")
        verbose_name_plural = _("推荐书目")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | ~Q(stage=""), name="reading_readinglist_grade_has_stage"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReadingListItem(models.Model):
    """A book on a list: a catalogue record, or (record empty) a title the library does not hold."""

    reading_list = models.ForeignKey(
        ReadingList, verbose_name=_("推荐书目"), on_delete=models.CASCADE, related_name="items"
    )
    record = models.ForeignKey(
        Record, verbose_name=_("书目"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("题名"), max_length=300)
    authors = models.CharField(_("著者"), max_length=300, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    note = models.CharField(_("推荐语"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("推荐图书")
        verbose_name_plural = _("推荐图书")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "record"],
                condition=Q(record__isnull=False),
                name="reading_readinglistitem_one_per_record",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """读书活动: 读书节, 征文, 读书笔记展, 知识竞赛 ... with its classes, book list and results."""

    class Kind(models.TextChoices):
        FESTIVAL = "festival", _("读书节")
        ESSAY = "essay", _("征文")
        NOTES = "notes", _("读书笔记展")
        QUIZ = "quiz", _("知识竞赛")
        OTHER = "other", _("其他")

    name = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.FESTIVAL)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    classes = models.ManyToManyField(
        "circulation.SchoolClass", verbose_name=_("参加班级"), blank=True, related_name="reading_activities"
    )
    reading_list = models.ForeignKey(
        ReadingList, verbose_name=_("活动书目"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("读书活动")
        verbose_name_plural = _("读书活动")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="reading_activity_start_before_end"),
        ]

    def __str__(self) -> str:
        return self.name


class Prize(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优秀奖")


class Participant(models.Model):
    """A pupil (or teacher) taking part in an activity, with the result and an attached entry."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("读书活动"), on_delete=models.CASCADE, related_name="participants"
    )
    reader = models.ForeignKey("circulation.Reader", verbose_name=_("读者"), on_delete=models.PROTECT, related_name="+")
    work_title = models.CharField(_("作品题目"), max_length=200, blank=True)
    prize = models.CharField(_("获奖等级"), max_length=10, choices=Prize.choices, blank=True)
    # A photographed entry (re-encoded as JPEG, which drops the photo's metadata) or a PDF; under
    # MEDIA_ROOT/activities/, served only through a view that checks the permission.
    attachment = models.FileField(_("作品附件"), upload_to="activities/", blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动参加者")
        verbose_name_plural = _("活动参加者")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "reader"], name="reading_participant_once_per_activity"),
        ]


class HonourRound(models.Model):
    """Term-end honours (表彰): 读书之星 and 读书积极分子 per class or per grade (scope), 先进班级; proposed from the term's
    loans by the school's rules, edited by the librarian, then published (and only then printed)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已公布")

    class Scope(models.TextChoices):
        CLASS = "class", _("按班级评选")
        GRADE = "grade", _("按年级评选")

    term = models.ForeignKey("circulation.Term", verbose_name=_("学期"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("表彰名称"), max_length=120)
    scope = models.CharField(
        _("评选范围"),
        max_length=10,
        choices=Scope.choices,
        default=Scope.CLASS,
        help_text=_("读书之星和读书积极分子按班级评选，或在全年级中评选（人数为每班或每个年级的人数）。"),
    )
    stars_per_class = models.PositiveSmallIntegerField(_("每班（年级）读书之星人数"), default=3)
    active_per_class = models.PositiveSmallIntegerField(_("每班（年级）读书积极分子人数"), default=5)
    min_loans = models.PositiveSmallIntegerField(_("最少借阅册数"), default=5)
    overdue_disqualifies = models.BooleanField(_("有逾期者不参评"), default=True)
    classes_count = models.PositiveSmallIntegerField(_("先进班级个数"), default=3)
    notes_weight = models.PositiveSmallIntegerField(
        _("每篇读书笔记折合册数"), default=1, help_text=_("本学期的读书笔记按此折合借阅册数参评；0 表示不计。")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("读书表彰")
        verbose_name_plural = _("读书表彰")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=["class", "grade"]), name="reading_honourround_scope_known"),
        ]

    def __str__(self) -> str:
        return self.title


class Honour(models.Model):
    class Kind(models.TextChoices):
        STAR = "star", _("读书之星")
        ACTIVE = "active", _("读书积极分子")
        CLASS = "class", _("先进班级")

    round = models.ForeignKey(HonourRound, verbose_name=_("读书表彰"), on_delete=models.CASCADE, related_name="honours")
    kind = models.CharField(_("荣誉"), max_length=10, choices=Kind.choices)
    school_class = models.ForeignKey(
        "circulation.SchoolClass", verbose_name=_("班级"), on_delete=models.PROTECT, related_name="+"
    )
    reader = models.ForeignKey(
        "circulation.Reader", verbose_name=_("读者"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loans = models.PositiveIntegerField(_("借阅册数"), default=0)
    notes = models.PositiveIntegerField(_("读书笔记篇数"), default=0)

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="class", reader__isnull=True) | (~Q(kind="class") & Q(reader__isnull=False)),
                name="reading_honour_pupil_or_class",
            ),
            models.UniqueConstraint(
                fields=["round", "reader"], condition=Q(reader__isnull=False), name="reading_honour_one_per_pupil"
            ),
            models.UniqueConstraint(
                fields=["round", "school_class"], condition=Q(kind="class"), name="reading_honour_one_per_class"
            ),
        ]


class ReadingNote(models.Model):
    """读书笔记: a pupil's note on a book, recorded by the librarian or the pupil's head teacher."""

    reader = models.ForeignKey("circulation.Reader", verbose_name=_("读者"), on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(
        Record, verbose_name=_("书目"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    book_title = models.CharField(_("书名"), max_length=300)
    written_on = models.DateField(_("日期"))
    note = models.TextField(_("笔记摘要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("读书笔记")
        verbose_name_plural = _("读书笔记")
        ordering = ["-written_on", "-pk"]
        indexes = [models.Index(fields=["reader", "written_on"], name="reading_note_reader_day")]
