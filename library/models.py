from django.db import models
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    """The one school this installation serves (a single row, edited in the back office)."""

    class Stage(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初级中学")
        SENIOR = "senior", _("高级中学")
        COMPLETE = "complete", _("完全中学")
        NINE_YEAR = "nine_year", _("九年一贯制学校")

    name = models.CharField(_("学校名称"), max_length=100)
    stage = models.CharField(_("学校类型"), max_length=20, choices=Stage.choices, default=Stage.PRIMARY)
    library_name = models.CharField(_("图书馆名称"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        # Role permissions: the groups in library/roles.py are made of these.
        permissions = [
            ("use_desk", _("使用流通台（借还书）")),
            ("catalogue", _("编目与馆藏管理")),
            ("manage_readers", _("管理读者与借书证")),
            ("manage_circulation", _("管理借阅规则、校历与赔偿")),
            ("view_reports", _("查看统计报表")),
            ("manage_school", _("管理用户与系统设置")),
            ("place_holds", _("预约图书")),
            ("use_selfcheck", _("使用自助借还页面")),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "School":
        school = cls.objects.order_by("pk").first()
        if school is None:
            from django.conf import settings

            school = cls.objects.create(name=str(settings.SCHOOL_NAME_DEFAULT))
        return school
