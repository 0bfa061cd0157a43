"""Recommended lists imported from Excel: matched to the catalogue by ISBN or title + author, one
list per grade, and the books the library lacks exported as a wish-list for ordering."""

import re
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from reading import importing
from reading.models import ReadingList, ReadingListItem

HEADER = ["题名", "著者", "ISBN", "年级", "推荐语"]


def sheet(*rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_rows_match_by_isbn_then_by_title_and_author(book):
    by_isbn = book("夏洛的网", isbn="9787020024759", authors="怀特")
    by_title = book("草房子", authors="曹文轩")
    parsed = importing.parse(
        sheet(
            ("Charlotte's Web", "", "978-7-02-002475-9", "三年级", ""),
            ("草房子", "曹文轩", "", "3", "成长"),
            ("草房子", "别人", "", "三年级", ""),  # same title, other author: not ours
            ("城南旧事", "林海音", "", "四年级", ""),
        )
    )
    assert parsed.ok
    assert [row.record for row in parsed.rows] == [by_isbn, by_title, None, None]
    assert [(row.stage, row.grade) for row in parsed.rows] == [("primary", 3)] * 3 + [("primary", 4)]


def test_an_unreadable_grade_or_missing_title_is_reported_by_line(db):
    parsed = importing.parse(sheet(("夏洛的网", "", "", "大班", ""), ("", "某人", "", "三年级", "")))
    assert not parsed.ok
    assert [line for line, _message in parsed.errors] == [2, 3]


def test_a_file_that_is_not_excel_is_refused(db):
    parsed = importing.parse(b"title,author\n")
    assert not parsed.ok and "xlsx" in parsed.errors[0][1]


def upload_and_preview(client, content: bytes, **choices):
    data = {"file": SimpleUploadedFile("list.xlsx", content), "title": "2025学年推荐书目", "kind": "grade"}
    return client.post("/reading/manage/import/", {"stage": "primary", **data, **choices})


def confirm_fields(html: str) -> dict:
    """The hidden fields of the preview's 确认导入 form."""
    form = html[: html.index('data-testid="import-confirm"')].rsplit("<form", 1)[1]
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))


def test_the_librarian_previews_confirms_one_list_per_grade_and_exports_the_wishlist(client, librarian, book):
    book("草房子", authors="曹文轩")
    client.force_login(librarian)
    response = upload_and_preview(
        client,
        sheet(
            ("草房子", "曹文轩", "", "三年级", "成长"),
            ("小猪唏哩呼噜", "孙幼军", "", "三年级", ""),
            ("城南旧事", "林海音", "", "四年级", ""),
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "共 3 本书，1 种本馆有，2 种本馆暂无" in html
    assert "按题名和著者找到" in html and "本馆暂无：题名和著者没有找到，将列入缺藏书单。" in html
    assert not ReadingList.objects.exists()  # nothing written before the confirmation

    response = client.post("/reading/manage/import/", confirm_fields(html))
    assert response.status_code == 302
    assert sorted(ReadingList.objects.values_list("title", flat=True)) == [
        "2025学年推荐书目 · 三年级",
        "2025学年推荐书目 · 四年级",
    ]
    assert ReadingListItem.objects.filter(record__isnull=True).count() == 2

    response = client.get("/reading/manage/wishlist.xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["小猪唏哩呼噜", "城南旧事"]
    assert [r[4] for r in rows[1:]] == ["三年级", "四年级"]


def test_the_preview_says_how_each_row_matched_and_what_is_wrong(client, librarian, book):
    book("夏洛的网", isbn="9787020024759", authors="怀特")
    client.force_login(librarian)
    html = upload_and_preview(
        client,
        sheet(
            ("Charlotte's Web", "", "978-7-02-002475-9", "三年级", ""),
            ("城南旧事", "林海音", "12345", "三年级", ""),
            ("夏洛的网", "", "", "大班", ""),
            ("", "某人", "", "三年级", ""),
        ),
    ).content.decode()
    assert "按 ISBN 找到" in html
    assert "ISBN“12345”无效，已按题名和著者比对。" in html
    assert "第 4 行的年级“大班”无法识别。" in html and "第 5 行没有题名。" in html
    assert 'data-testid="import-confirm"' not in html  # broken rows: nothing may be imported
    assert not ReadingList.objects.exists()


def test_a_cancelled_import_writes_nothing_and_its_file_is_gone(client, librarian, book):
    client.force_login(librarian)
    fields = confirm_fields(
        upload_and_preview(client, sheet(("城南旧事", "林海音", "", "三年级", ""))).content.decode()
    )
    client.post("/reading/manage/import/", {"sha": fields["sha"], "cancel": "1"})
    response = client.post("/reading/manage/import/", fields)
    assert response.status_code == 302 and not ReadingList.objects.exists()
    assert "上传的文件已过期" in client.get(response["Location"]).content.decode()


def test_a_forged_confirmation_writes_nothing(client, librarian, book):
    client.force_login(librarian)
    fields = confirm_fields(
        upload_and_preview(client, sheet(("城南旧事", "林海音", "", "三年级", ""))).content.decode()
    )
    for forged in ({**fields, "sha": "../../etc/passwd"}, {**fields, "kind": "nonsense"}, {**fields, "title": ""}):
        assert client.post("/reading/manage/import/", forged).status_code == 302
    assert not ReadingList.objects.exists()


def test_the_template_downloads(client, librarian):
    client.force_login(librarian)
    response = client.get("/reading/manage/import/template.xlsx")
    assert [c.value for c in load_workbook(BytesIO(response.content)).active[1]] == HEADER


def test_a_teacher_may_not_import(client, teacher):
    client.force_login(teacher)
    assert client.get("/reading/manage/import/").status_code == 403
    assert client.get("/reading/manage/wishlist.xlsx").status_code == 403
