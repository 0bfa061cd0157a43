"""The draft 工作总结 paragraph, written from a Summary.

Sentence order as schools write it: who is enrolled (pupils, staff), how many borrowed, how many
volumes. Every count in it is a cell of a table on the summary page (a test checks this).
"""

from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reports.selectors.summary import Summary

# Titles named in the draft when several share the first place (the rest: "等").
TIED_TITLES_NAMED = 3


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value) -> str:
    return "—" if value is None else f"{value}"


def _names(names: list[str]) -> str:
    # The list separator of the active language (、 in Chinese, ", " in English).
    return _("、").join(names)


def _opening(s: Summary) -> str:
    if s.in_progress:
        return _("%(period)s正在进行中，以下为截至%(day)s（开学后第%(days)s个开馆日）的数据。") % {
            "period": s.period.label,
            "day": s.as_of.isoformat(),
            "days": s.school_days,
        }
    return _("%(period)s（%(start)s至%(end)s）工作总结。") % {
        "period": s.period.label,
        "start": s.period.start.isoformat(),
        "end": s.period.end.isoformat(),
    }


def _titles_sentence(s: Summary) -> str:
    first = [t for t in s.titles if t["rank"] == 1]
    if not first:
        return ""
    quoted = [_("《%(title)s》") % {"title": t["title"]} for t in first[:TIED_TITLES_NAMED]]
    if len(first) == 1:
        return _("最受欢迎的图书是%(title)s，共借出%(loans)s次。") % {"title": quoted[0], "loans": first[0]["loans"]}
    if len(first) <= TIED_TITLES_NAMED:
        return _("%(titles)s并列最受欢迎，各借出%(loans)s次。") % {"titles": _names(quoted), "loans": first[0]["loans"]}
    return _("%(titles)s等多种图书并列最受欢迎，各借出%(loans)s次。") % {
        "titles": _names(quoted),
        "loans": first[0]["loans"],
    }


def _gap_sentence(s: Summary) -> str:
    if not s.gap:
        return ""
    return _("借阅最活跃的班级是%(high)s，生均%(high_value)s册；%(low)s生均%(low_value)s册，相差%(gap)s册。") % {
        "high": s.gap["high_label"],
        "high_value": s.gap["high"].per_student,
        "low": s.gap["low_label"],
        "low_value": s.gap["low"].per_student,
        "gap": s.gap["gap"],
    }


def _comparison_sentence(s: Summary) -> str:
    rows = {r["key"]: r for r in s.compare}
    per = rows.get("loans_per_student")
    if not s.previous or not per or per["previous"] is None or per["current"] is None:
        return ""
    if s.in_progress:
        return _(
            "与%(previous)s同期（同为开学后%(days)s个开馆日，至%(cut)s）相比，学生生均借阅由%(before)s册变为%(now)s册。"
        ) % {
            "previous": s.previous.label,
            "days": s.school_days,
            "cut": s.previous.end.isoformat(),
            "before": per["previous"],
            "now": per["current"],
        }
    return _("与%(previous)s相比，学生生均借阅由%(before)s册变为%(now)s册。") % {
        "previous": s.previous.label,
        "before": per["previous"],
        "now": per["current"],
    }


def work_summary_text(s: Summary) -> str:
    """The draft 工作总结 data paragraph, with the figures filled in."""
    r, c, col = s.readers, s.circ, s.collection
    parts = [
        _opening(s),
        _("我校在校学生%(students)s人，教职工%(staff)s人。") % {"students": r["students"], "staff": r["staff"]},
        _(
            "本期共有%(student_borrowers)s名学生借阅图书%(student_loans)s册，"
            "%(staff_borrowers)s位教职工借阅图书%(staff_loans)s册，班级集体借阅%(collective_loans)s册；"
            "全校共借出图书%(loans)s册次、%(visits)s人次，归还%(returns)s册，续借%(renewals)s次。"
        )
        % {
            "student_borrowers": c["student_borrowers"],
            "student_loans": c["student_loans"],
            "staff_borrowers": c["staff_borrowers"],
            "staff_loans": c["staff_loans"],
            "collective_loans": c["collective_loans"],
            "loans": c["loans"],
            "visits": c["visits"],
            "returns": c["returns"],
            "renewals": c["renewals"],
        },
        _("学生生均借阅%(per_student)s册，借阅参与率%(participation)s，逾期率%(overdue)s。")
        % {
            "per_student": _num(s.core["loans_per_student"]),
            "participation": _pct(s.core["participation"]),
            "overdue": _pct(c["overdue_rate"]),
        },
        _(
            "本期新办借书证：学生%(student_cards)s张，教职工%(staff_cards)s张，班级集体%(collective_cards)s张；"
            "学生办证率%(card_rate)s。"
        )
        % {
            "student_cards": r["student_cards_issued"],
            "staff_cards": r["staff_cards_issued"],
            "collective_cards": r.get("collective_cards_issued", 0),
            "card_rate": _pct(r["student_card_rate"]),
        },
        _gap_sentence(s),
        _titles_sentence(s),
    ]
    standard = col["standard"]
    parts.append(
        _(
            "截至%(day)s，馆藏图书%(titles)s种%(volumes)s册，生均藏书%(per_student)s册%(standard)s；"
            "本期新增图书%(new_titles)s种%(new_volumes)s册，剔除注销%(withdrawn)s册；"
            "图书流通率%(circulation_rate)s次，藏书利用率%(utilisation)s。"
        )
        % {
            "day": s.period.end.isoformat(),
            "titles": col["titles"],
            "volumes": col["volumes"],
            "per_student": _num(col["per_student"]),
            "standard": (
                _("（%(type)s标准为%(value)s册）")
                % {"type": standard["label"], "value": standard["volumes_per_student"]}
                if standard
                else ""
            ),
            "new_titles": col["new_titles"],
            "new_volumes": col["new_volumes"],
            "withdrawn": col["withdrawn_volumes"],
            "circulation_rate": _num(s.core["circulation_rate"]),
            "utilisation": _pct(s.core["utilisation"]),
        }
    )
    parts.append(_comparison_sentence(s))
    # Chinese sentences follow each other directly; other languages put a space between them.
    gap = "" if (get_language() or "zh-hans").startswith("zh") else " "
    return gap.join(p for p in parts if p)
