"""Excel exports: loaded back with openpyxl and checked cell by cell against hand-computed values."""

from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.excel import PERCENT, Column, Workbook, content_disposition

pytestmark = pytest.mark.django_db


def test_helper_forces_text_and_strips_illegal_characters():
    wb = Workbook()
    wb.add_table(
        "表", [Column("题名"), Column("册数", number_format="0")], [("=1+2", 3), ("+86\x07电话", 4), ("@SUM(A1)", None)]
    )
    ws = load_workbook(BytesIO(wb.to_bytes())).active
    assert (ws["A2"].value, ws["A2"].data_type, ws["A2"].quotePrefix) == ("=1+2", "s", True)
    assert ws["A3"].value == "+86电话"
    assert ws["A4"].value == "@SUM(A1)" and ws["A4"].data_type == "s"
    assert ws["B2"].value == 3 and ws["B2"].number_format == "0"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold


def test_content_disposition_uses_rfc5987():
    value = content_disposition("2025-2026学年第一学期-借阅统计.xlsx")
    assert value.startswith('attachment; filename="2025-2026')
    assert f"filename*=UTF-8''{quote('2025-2026学年第一学期-借阅统计.xlsx')}" in value


@pytest.fixture
def summary_book(client, librarian, school):
    client.force_login(librarian)
    response = client.get(reverse("reports:summary_export") + f"?term={school.term.pk}")
    assert response.status_code == 200
    return response, load_workbook(BytesIO(response.content))


def test_summary_export_file_name_and_sheets(summary_book):
    response, book = summary_book
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert quote("2025—2026学年第一学期-借阅统计.xlsx") in response["Content-Disposition"]
    assert book.sheetnames == [
        "概况",
        "年级统计",
        "班级统计",
        "读书之星",
        "年级读书之星",
        "借阅排行榜",
        "分类借阅",
        "剔除注销",
        "与上期对比",
        "阅读推广",
        "工作总结",
    ]


def test_summary_export_key_figures(summary_book):
    _response, book = summary_book
    ws = book["概况"]
    assert ws.freeze_panes == "A3"
    figures = {row[1]: (row[2], row[3]) for row in ws.iter_rows(min_row=3, values_only=True) if row[1]}
    assert figures["在校学生数"] == (6, "人")
    assert figures["学生借阅册次"] == (11, "册次")
    assert figures["教职工借阅册次"] == (3, "册次")
    assert figures["借阅人次"] == (11, "人次")
    assert figures["续借次数"] == (2, "次")
    assert figures["生均借阅"] == (1.83, "册")
    assert figures["借阅参与率"] == (0.8333, "%")
    assert figures["馆藏册数"] == (9, "册")
    assert figures["生均藏书标准"] == (25.0, "册")
    # Percentages carry a percent number format.
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "借阅参与率")
    assert row[2].number_format == PERCENT
    assert "期末在校学生中期内至少借过一册的人数" in row[4].value


def test_summary_export_class_table_and_chart(summary_book):
    _response, book = summary_book
    ws = book["班级统计"]
    assert [c.value for c in ws[2]][:6] == ["班级", "班主任", "在校学生数", "借阅学生数", "借阅册次", "生均借阅"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, max_row=5, values_only=True)}
    assert rows["三年级(1)班"][2:6] == (2, 3, 7, 3.5)
    assert rows["三年级(1)班"][9] == 1  # rank
    assert rows["四年级(1)班"][7] == 1  # students with no loan
    assert ws["F3"].number_format == "0.00"
    assert len(ws._charts) == 1
    assert len(book["年级统计"]._charts) == 1
    assert len(book["分类借阅"]._charts) == 1


def test_summary_export_formula_like_title_stays_text(summary_book):
    _response, book = summary_book
    ws = book["借阅排行榜"]
    titles = [ws.cell(row=r, column=2) for r in range(3, 7)]
    cell = next(c for c in titles if c.value and c.value.startswith("=HYPERLINK"))
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)


def _formula_like_cells(book):
    return [
        c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"
    ]


def test_class_report_export_keeps_a_formula_like_name_as_text(client, librarian, school):
    school.readers["s3"].name = "+cmd|' /C calc'!A0"
    school.readers["s3"].save(update_fields=["name"])
    client.force_login(librarian)
    response = client.get(
        reverse("reports:class_report_export", args=[school.classes["B"].pk]) + f"?term={school.term.pk}"
    )
    cells = _formula_like_cells(load_workbook(BytesIO(response.content)))
    assert [c.value for c in cells] == ["+cmd|' /C calc'!A0"]
    assert (cells[0].data_type, cells[0].quotePrefix) == ("s", True)


def test_collection_export_keeps_formula_like_titles_as_text(client, librarian, school):
    school.records["R6"].title = "=1+1"
    school.records["R6"].save(update_fields=["title"])
    client.force_login(librarian)
    response = client.get(reverse("reports:collection_export") + "?date=2026-01-20&years=3")
    cells = _formula_like_cells(load_workbook(BytesIO(response.content)))
    assert "=1+1" in [c.value for c in cells]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_summary_export_comparison_and_paragraph(summary_book):
    _response, book = summary_book
    ws = book["与上期对比"]
    assert [c.value for c in ws[2]] == ["指标", "2025—2026学年第一学期", "2024—2025学年第二学期", "增减"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["学生借阅册次"] == (11, 2, 9)
    assert "本期共有6名学生借阅图书11册" in book["工作总结"]["A3"].value


def test_class_report_export(client, head_teacher, school):
    client.force_login(head_teacher)
    response = client.get(
        reverse("reports:class_report_export", args=[school.classes["B"].pk]) + f"?term={school.term.pk}"
    )
    book = load_workbook(BytesIO(response.content))
    rows = [r for r in book["班级借阅"].iter_rows(min_row=3, values_only=True) if r[0]]
    # s5 borrowed 2 books while in 三年级(1)班: 0 for this class, 2 in the other column.
    assert [r[:4] for r in rows[:3]] == [("S03", "s3", 1, 0), ("S05", "s5", 0, 2), ("S07", "s7", 1, 0)]
    assert book["班级借阅"]["E3"].number_format == "yyyy-mm-dd hh:mm"
    assert len(book["班级借阅"]._charts) == 1
    assert book["未借阅学生"].cell(row=3, column=2).value is None  # everybody in 三年级(2)班 borrowed
    assert quote("三年级(2)班") in response["Content-Disposition"]


def test_collection_export(client, librarian, school):
    client.force_login(librarian)
    response = client.get(reverse("reports:collection_export") + "?date=2026-01-20&years=3")
    book = load_workbook(BytesIO(response.content))
    divisions = {r[0]: r[1:] for r in book["部类结构"].iter_rows(min_row=3, max_row=7, values_only=True)}
    # 9 volumes: I (小王子 3, HYPERLINK 1, 格林童话 1) + H (字典 1) = 6 社会科学; Q 1 + 自然科学; Z 2.
    assert divisions["社会科学"][2:6] == (6, 0.6667, 0.64, "正常")
    assert divisions["自然科学"][2:6] == (1, 0.1111, 0.28, "偏低")
    assert divisions["综合性图书"][2:6] == (2, 0.2222, 0.05, "偏高")
    assert len(book["部类结构"]._charts) == 1
