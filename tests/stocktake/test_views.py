"""Stocktake pages: access by role, scanning (page and collector file), closing, report, export, write-off."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import CopyStatus
from circulation.models import Loan
from stocktake import services
from stocktake.models import Stocktake, WriteOff
from tests.conftest import make_reader, make_user
from tests.stocktake.conftest import shelve

pytestmark = pytest.mark.django_db

SCAN = {"HTTP_X_STOCKTAKE_SCAN": "1"}


@pytest.fixture
def open_st(stacks, librarian):
    shelve(stacks, "A1", title="小王子")
    shelve(stacks, "A2", title="西游记")
    return services.stocktake_open(name="书库盘点", locations=[stacks], by=librarian)


def test_anonymous_is_sent_to_login(client, open_st):
    assert client.get(f"/stocktake/{open_st.pk}/").status_code == 302


@pytest.mark.parametrize("url", ["/stocktake/", "/stocktake/1/", "/stocktake/1/report/", "/stocktake/1/report.xlsx"])
def test_teachers_may_not_see_stocktakes(client, teacher, url):
    client.force_login(teacher)
    assert client.get(url).status_code == 403


def test_assistant_scans_but_may_not_open_or_close(client, assistant, open_st):
    client.force_login(assistant)
    assert client.get(f"/stocktake/{open_st.pk}/").status_code == 200
    assert client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1"}, **SCAN).status_code == 200
    assert client.post(f"/stocktake/{open_st.pk}/close/").status_code == 403
    assert client.post("/stocktake/open/", {"name": "x"}).status_code == 403


def test_librarian_opens_a_stocktake_of_a_location(client, librarian, stacks):
    shelve(stacks, "A1")
    client.force_login(librarian)
    response = client.post("/stocktake/open/", {"name": "书库盘点", "locations": [stacks.pk]})
    st = Stocktake.objects.get()
    assert response.url == f"/stocktake/{st.pk}/" and st.expected_count == 1


def test_a_backwards_call_number_range_shows_a_message(client, librarian):
    client.force_login(librarian)
    response = client.post("/stocktake/open/", {"name": "x", "call_from": "K", "call_to": "I2"}, follow=True)
    assert "起点在终点之后" in response.content.decode() and not Stocktake.objects.exists()


def test_opening_an_overlapping_scope_shows_a_message(client, librarian, open_st):
    client.force_login(librarian)
    response = client.post("/stocktake/open/", {"name": "全部"}, follow=True)
    assert "正在盘点" in response.content.decode() and Stocktake.objects.count() == 1


def test_a_scan_answers_with_its_row(client, librarian, open_st, reading_room, stacks):
    client.force_login(librarian)
    response = client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1", "location": reading_room.pk}, **SCAN)
    body = response.content.decode()
    assert 'data-result="elsewhere"' in body and "应在：书库" in body
    again = client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1", "location": stacks.pk}, **SCAN)
    assert 'data-result="duplicate"' in again.content.decode()


def test_on_loan_scan_names_the_reader_only_for_staff_with_manage_readers(
    client, librarian, assistant, stacks, school_class
):
    copy = shelve(stacks, "A9", status=CopyStatus.ON_LOAN)
    pupil = make_reader("张小明", school_class=school_class)
    Loan.objects.create(
        copy=copy, reader=pupil, checked_out_at=timezone.now(), due_date=timezone.localdate() + timedelta(7)
    )
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    client.force_login(librarian)
    assert "张小明" in client.post(f"/stocktake/{st.pk}/scan/", {"barcode": "A9"}, **SCAN).content.decode()
    client.force_login(assistant)
    page = client.get(f"/stocktake/{st.pk}/").content.decode()
    assert "张小明" not in page and "请交流通台" in page


@pytest.mark.parametrize("data", [{}, {"barcode": ""}, {"barcode": "A1", "location": "garbage"}])
def test_garbage_scans_get_a_message_not_an_error(client, librarian, open_st, data):
    client.force_login(librarian)
    assert client.post(f"/stocktake/{open_st.pk}/scan/", data, **SCAN).status_code == 400
    assert client.post(f"/stocktake/{open_st.pk}/scan/", data).status_code == 302


def test_a_code_longer_than_any_barcode_is_refused_not_cut_into_one(client, librarian, open_st):
    # "A1" followed by 31 more characters: cut to the column's 32 it would not be A1, but a code
    # past the column is no barcode of ours and must not be recorded as scanned at all.
    client.force_login(librarian)
    code = "A1" + "0" * 31
    response = client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": code}, **SCAN)
    assert response.status_code == 400 and "32" in response.content.decode()
    assert not open_st.scans.exists()


def test_an_empty_scan_asks_for_a_barcode(client, librarian, open_st):
    client.force_login(librarian)
    response = client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": " "}, **SCAN)
    assert "请扫描图书条码" in response.content.decode()


def test_scan_get_is_not_allowed(client, librarian, open_st):
    client.force_login(librarian)
    assert client.get(f"/stocktake/{open_st.pk}/scan/").status_code == 405


def test_a_collector_file_upload_reports_its_lines(client, librarian, open_st):
    client.force_login(librarian)
    upload = SimpleUploadedFile("pd.txt", b"A1 2025-11-10 09:00\nA1\nQQ\n")
    response = client.post(f"/stocktake/{open_st.pk}/upload/", {"upload-file": upload}, follow=True)
    assert "3 行，新扫描 2 册，重复 1 行" in response.content.decode()


def test_closing_leads_to_the_report_with_the_missing_list(client, librarian, open_st):
    client.force_login(librarian)
    client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1"}, **SCAN)
    response = client.post(f"/stocktake/{open_st.pk}/close/", follow=True)
    body = response.content.decode()
    assert "西游记" in body and "50.00%" in body


def test_the_report_of_an_open_stocktake_is_not_found(client, librarian, open_st):
    client.force_login(librarian)
    assert client.get(f"/stocktake/{open_st.pk}/report/").status_code == 404


def test_the_excel_export_has_the_missing_copy_and_signature_lines(client, librarian, open_st):
    services.stocktake_close(stocktake=open_st, by=librarian)
    client.force_login(librarian)
    wb = load_workbook(BytesIO(client.get(f"/stocktake/{open_st.pk}/report.xlsx").content))
    assert [c.value for c in wb["丢失"]["A"]][1:] == ["A1", "A2"]
    assert "复核人：" in [c.value for c in wb["汇总"]["A"]]
    assert wb["汇总"]["B2"].value == "书库"


def test_write_off_needs_a_second_librarian(client, librarian, open_st):
    services.stocktake_close(stocktake=open_st, by=librarian)
    client.force_login(librarian)
    client.post(f"/stocktake/{open_st.pk}/write-off/propose/")
    response = client.post(f"/stocktake/{open_st.pk}/write-off/approve/", follow=True)
    assert "申请人不能自己审批" in response.content.decode()
    client.force_login(make_user("librarian2", "图书管理员"))
    client.post(f"/stocktake/{open_st.pk}/write-off/approve/")
    assert WriteOff.objects.get().batch.copies.count() == 2


def test_restore_with_garbage_gives_a_message(client, librarian, open_st):
    client.force_login(librarian)
    response = client.post(f"/stocktake/{open_st.pk}/restore/", {"copy": "x"}, follow=True)
    assert "请选择要恢复的图书" in response.content.decode()


def test_the_menu_shows_stocktake_to_scanners_only(client, assistant, teacher):
    client.force_login(assistant)
    assert 'href="/stocktake/"' in client.get("/my/").content.decode()
    client.force_login(teacher)
    assert 'href="/stocktake/"' not in client.get("/my/").content.decode()


def test_a_copy_found_again_is_restored_from_the_scanning_page(client, librarian, stacks):
    gone = shelve(stacks, "L1", status=CopyStatus.LOST, withdrawn_on=date(2024, 1, 1), withdrawal_reason="lost")
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    services.scan_record(stocktake=st, barcode="L1", location=stacks, by=librarian)
    client.force_login(librarian)
    page = client.get(f"/stocktake/{st.pk}/").content.decode()
    assert "恢复在架" in page
    response = client.post(f"/stocktake/{st.pk}/restore/", {"copy": gone.pk, "next": "detail"})
    gone.refresh_from_db()
    assert response.url == f"/stocktake/{st.pk}/" and gone.status == CopyStatus.ON_SHELF


def test_a_scan_at_the_page_costs_a_fixed_number_of_queries(
    client, librarian, open_st, stacks, django_assert_num_queries
):
    """Session, user (with its permissions), and one statement that locks the stocktake, checks the
    location, records and classifies the scan, marks the listed copy and reads back the row shown
    (with the borrower's name for staff): also for a copy on loan and for a repeated scan."""
    client.force_login(librarian)
    client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1", "location": stacks.pk}, **SCAN)
    with django_assert_num_queries(3):
        client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A2", "location": stacks.pk}, **SCAN)
    with django_assert_num_queries(3):
        client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1", "location": stacks.pk}, **SCAN)


def test_an_on_loan_scan_names_the_borrower_within_the_same_three_queries(
    client, librarian, stacks, school_class, django_assert_num_queries
):
    copy = shelve(stacks, "A9", status=CopyStatus.ON_LOAN)
    pupil = make_reader("李小红", school_class=school_class)
    Loan.objects.create(
        copy=copy, reader=pupil, checked_out_at=timezone.now(), due_date=timezone.localdate() + timedelta(7)
    )
    st = services.stocktake_open(name="书库", locations=[stacks], by=librarian)
    client.force_login(librarian)
    client.get("/my/")
    with django_assert_num_queries(3):
        body = client.post(f"/stocktake/{st.pk}/scan/", {"barcode": "A9"}, **SCAN).content.decode()
    assert 'data-result="on_loan"' in body and "李小红" in body


@pytest.mark.parametrize("location", ["999999", "١"])
def test_a_scan_at_no_such_location_is_refused_and_nothing_recorded(client, librarian, open_st, location):
    client.force_login(librarian)
    response = client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1", "location": location}, **SCAN)
    assert response.status_code == 400 and not open_st.scans.exists()


def test_a_scan_at_an_inactive_location_is_refused(client, librarian, open_st, reading_room):
    reading_room.is_active = False
    reading_room.save(update_fields=["is_active"])
    client.force_login(librarian)
    response = client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1", "location": reading_room.pk}, **SCAN)
    assert "停用" in response.content.decode() and not open_st.scans.exists()


def test_a_scan_of_no_such_stocktake_is_not_found(client, librarian):
    client.force_login(librarian)
    assert client.post("/stocktake/999999/scan/", {"barcode": "A1"}, **SCAN).status_code == 404
    assert client.post("/stocktake/999999/scan/", {"barcode": ""}, **SCAN).status_code == 404


def test_a_scan_of_a_closed_stocktake_is_refused(client, librarian, open_st):
    services.stocktake_close(stocktake=open_st, by=librarian)
    client.force_login(librarian)
    response = client.post(f"/stocktake/{open_st.pk}/scan/", {"barcode": "A1"}, **SCAN)
    assert response.status_code == 400 and not open_st.scans.exists()
