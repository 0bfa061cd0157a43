"""Excel workbooks of the report pages: rows come from reports.selectors, writing from reports.excel."""

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment

from reports.excel import DATE, DATETIME, DEC2, INT, MONEY, PERCENT, Column, Workbook, safe_filename
from reports.formulas import formula


def summary_filename(summary) -> str:
    return safe_filename(f"{summary.period.label}-" + _("借阅统计") + ".xlsx")


def _figure_rows(s) -> list[tuple]:
    r, c, col, core = s.readers, s.circ, s.collection, s.core
    std = col["standard"]
    return [
        (_("读者"), _("在校学生数"), r["students"], _("人"), formula("students")),
        (_("读者"), _("教职工数"), r["staff"], _("人"), formula("staff")),
        (_("读者"), _("本期办证（全部）"), r["cards_issued"], _("张"), formula("cards_issued")),
        (_("读者"), _("本期学生办证"), r["student_cards_issued"], _("张"), formula("cards_issued")),
        (_("读者"), _("持证学生数"), r["students_carded"], _("人"), formula("student_card_rate")),
        (_("读者"), _("学生办证率"), r["student_card_rate"], "%", formula("student_card_rate")),
        (_("读者"), _("持证教职工数"), r["staff_carded"], _("人"), formula("staff_card_rate")),
        (_("读者"), _("教职工办证率"), r["staff_card_rate"], "%", formula("staff_card_rate")),
        (_("借阅"), _("借阅册次（全部）"), c["loans"], _("册次"), formula("loans")),
        (_("借阅"), _("学生借阅册次"), c["student_loans"], _("册次"), formula("student_loans")),
        (_("借阅"), _("教职工借阅册次"), c["staff_loans"], _("册次"), formula("staff_loans")),
        (_("借阅"), _("班级集体借阅册次"), c["collective_loans"], _("册次"), formula("collective_loans")),
        (_("借阅"), _("借阅人次"), c["visits"], _("人次"), formula("visits")),
        (_("借阅"), _("学生借阅人次"), c["student_visits"], _("人次"), formula("visits")),
        (_("借阅"), _("借阅读者数"), c["borrowers"], _("人"), formula("borrowers")),
        (_("借阅"), _("借阅学生数"), c["student_borrowers"], _("人"), formula("student_borrowers")),
        (_("借阅"), _("借阅教职工数"), c["staff_borrowers"], _("人"), formula("borrowers")),
        (_("借阅"), _("生均借阅"), core["loans_per_student"], _("册"), formula("loans_per_student")),
        (_("借阅"), _("借阅参与率"), core["participation"], "%", formula("participation")),
        (_("借阅"), _("读者借阅率"), core["reader_borrowing_rate"], "%", formula("reader_borrowing_rate")),
        (_("借阅"), _("归还册数"), c["returns"], _("册"), formula("returns")),
        (_("借阅"), _("逾期归还册数"), c["overdue_returns"], _("册"), formula("overdue_rate")),
        (_("借阅"), _("逾期率"), c["overdue_rate"], "%", formula("overdue_rate")),
        (_("借阅"), _("续借次数"), c["renewals"], _("次"), formula("renewals")),
        (_("借阅"), _("拒借次数"), c["refused"], _("次"), formula("refusal_rate")),
        (_("借阅"), _("拒借率"), c["refusal_rate"], "%", formula("refusal_rate")),
        (_("借阅"), _("预约次数"), c["holds_placed"], _("次"), formula("holds_placed")),
        (_("借阅"), _("预约满足数"), c["holds_served"], _("次"), formula("holds_served")),
        (_("馆藏"), _("馆藏种数"), col["titles"], _("种"), formula("titles")),
        (_("馆藏"), _("馆藏册数"), col["volumes"], _("册"), formula("volumes")),
        (_("馆藏"), _("生均藏书"), col["per_student"], _("册"), formula("volumes_per_student")),
        (
            _("馆藏"),
            _("生均藏书（复本封顶%(cap)s册）") % {"cap": col["duplicate_cap"]},
            col["per_student_capped"],
            _("册"),
            formula("volumes_capped"),
        ),
        (
            _("馆藏"),
            _("生均藏书标准"),
            std["volumes_per_student"] if std else None,
            _("册"),
            std["label"] + _("，") + std["source"] if std else _("未设置标准"),
        ),
        (_("馆藏"), _("年生均新增"), col["year_new_per_student"], _("册"), formula("year_new_per_student")),
        (
            _("馆藏"),
            _("年生均新增标准"),
            std["new_per_student"] if std else None,
            _("册"),
            std["label"] + _("，") + std["source"] if std else _("未设置标准"),
        ),
        (_("馆藏"), _("新增册数"), col["new_volumes"], _("册"), formula("new_volumes")),
        (_("馆藏"), _("新增种数"), col["new_titles"], _("种"), formula("new_volumes")),
        (_("馆藏"), _("新增金额"), col["new_spend"], _("元"), formula("new_volumes")),
        (_("馆藏"), _("剔除注销册数"), col["withdrawn_volumes"], _("册"), formula("withdrawn")),
        (_("馆藏"), _("送修册数"), col["repairs_sent"], _("册"), formula("repairs")),
        (_("馆藏"), _("修好上架册数"), col["repairs_mended"], _("册"), formula("repairs")),
        (_("报刊"), _("订阅报刊种数"), col["periodicals"]["titles"], _("种"), formula("periodicals")),
        (
            _("报刊"),
            _("报刊种数标准"),
            col["periodicals"]["standard"]["titles"] if col["periodicals"]["standard"] else None,
            _("种"),
            formula("periodicals"),
        ),
        (_("报刊"), _("订阅份数"), col["periodicals"]["copies"], _("份"), formula("periodicals")),
        (_("报刊"), _("订阅金额"), col["periodicals"]["spend"], _("元"), formula("periodicals")),
        (_("报刊"), _("到刊率"), col["periodicals"]["rate"], "%", formula("periodicals")),
        (_("馆藏"), _("赔偿件数"), col["compensation_cases"], _("件"), formula("compensation")),
        (_("馆藏"), _("应赔金额"), col["compensation_amount"], _("元"), formula("compensation")),
        (_("馆藏"), _("已赔款金额"), col["compensation_paid"], _("元"), formula("compensation")),
        (_("馆藏"), _("逾期费件数"), col["fine_cases"], _("件"), formula("fines")),
        (_("馆藏"), _("应收逾期费"), col["fine_amount"], _("元"), formula("fines")),
        (_("馆藏"), _("已收逾期费"), col["fine_paid"], _("元"), formula("fines")),
        (_("馆藏"), _("可外借册数"), col["lendable"], _("册"), formula("circulation_rate")),
        (_("馆藏"), _("流通率"), core["circulation_rate"], _("次"), formula("circulation_rate")),
        (_("馆藏"), _("藏书利用率"), core["utilisation"], "%", formula("utilisation")),
    ]


def summary_workbook(s, reading: dict | None = None) -> Workbook:
    """The summary's sheets; `reading` (reports.selectors.reading.reading_promotion) adds the
    阅读推广 sheet and its sentences to the draft 工作总结."""
    wb = Workbook()
    caption = f"{s.school_name} {s.current_heading}{_('（')}{s.period.start.isoformat()} — {s.period.end.isoformat()}{_('）')}"
    ws = wb.add_table(
        _("概况"),
        [
            Column(_("类别"), 8),
            Column(_("指标"), 26),
            Column(_("数值"), 14),
            Column(_("单位"), 8),
            Column(_("口径与公式"), 80),
        ],
        _figure_rows(s),
        caption=caption,
    )
    # Number formats per row (shares as percentages, ratios with 2 decimals).
    for row in ws.iter_rows(min_row=3, max_col=4):
        unit_cell, value_cell = row[3], row[2]
        if value_cell.value is None or isinstance(value_cell.value, str):
            continue
        if unit_cell.value == "%":
            value_cell.number_format = PERCENT
        elif isinstance(value_cell.value, float):
            value_cell.number_format = DEC2
        else:
            value_cell.number_format = INT

    ws = wb.add_table(
        _("年级统计"),
        [
            Column(_("年级"), 12),
            Column(_("在校学生数"), 12, INT),
            Column(_("持证学生数"), 12, INT),
            Column(_("办证率"), 10, PERCENT),
            Column(_("借阅学生数"), 12, INT),
            Column(_("借阅册次"), 12, INT),
            Column(_("生均借阅"), 10, DEC2),
            Column(_("借阅参与率"), 12, PERCENT),
            Column(_("未借阅学生数"), 14, INT),
        ],
        [
            (g.name, g.students, g.carded, g.card_rate, g.borrowers, g.loans, g.per_student, g.participation, g.no_loan)
            for g in s.grades
        ],
        caption=caption,
        notes=[formula("loans_per_student"), formula("participation"), formula("class_loans")],
    )
    wb.add_bar_chart(ws, title=_("各年级生均借阅"), category_col=1, value_cols=[7], anchor="K2", y_title=_("册"))

    ws = wb.add_table(
        _("班级统计"),
        [
            Column(_("班级"), 14),
            Column(_("班主任"), 10),
            Column(_("在校学生数"), 12, INT),
            Column(_("借阅学生数"), 12, INT),
            Column(_("借阅册次"), 12, INT),
            Column(_("生均借阅"), 10, DEC2),
            Column(_("借阅参与率"), 12, PERCENT),
            Column(_("未借阅学生数"), 14, INT),
            Column(_("集体借阅册次"), 14, INT),
            Column(_("排名"), 8, INT),
        ],
        [
            (
                c.name,
                c.head_teacher,
                c.students,
                c.borrowers,
                c.loans,
                c.per_student,
                c.participation,
                c.no_loan,
                c.collective_loans,
                c.rank,
            )
            for c in s.classes_by_rank
        ],
        caption=caption,
        notes=[formula("class_loans"), formula("class_rank"), formula("class_gap")]
        + (
            [
                _("最高：%(high)s %(hv)s册；最低：%(low)s %(lv)s册；差距 %(gap)s册")
                % {
                    "high": s.gap["high_label"],
                    "hv": s.gap["high"].per_student,
                    "low": s.gap["low_label"],
                    "lv": s.gap["low"].per_student,
                    "gap": s.gap["gap"],
                }
            ]
            if s.gap
            else []
        ),
    )
    wb.add_bar_chart(ws, title=_("各班生均借阅"), category_col=1, value_cols=[6], anchor="L2", y_title=_("册"))

    wb.add_table(
        _("读书之星"),
        [
            Column(_("名次"), 8, INT),
            Column(_("姓名"), 12),
            Column(_("学号"), 14),
            Column(_("班级"), 14),
            Column(_("借阅册次"), 10, INT),
        ],
        [(r["rank"], r["name"], r["student_number"], r["class_name"], r["loans"]) for r in s.stars],
        caption=caption,
        notes=[formula("stars")],
    )
    wb.add_table(
        _("年级读书之星"),
        [
            Column(_("年级"), 10),
            Column(_("名次"), 8, INT),
            Column(_("姓名"), 12),
            Column(_("学号"), 14),
            Column(_("班级"), 14),
            Column(_("借阅册次"), 10, INT),
        ],
        [
            (r["grade_name"], r["rank"], r["name"], r["student_number"], r["class_name"], r["loans"])
            for r in s.grade_stars
        ],
        caption=caption,
        notes=[formula("stars")],
    )
    ws = wb.add_table(
        _("借阅排行榜"),
        [
            Column(_("名次"), 8, INT),
            Column(_("题名"), 40),
            Column(_("著者"), 20),
            Column(_("索书号"), 14),
            Column(_("借阅册次"), 10, INT),
        ],
        [(r["rank"], r["title"], r["authors"], r["call_number"], r["loans"]) for r in s.titles],
        caption=caption,
        notes=[formula("top_titles")],
    )
    ws = wb.add_table(
        _("分类借阅"),
        [Column(_("中图法基本大类"), 40), Column(_("借阅册次"), 12, INT), Column(_("占比"), 10, PERCENT)],
        [(r["name"], r["loans"], r["share"]) for r in s.clc],
        caption=caption,
        notes=[formula("clc")],
    )
    wb.add_bar_chart(ws, title=_("各大类借阅册次"), category_col=1, value_cols=[2], anchor="E2", y_title=_("册次"))

    col = s.collection
    wb.add_table(
        _("剔除注销"),
        [Column(_("注销原因"), 14), Column(_("册数"), 10, INT), Column(_("金额（元）"), 12, MONEY)],
        [(w["reason"], w["volumes"], w["value"]) for w in col["withdrawals"]],
        caption=caption,
        notes=[formula("withdrawn")],
    )
    prev_label = s.previous_heading if s.previous else _("无")
    rows = []
    for r in s.compare:
        rows.append((r["label"], r["current"], r["previous"], r["change"]))
    ws = wb.add_table(
        _("与上期对比"),
        [Column(_("指标"), 24), Column(s.current_heading, 30), Column(prev_label, 30), Column(_("增减"), 12)],
        rows,
        caption=caption,
    )
    for i, r in enumerate(s.compare, start=3):
        fmt = {"int": INT, "ratio": DEC2, "share": PERCENT}[r["kind"]]
        for c in range(2, 5):
            ws.cell(row=i, column=c).number_format = fmt

    from reports.selectors import work_summary_text

    text = work_summary_text(s)
    if reading is not None:
        from reports.selectors.reading import with_reading

        _reading_sheet(wb, reading, caption)
        text = with_reading(text, reading)
    ws = wb.add_table(_("工作总结"), [Column(_("工作总结（数据部分，草稿）"), 120)], [(text,)], caption=caption)
    ws.cell(row=3, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[3].height = 160
    return wb


def _reading_sheet(wb: Workbook, reading: dict, caption: str) -> None:
    """阅读推广: the period's reading activities, then each published honour round (counts, and the
    pupils and classes honoured: the summary is for staff)."""
    rows = [
        (
            _("读书活动"),
            a["name"],
            a["kind"],
            f"{a['start'].isoformat()} — {a['end'].isoformat()}",
            a["participants"],
            a["prizes"],
        )
        for a in reading["activities"]
    ]
    for r in reading["honours"]:
        published = r["published_on"].isoformat() if r["published_on"] else ""
        for _kind, label, n in r["counts"]:
            rows.append((_("读书表彰"), r["title"], str(label), published, n, None))
        for entry in r["names"]:
            rows.append((_("获表彰者"), r["title"], entry["kind"], entry["class_name"], None, None, entry["name"]))
    rows = [row + (None,) * (7 - len(row)) for row in rows]
    wb.add_table(
        _("阅读推广"),
        [
            Column(_("项目"), 10),
            Column(_("名称"), 30),
            Column(_("类型/荣誉"), 14),
            Column(_("日期/班级"), 26),
            Column(_("人数"), 10, INT),
            Column(_("获奖人次"), 10, INT),
            Column(_("姓名"), 12),
        ],
        rows,
        caption=caption,
        notes=[_("读书活动：期内举办的活动，参加与获奖按人次计；读书表彰：已公布的本学期表彰。")],
    )


def class_report_workbook(school_name: str, report: dict, period) -> Workbook:
    wb = Workbook()
    caption = f"{school_name} {report['class_name']} {period.label}"
    ws = wb.add_table(
        _("班级借阅"),
        [
            Column(_("学号"), 14),
            Column(_("姓名"), 12),
            Column(_("本班借阅册次"), 14, INT),
            Column(_("在其他班时借阅"), 16, INT),
            Column(_("最近借阅"), 18, DATETIME),
            Column(_("当前在借"), 10, INT),
            Column(_("逾期未还"), 10, INT),
        ],
        [
            (r.student_number, r.name, r.period_loans, r.other_loans, r.last_loan, r.on_loan, r.overdue)
            for r in report["borrowers"]
        ],
        caption=caption,
        notes=[formula("class_loans")],
    )
    wb.add_bar_chart(ws, title=_("学生借阅册次"), category_col=2, value_cols=[3], anchor="I2", y_title=_("册次"))
    wb.add_table(
        _("未借阅学生"),
        [Column(_("学号"), 14), Column(_("姓名"), 12), Column(_("当前在借"), 10, INT)],
        [(r.student_number, r.name, r.on_loan) for r in report["non_borrowers"]],
        caption=caption,
        notes=[formula("class_no_loan")],
    )
    return wb


def collection_workbook(school_name: str, a: dict) -> Workbook:
    wb = Workbook()
    caption = f"{school_name} " + _("馆藏结构分析（截至%(day)s）") % {"day": a["day"].isoformat()}
    ws = wb.add_table(
        _("部类结构"),
        [
            Column(_("部类"), 30),
            Column(_("大类"), 12),
            Column(_("种数"), 10, INT),
            Column(_("册数"), 10, INT),
            Column(_("实际比例"), 10, PERCENT),
            Column(_("推荐比例"), 10, PERCENT),
            Column(_("判断"), 8),
        ],
        [
            (
                d["name"],
                d["classes"],
                d["titles"],
                d["volumes"],
                d["share"],
                d["target"],
                {"low": _("偏低"), "high": _("偏高")}.get(d["flag"], _("正常")),
            )
            for d in a["divisions"]
        ],
        caption=caption,
        notes=[formula("structure"), formula("structure_flag") + _("（当前容差 %(t)s%%）") % {"t": a["tolerance"]}],
    )
    wb.add_bar_chart(ws, title=_("部类结构：实际与推荐比例"), category_col=1, value_cols=[5, 6], anchor="I2")
    ws = wb.add_table(
        _("大类结构"),
        [
            Column(_("中图法基本大类"), 40),
            Column(_("种数"), 10, INT),
            Column(_("册数"), 10, INT),
            Column(_("占比"), 10, PERCENT),
        ],
        [(c["name"], c["titles"], c["volumes"], c["share"]) for c in a["classes"]],
        caption=caption,
        notes=[formula("structure")],
    )
    wb.add_bar_chart(ws, title=_("各大类册数"), category_col=1, value_cols=[3], anchor="F2", y_title=_("册"))
    ws = wb.add_table(
        _("藏书年龄"),
        [Column(_("出版年距今"), 14), Column(_("册数"), 10, INT), Column(_("占比"), 10, PERCENT)],
        [(r["label"], r["volumes"], r["share"]) for r in a["ages"]],
        caption=caption,
        notes=[formula("age")],
    )
    wb.add_bar_chart(ws, title=_("藏书年龄"), category_col=1, value_cols=[2], anchor="E2", y_title=_("册"))
    wb.add_table(
        _("复本过多"),
        [
            Column(_("题名"), 40),
            Column(_("著者"), 20),
            Column(_("索书号"), 14),
            Column(_("在藏复本"), 10, INT),
            Column(_("超出上限"), 10, INT),
        ],
        [(d["title"], d["authors"], d["call_number"], d["volumes"], d["excess"]) for d in a["duplicates"]],
        caption=caption,
        notes=[formula("duplicates") + _("（上限 %(cap)s 册）") % {"cap": a["duplicate_cap"]}],
    )
    wb.add_table(
        _("长期未借"),
        [
            Column(_("题名"), 40),
            Column(_("著者"), 20),
            Column(_("索书号"), 14),
            Column(_("出版年"), 8, INT),
            Column(_("在藏册数"), 10, INT),
            Column(_("最近借阅"), 18, DATE),
        ],
        [(n["title"], n["authors"], n["call_number"], n["pub_year"], n["volumes"], n["last_loan"]) for n in a["never"]],
        caption=caption,
        notes=[formula("never_borrowed").replace("N", str(a["never_years"]))],
    )
    return wb
