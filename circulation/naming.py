from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

GRADE_NAMES = {
    1: N_("一年级"),
    2: N_("二年级"),
    3: N_("三年级"),
    4: N_("四年级"),
    5: N_("五年级"),
    6: N_("六年级"),
}
JUNIOR_NAMES = {1: N_("初一"), 2: N_("初二"), 3: N_("初三")}
SENIOR_NAMES = {1: N_("高一"), 2: N_("高二"), 3: N_("高三")}


def grade_name(stage: str, grade: int) -> str:
    table = {"primary": GRADE_NAMES, "junior": JUNIOR_NAMES, "senior": SENIOR_NAMES}[stage]
    if grade in table:
        return _(table[grade])
    return _("%(grade)s年级") % {"grade": grade}


def labelled(label: str, text: str) -> str:
    """ "Label：text" with the colon of the active language (："in Chinese, ": " in English)."""
    return _("%(label)s：%(text)s") % {"label": label, "text": text}


def term_name(school_year: int, number: int) -> str:
    """The standard name a term is stored under (Chinese, as the school calendar writes it)."""
    return f"{school_year}—{school_year + 1}学年第{'一' if number == 1 else '二'}学期"


def term_label(name: str, school_year: int, number: int) -> str:
    """A term's name in the active language: the standard name is translated, a name typed
    differently by the school is shown as typed."""
    if name != term_name(school_year, number):
        return name
    values = {"start": school_year, "end": school_year + 1}
    if number == 1:
        return _("%(start)s—%(end)s学年第一学期") % values
    return _("%(start)s—%(end)s学年第二学期") % values


def class_name(stage: str, grade: int, number: int) -> str:
    """三年级(2)班"""
    return _("%(grade)s(%(number)s)班") % {"grade": grade_name(stage, grade), "number": number}
