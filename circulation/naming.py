from django.utils.translation import gettext as _

GRADE_NAMES = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
}
JUNIOR_NAMES = {1: "初一", 2: "初二", 3: "初三"}
SENIOR_NAMES = {1: "高一", 2: "高二", 3: "高三"}


def grade_name(stage: str, grade: int) -> str:
    table = {"primary": GRADE_NAMES, "junior": JUNIOR_NAMES, "senior": SENIOR_NAMES}[stage]
    if grade in table:
        return _(table[grade])
    return _("%(grade)s年级") % {"grade": grade}


def class_name(stage: str, grade: int, number: int) -> str:
    """三年级(2)班"""
    return _("%(grade)s(%(number)s)班") % {"grade": grade_name(stage, grade), "number": number}
