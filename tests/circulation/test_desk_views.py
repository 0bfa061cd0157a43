from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from circulation.models import CirculationEvent, Hold, Loan
from circulation.selectors import reader_panel
from circulation.views.desk import DESK_READER, DESK_SEEN
from tests.circulation.conftest import aware, make_copy
from tests.conftest import make_reader

pytestmark = pytest.mark.django_db

SCAN = reverse("circulation:desk_scan")


def choose(client, reader):
    """What a card scan leaves in the desk session: this reader is the current one (and seen)."""
    session = client.session
    session[DESK_READER] = reader.pk
    session[DESK_SEEN] = [reader.pk]
    session.save()


def scan(client, code, reader=None, mode="checkout", *, choose_first=True):
    """A scan as the desk page posts it. With a reader, the page shows that reader: since the
    server now lends only to the desk session's current reader, the helper first makes them
    current (as a card scan would) unless told not to (query-count tests do it beforehand)."""
    data = {"code": code, "mode": mode, "desk": "一号台"}
    if reader:
        data["reader"] = reader.pk
        if choose_first:
            choose(client, reader)
    return client.post(SCAN, data, HTTP_HX_REQUEST="true")


def test_desk_page_requires_the_desk_permission(client, teacher, assistant):
    url = reverse("circulation:desk")
    assert client.get(url).status_code == 302
    client.force_login(teacher)
    assert client.get(url).status_code == 403
    client.force_login(assistant)
    assert client.get(url).status_code == 200


def test_scan_is_post_only_and_needs_login(client, librarian, teacher):
    assert client.post(SCAN, {"code": "x"}).status_code == 302
    client.force_login(teacher)
    assert client.post(SCAN, {"code": "x"}).status_code == 403
    client.force_login(librarian)
    assert client.get(SCAN).status_code == 405


def test_scanning_a_card_shows_the_reader_panel(client, setup):
    client.force_login(setup["by"])
    card = setup["reader"].cards.get()
    response = scan(client, card.number)
    body = response.content.decode()
    assert "张小明" in body and "三年级(2)班" in body and 'value="%s"' % setup["reader"].pk in body


def test_scanning_books_lends_them_and_refuses_the_third(client, setup):
    client.force_login(setup["by"])
    reader = setup["reader"]
    assert "已借出《小王子》" in scan(client, "A0000001", reader).content.decode()
    assert "已借出《西游记》" in scan(client, "A0000003", reader).content.decode()
    body = scan(client, "A0000002", reader).content.decode()
    assert "拒借" in body and "上限" in body and 'data-tone="error"' in body
    assert Loan.objects.filter(reader=reader).count() == 2
    assert Loan.objects.get(copy__barcode="A0000001").desk == "一号台"


def test_a_book_without_a_reader_is_refused_clearly(client, setup):
    client.force_login(setup["by"])
    assert "请先扫描读者的借书证" in scan(client, "A0000001").content.decode()
    assert not Loan.objects.exists()


def test_unknown_code_says_so(client, setup):
    client.force_login(setup["by"])
    assert "找不到借书证、图书或读者“ZZZ”" in scan(client, "ZZZ").content.decode()


def test_search_by_name_or_pinyin_lists_the_reader_and_a_pick_selects_them(client, setup):
    """Changed with the explicit reader context: even a single name match is only listed (it used
    to become the reader at once); picking it from the list makes it the current reader."""
    client.force_login(setup["by"])
    body = scan(client, "小明").content.decode()
    pick = reverse("circulation:desk_reader_select", args=[setup["reader"].pk])
    assert pick in body and 'data-reader="%s"' % setup["reader"].pk not in body
    assert client.session.get(DESK_READER) is None
    body = client.post(pick, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-reader="%s"' % setup["reader"].pk in body and "读者：张小明" in body
    assert client.session[DESK_READER] == setup["reader"].pk


def test_return_mode_shows_reader_overdue_days_and_hold(client, setup, teacher):
    client.force_login(setup["by"])
    Loan.objects.create(
        copy=setup["c1"],
        reader=setup["reader"],
        reader_kind="student",
        checked_out_at=aware(date(2025, 10, 20)),
        due_date=date(2025, 11, 3),
    )
    setup["c1"].status = "on_loan"
    setup["c1"].save()
    make_copy(setup["record"], "A0000009", status="on_loan")
    setup["c2"].status = "on_loan"
    setup["c2"].save()
    Hold.objects.create(record=setup["record"], reader=teacher.reader, placed_at=aware(date(2025, 11, 1)))
    body = scan(client, "A0000001", mode="return").content.decode()
    assert "已还《小王子》" in body and "张小明" in body and "逾期 9 天" in body
    assert "王老师" in body and "打印预约条" in body
    hold = Hold.objects.get()
    assert hold.status == "ready"
    slip = client.get(reverse("circulation:hold_slip", args=[hold.pk])).content.decode()
    assert "王老师" in slip and "A0000001" in slip


def test_renew_from_the_panel(client, setup):
    client.force_login(setup["by"])
    scan(client, "A0000001", setup["reader"])
    loan = Loan.objects.get()
    url = reverse("circulation:desk_renew", args=[loan.pk])
    assert client.get(url).status_code == 405
    body = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "张小明 的《小王子》已续借" in body
    body = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "上限" in body
    loan.refresh_from_db()
    assert loan.renewals == 1


def test_lost_card_is_refused_at_the_desk(client, setup):
    client.force_login(setup["by"])
    card = setup["reader"].cards.get()
    card.status = "lost"
    card.save()
    body = scan(client, card.number).content.decode()
    assert "已挂失" in body
    body = scan(client, "A0000001", setup["reader"]).content.decode()
    assert "挂失" in body and not Loan.objects.exists()
    assert CirculationEvent.objects.filter(action="refused").count() == 1


# --- query counts: constant, whatever the reader's history --------------------------------


def _history(reader, n, copy_prefix):
    for i in range(n):
        copy = make_copy(barcode=f"{copy_prefix}{i:04d}")
        Loan.objects.create(
            copy=copy,
            reader=reader,
            reader_kind="student",
            checked_out_at=aware(date(2025, 9, 2)) + timedelta(hours=i),
            due_date=date(2025, 9, 16),
            returned_at=aware(date(2025, 9, 10)) + timedelta(hours=i),
        )


@pytest.mark.parametrize("history", [0, 15])
def test_checkout_query_count_is_pinned(client, setup, django_assert_num_queries, history):
    _history(setup["reader"], history, "H")
    client.force_login(setup["by"])
    scan(client, "A0000001", setup["reader"])  # warm the session and the user
    # session, user (with its permissions), what the code is; BEGIN, lock and read the reader (with
    # the loan policies and the open loans the panel shows), lock the copy (with "has this title
    # already"), the calendar, loan, copy status and its history (one statement), log, COMMIT (no
    # holds or compensation to read for this reader).
    with django_assert_num_queries(12):
        response = scan(client, "A0000003", setup["reader"], choose_first=False)
    assert "已借出" in response.content.decode()


@pytest.mark.parametrize("history", [0, 15])
def test_return_query_count_is_pinned(client, setup, django_assert_num_queries, history):
    _history(setup["reader"], history, "H")
    client.force_login(setup["by"])
    scan(client, "A0000001", setup["reader"])
    # session, user (with its permissions); BEGIN, lock the copy, lock the loan (with its reader's
    # state and open loans, for the panel), close it, log, the hold queue, copy status and its
    # history (one statement), COMMIT.
    with django_assert_num_queries(10):
        response = scan(client, "A0000001", mode="return", choose_first=False)
    assert "已还" in response.content.decode()


@pytest.mark.parametrize("open_loans", [0, 2])
def test_reader_panel_query_count_is_pinned(setup, django_assert_num_queries, open_loans):
    from circulation import services

    for code in ["A0000001", "A0000003"][:open_loans]:
        services.loan_checkout(reader=setup["reader"], copy_barcode=code, by=setup["by"], now=setup["now"])
    with django_assert_num_queries(1):  # the reader's state carries the open loans
        panel = reader_panel(setup["reader"].pk, setup["now"].date())
    assert len(panel.loans) == open_loans
    assert panel.policy.max_items == 2 and panel.reader.n_open == open_loans


def test_reader_panel_reads_holds_and_compensation_when_there_are_some(setup, django_assert_num_queries):
    from circulation import services

    reader, today = setup["reader"], setup["now"].date()
    services.loan_checkout(reader=reader, copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    services.compensation_report(copy_barcode="A0000001", kind="lost", by=setup["by"], now=setup["now"])
    hold = services.hold_place(record=setup["c3"].record, reader=reader, by=setup["by"], now=setup["now"])
    assert hold.status == "ready"
    with django_assert_num_queries(3):
        panel = reader_panel(reader.pk, today)
    assert [h.copy.barcode for h in panel.ready_holds] == ["A0000003"]
    assert [c.kind for c in panel.unpaid] == ["lost"]
    assert panel.loans == [] and "有未处理的赔偿或逾期费" in panel.blocks


def test_the_panel_after_a_checkout_counts_the_new_loan(client, setup):
    """The panel is built from the state read under the lock, but its counts include the new loan."""
    client.force_login(setup["by"])
    scan(client, "A0000001", setup["reader"])
    body = scan(client, "A0000003", setup["reader"]).content.decode()
    assert "已借 2 / 2 册" in body and "达到上限 2 册" in body
    assert body.count('data-testid="renew-') == 2


def test_a_reader_id_that_is_not_the_desks_current_reader_lends_nothing(client, setup):
    """A forged or stale reader id (another tab, an old page) is refused before any service runs."""
    client.force_login(setup["by"])
    response = client.post(SCAN, {"code": "A0000001", "mode": "checkout", "reader": setup["reader"].pk})
    body = response.content.decode()
    assert response.status_code == 200 and "请重新扫描借书证" in body and 'data-tone="error"' in body
    assert not Loan.objects.exists()


def test_a_current_reader_deleted_meanwhile_is_refused_without_a_half_made_loan(client, setup):
    client.force_login(setup["by"])
    session = client.session
    session[DESK_READER] = 999999
    session.save()
    response = client.post(SCAN, {"code": "A0000001", "mode": "checkout", "reader": "999999"})
    body = response.content.decode()
    assert response.status_code == 200 and "读者不存在" in body
    assert not Loan.objects.exists()
    refused = CirculationEvent.objects.get(action="refused")
    assert refused.reader is None and refused.copy.barcode == "A0000001"


def test_other_reader_in_class(school_class):
    assert make_reader("李华", school_class=school_class, number="20230299").school_class == school_class


# --- compensation from the desk ---------------------------------------------------------------

COMPENSATION = reverse("circulation:desk_compensation")


def test_desk_compensation_form_quotes_every_kind(client, setup):
    client.force_login(setup["by"])
    scan(client, "A0000001", setup["reader"])
    body = client.get(COMPENSATION, {"barcode": "A0000001", "reader": setup["reader"].pk}).content.decode()
    # 小王子 costs ¥25.00: lost = max(25 × 2, 10); severe 100 %, soiled 50 %, minor 20 %
    for text in ("遗失 ¥50.00", "严重破损 ¥25.00", "污损 ¥12.50", "轻微破损 ¥5.00", "张小明"):
        assert text in body


def test_a_lost_book_is_recorded_from_the_desk(client, setup):
    client.force_login(setup["by"])
    panel = scan(client, "A0000001", setup["reader"]).content.decode()
    assert 'data-testid="compensate-A0000001"' in panel
    response = client.post(
        COMPENSATION, {"barcode": "A0000001", "reader": setup["reader"].pk, "kind": "lost", "desk": "一号台"}
    )
    body = response.content.decode()
    comp = setup["reader"].compensations.get()
    assert comp.kind == "lost" and comp.amount == Decimal("50.00") and comp.status == "unpaid"
    assert "已登记遗失《小王子》，应赔 ¥50.00" in body and "未处理赔偿：遗失 ¥50.00" in body
    assert reverse("circulation:compensation_detail", args=[comp.pk]) in body
    assert '<div id="desk-compensation" hx-swap-oob="true"></div>' in body  # the form closes
    loan = Loan.objects.get(copy__barcode="A0000001")
    assert loan.returned_at is not None
    loan.copy.refresh_from_db()
    assert loan.copy.status == "lost"
    assert CirculationEvent.objects.filter(action="compensation", desk="一号台").exists()


def test_a_damaged_return_can_be_reported_right_after_the_scan(client, setup):
    client.force_login(setup["by"])
    scan(client, "A0000001", setup["reader"])
    body = scan(client, "A0000001", mode="return").content.decode()
    assert 'data-testid="report-damage"' in body
    response = client.post(
        COMPENSATION,
        {"barcode": "A0000001", "reader": setup["reader"].pk, "kind": "minor", "copy_action": "shelf"},
    )
    assert "应赔 ¥5.00" in response.content.decode()
    comp = setup["reader"].compensations.get()
    assert comp.loan is None and comp.kind == "minor"
    setup["c1"].refresh_from_db()
    assert setup["c1"].status == "on_shelf"


def test_a_forged_compensation_post_changes_nothing(client, setup):
    client.force_login(setup["by"])
    scan(client, "A0000001", setup["reader"])
    body = client.post(
        COMPENSATION, {"barcode": "A0000001", "reader": setup["reader"].pk, "kind": "stolen"}
    ).content.decode()
    assert "请选择赔偿类型" in body and 'data-tone="error"' in body
    assert "hx-swap-oob" in body and 'id="desk-compensation"' not in body  # the form stays open
    assert not setup["reader"].compensations.exists()
    assert Loan.objects.get(copy__barcode="A0000001").returned_at is None
    missing = client.get(COMPENSATION, {"barcode": "NOPE", "reader": setup["reader"].pk}).content.decode()
    assert "找不到这本书或读者" in missing


def test_student_assistants_do_not_record_compensation(client, setup, assistant):
    client.force_login(assistant)
    panel = scan(client, "A0000001", setup["reader"]).content.decode()
    assert "已借出" in panel and "compensate-A0000001" not in panel
    assert client.get(COMPENSATION, {"barcode": "A0000001", "reader": setup["reader"].pk}).status_code == 403
    assert client.post(COMPENSATION, {"barcode": "A0000001", "kind": "lost"}).status_code == 403


def test_the_panel_after_a_return_shows_what_still_blocks_the_reader(client, setup):
    from circulation import services

    reader = setup["reader"]
    for code in ("A0000001", "A0000003"):
        services.loan_checkout(reader=reader, copy_barcode=code, by=setup["by"], now=setup["now"])
    services.compensation_report(copy_barcode="A0000001", kind="minor", copy_action="shelf", by=setup["by"])
    client.force_login(setup["by"])
    body = scan(client, "A0000003", mode="return").content.decode()
    assert "已还《西游记》" in body and "未处理赔偿：轻微破损 ¥5.00" in body and "有未处理的赔偿" in body
    assert "已借 0 / 2 册" in body and "没有借阅中的图书" in body


def test_the_desk_opens_with_a_reader_or_answers_404_for_an_unknown_one(client, setup):
    client.force_login(setup["by"])
    page = client.get(reverse("circulation:desk"), {"reader": setup["reader"].pk}).content.decode()
    assert 'data-testid="reader-name">张小明' in page
    assert "reader-name" not in client.get(reverse("circulation:desk"), {"reader": "999999"}).content.decode()
    panel = client.get(reverse("circulation:desk_reader", args=[setup["reader"].pk])).content.decode()
    assert "读者：张小明" in panel
    assert client.get(reverse("circulation:desk_reader", args=[999999])).status_code == 404
