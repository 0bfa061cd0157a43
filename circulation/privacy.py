"""Who may see whose reading. A pupil's loans are sensitive personal information (PIPL, under 14),
so every page and selector that shows them asks here instead of deciding on its own.

- 图书管理员 and 管理员 see every reader's loans and names (they lend and chase the books).
- A 学生图书管理员 lends at the desk; outside it they see overdue books only as counts per class,
  never names, and they cannot cancel anyone's reservation.
- A head teacher (班主任) sees their own class; any other teacher sees only themselves.
"""

from django.utils.translation import gettext as _

from circulation.models import CirculationSettings


def sees_reader_names(user) -> bool:
    """May this user see which reader has which loans across the school (overdue lists, logs)?"""
    return user.has_perm("library.manage_readers")


def may_see_class(user, school_class) -> bool:
    """The named overdue books of one class: librarians, and the class's head teacher."""
    return sees_reader_names(user) or (
        school_class.head_teacher_id is not None and school_class.head_teacher_id == user.pk
    )


def may_cancel_hold(user, hold) -> bool:
    """One's own reservation, or (librarians only) anyone's."""
    own = hold.reader.user_id is not None and hold.reader.user_id == user.pk
    return own or user.has_perm("library.manage_circulation")


def who_may_see(reader) -> list[str]:
    """The people who may see this reader's loans, in words, for the reader's own page."""
    lines = [
        _("图书管理员和系统管理员：办理借还、催还时可以看到您的借阅。"),
        _(
            "学生图书管理员：只在借还台扫描您的借书证或输入学号后，为您办理借还时看到；逾期名单上只看到各班的册数，看不到姓名。"
        ),
    ]
    school_class = reader.school_class if reader.school_class_id else None
    if school_class is not None and school_class.head_teacher_id:
        head = school_class.head_teacher
        name = head.get_full_name() or head.first_name or head.username
        lines.append(_("您的班主任（%(name)s）：可以看到本班同学的借阅和逾期情况。") % {"name": name})
    lines.append(_("其他老师和同学都看不到您的借阅。"))
    settings = CirculationSettings.current()
    if settings.history_rule == CirculationSettings.HistoryRule.UNTIL_LEFT:
        lines.append(_("已归还的借阅记录在您离校后不再关联您的姓名，只保留班级和年级用于统计。"))
    else:
        lines.append(
            _("已归还的借阅记录保留到还书的学年结束后 %(n)s 个学年，之后不再关联您的姓名，只保留班级和年级用于统计。")
            % {"n": settings.history_years - 1}
            if settings.history_years > 1
            else _("已归还的借阅记录保留到还书的学年结束，之后不再关联您的姓名，只保留班级和年级用于统计。")
        )
    return lines
