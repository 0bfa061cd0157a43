"""The draft 工作总结 paragraph, written from a Summary."""

from decimal import Decimal

from django.utils.translation import gettext as _

from reports.selectors.summary import Summary


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value) -> str:
    return "—" if value is None else f"{value}"


def work_summary_text(s: Summary) -> str:
    """The draft 工作总结 data paragraph, with the figures filled in."""
    r, c, col = s.readers, s.circ, s.collection
    parts = [
        _(
            "%(period)s，我校在校学生%(students)s人，教职工%(staff)s人，本期新办借书证%(cards)s张，学生办证率%(card_rate)s。"
            "本期共有%(student_borrowers)s名学生借阅图书%(student_loans)s册，"
            "%(staff_borrowers)s位教职工借阅图书%(staff_loans)s册，班级集体借阅%(collective_loans)s册；"
            "全校共借出图书%(loans)s册次、%(visits)s人次，归还%(returns)s册，续借%(renewals)s次。"
        )
        % {
            "period": s.period.label,
            "students": r["students"],
            "staff": r["staff"],
            "cards": r["cards_issued"],
            "card_rate": _pct(r["student_card_rate"]),
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
    ]
    if s.gap:
        parts.append(
            _("借阅最活跃的班级是%(high)s（生均%(high_value)s册），%(low)s生均%(low_value)s册，相差%(gap)s册。")
            % {
                "high": s.gap["high"].name,
                "high_value": s.gap["high"].per_student,
                "low": s.gap["low"].name,
                "low_value": s.gap["low"].per_student,
                "gap": s.gap["gap"],
            }
        )
    if s.titles:
        parts.append(
            _("最受欢迎的图书是《%(title)s》，共借出%(loans)s次。")
            % {"title": s.titles[0]["title"], "loans": s.titles[0]["loans"]}
        )
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
    return "".join(parts)
