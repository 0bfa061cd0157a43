"""The malformed parameters issue #9 found: each answered 500 before; now a page or a clear message."""

from decimal import Decimal

import pytest

from catalog.models import Record
from circulation import services
from circulation.models import Compensation, Hold, LibraryCard

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

NUL = "a\x00b"
HUGE = "99999999999999999999"


def test_desk_scan_with_a_nul_byte_says_nothing_was_found(client, setup, librarian):
    client.force_login(librarian)
    response = client.post("/circulation/desk/scan/", {"code": NUL})
    assert response.status_code == 200
    assert "无法识别" in response.content.decode()


def test_desk_scan_in_return_mode_with_a_nul_byte_is_refused_politely(client, setup, librarian):
    client.force_login(librarian)
    response = client.post("/circulation/desk/scan/", {"code": "A000\x000001", "mode": "return"})
    assert response.status_code == 200


def test_class_session_scan_with_a_nul_byte(client, setup, librarian, school_class):
    client.force_login(librarian)
    session = client.session
    session["class_sessions"] = {"abcd1234": school_class.pk}
    session.save()
    response = client.post("/circulation/session/abcd1234/scan/", {"code": NUL})
    assert response.status_code == 200
    assert "无法识别" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/?q=a%00b",
        "/catalog/?q=a%00b",
        "/catalog/weeding/?q=a%00b",
        "/circulation/readers/?q=a%00b",
        "/catalog/classes/?code=%00",
        "/catalog/classes/?code=I%00",
    ],
)
def test_searches_with_a_nul_byte_answer_a_page(client, librarian, url):
    client.force_login(librarian)
    assert client.get(url).status_code == 200


def test_opac_page_past_64_bits_shows_a_page(client, setup):
    assert client.get(f"/?q=a&page={HUGE}").status_code == 200


@pytest.mark.parametrize("page", [HUGE, "-1", "²", "1e9", "0"])
def test_paginated_lists_take_any_page_number(client, librarian, page):
    client.force_login(librarian)
    for url in ("/circulation/readers/", "/circulation/log/", "/circulation/compensations/", "/catalog/new-books/"):
        assert client.get(url, {"page": page}).status_code == 200, url


def test_labels_with_a_unicode_digit_batch_show_the_chooser(client, librarian, stacks):
    client.force_login(librarian)
    response = client.get("/catalog/labels/", {"batch": "²", "kind": "spine"})
    assert response.status_code == 200


@pytest.mark.parametrize("params", [{"copy": "²"}, {"record": "²"}, {"skip": "²", "batch": "1"}, {"copy": HUGE}])
def test_labels_with_other_bad_numbers(client, librarian, stacks, params):
    client.force_login(librarian)
    assert client.get("/catalog/labels/", params).status_code == 200


@pytest.mark.parametrize("params", [{"term": "²"}, {"year": "²"}, {"term": HUGE}, {"year": HUGE}])
def test_reports_with_a_unicode_digit_term_say_what_is_wrong(client, librarian, params):
    client.force_login(librarian)
    response = client.get("/reports/", params)
    assert response.status_code == 200
    assert "学" in response.content.decode()


@pytest.mark.parametrize("years", ["²", HUGE, "0"])
def test_collection_report_with_bad_years(client, librarian, years):
    client.force_login(librarian)
    assert client.get("/reports/collection/", {"years": years}).status_code == 200


@pytest.mark.parametrize("reader", ["²", HUGE])
def test_desk_and_log_with_bad_reader_ids(client, librarian, reader):
    client.force_login(librarian)
    assert client.get("/circulation/desk/", {"reader": reader}).status_code == 200
    assert client.get("/circulation/log/", {"reader": reader}).status_code == 200
    assert client.get("/circulation/readers/", {"class": reader}).status_code == 200


def _compensation(setup) -> Compensation:
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    return services.compensation_report(copy_barcode="A0000001", kind="lost", by=setup["by"], now=setup["now"])


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN", "1e999", "12345678901", "1.234"])
def test_settling_with_a_non_finite_or_oversized_amount_is_refused(client, setup, librarian, amount):
    comp = _compensation(setup)
    client.force_login(librarian)
    response = client.post(
        f"/circulation/compensations/{comp.pk}/settle/", {"status": "paid", "paid_amount": amount}, follow=True
    )
    assert response.status_code == 200
    assert "实收金额" in response.content.decode()
    comp.refresh_from_db()
    assert comp.status == Compensation.Status.UNPAID


def test_settling_with_a_normal_amount_still_works(client, setup, librarian):
    comp = _compensation(setup)
    client.force_login(librarian)
    client.post(f"/circulation/compensations/{comp.pk}/settle/", {"status": "paid", "paid_amount": "12.5"})
    comp.refresh_from_db()
    assert (comp.status, comp.paid_amount) == (Compensation.Status.PAID, Decimal("12.50"))


def test_settling_with_a_nul_in_the_note_is_refused(client, setup, librarian):
    comp = _compensation(setup)
    client.force_login(librarian)
    response = client.post(
        f"/circulation/compensations/{comp.pk}/settle/", {"status": "waived", "note": NUL}, follow=True
    )
    assert response.status_code == 200
    comp.refresh_from_db()
    assert comp.status == Compensation.Status.UNPAID


@pytest.mark.parametrize("field", ["barcode", "note"])
def test_compensation_forms_with_a_nul_byte(client, setup, librarian, field):
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    client.force_login(librarian)
    data = {"barcode": "A0000001", "kind": "lost", "reader": setup["reader"].pk, "note": ""}
    data[field] = NUL
    for url in ("/circulation/desk/compensation/", "/circulation/compensations/new/"):
        response = client.post(url, data)
        assert response.status_code in (200, 302), url
    assert not Compensation.objects.exists()


def test_desk_compensation_form_with_a_nul_barcode_on_get(client, setup, librarian):
    client.force_login(librarian)
    response = client.get("/circulation/desk/compensation/", {"barcode": NUL, "reader": setup["reader"].pk})
    assert response.status_code == 200


@pytest.mark.parametrize("number", [NUL, "9" * 10_000])
def test_card_number_with_a_nul_byte_or_too_long_is_refused(client, setup, librarian, number):
    client.force_login(librarian)
    before = LibraryCard.objects.count()
    response = client.post(f"/circulation/readers/{setup['reader'].pk}/card/issue/", {"number": number}, follow=True)
    assert response.status_code == 200
    assert LibraryCard.objects.count() == before


@pytest.mark.parametrize("target", ["not-a-url", "javascript:alert(1)", "https://evil.example/", "a\x00b", "//evil"])
def test_a_hold_placed_with_a_bad_next_goes_to_my_holds(client, setup, teacher, target):
    record = Record.objects.get(title="小王子")
    client.force_login(teacher)
    response = client.post(f"/circulation/reserve/{record.pk}/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/circulation/my/holds/"
    assert Hold.objects.count() == 1


def test_a_hold_cancelled_with_a_bad_next_goes_to_my_holds(client, setup, teacher):
    record = Record.objects.get(title="小王子")
    client.force_login(teacher)
    client.post(f"/circulation/reserve/{record.pk}/")
    hold = Hold.objects.get()
    response = client.post(f"/circulation/holds/{hold.pk}/cancel/", {"next": "not-a-url"})
    assert response.status_code == 302
    assert response["Location"] == "/circulation/my/holds/"


def test_a_good_next_is_still_followed(client, setup, teacher):
    record = Record.objects.get(title="小王子")
    client.force_login(teacher)
    response = client.post(f"/circulation/reserve/{record.pk}/", {"next": f"/record/{record.pk}/"})
    assert response["Location"] == f"/record/{record.pk}/"


def test_marc_export_with_unicode_digits_and_huge_ids(client, librarian):
    client.force_login(librarian)
    for data in ({"ids": "² 3"}, {"ids": HUGE}, {"batch": "²"}, {"clc": "I\x00"}):
        response = client.post("/catalog/export/marc/", data)
        assert response.status_code in (200, 302), data


@pytest.fixture
def superuser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", "root@example.cn", "pw")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/circulation/reader/?kind__exact=%00",
        "/admin/circulation/reader/?q=a%00b",
        "/admin/auth/user/?is_staff__exact=a%00&q=%00",
    ],
)
def test_back_office_filters_with_a_nul_byte_answer_a_page(client, superuser, url):
    client.force_login(superuser)
    assert client.get(url).status_code in (200, 302)


def test_nul_bytes_are_removed_from_the_query_string_before_any_view(rf):
    from library.middleware import BadInputMiddleware

    seen = {}

    def view(request):
        seen.update(request.GET.lists())
        return None

    BadInputMiddleware(view)(rf.get("/", {"q": "a\x00b", "tag": ["x\x00", "y"]}))
    assert seen == {"q": ["ab"], "tag": ["x", "y"]}


def test_a_broken_body_is_refused_before_the_view_writes(client, setup, teacher):
    """hold_cancel read `next` after cancelling: a multipart body without a boundary gave a 400 after the write."""
    record = Record.objects.get(title="小王子")
    client.force_login(teacher)
    client.post(f"/circulation/reserve/{record.pk}/")
    hold = Hold.objects.get()
    response = client.post(f"/circulation/holds/{hold.pk}/cancel/", b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert Hold.objects.get().status == hold.status != Hold.Status.CANCELLED


def test_a_path_with_a_nul_byte_is_no_page(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/catalog/clcclass/A%00/change/").status_code == 404


def test_back_office_class_form_with_a_nul_parent_is_refused(client, superuser):
    client.force_login(superuser)
    data = {"code": "ZZ1", "name": "测试", "parent": "A\x00", "level": "1", "kind": "normal", "sort_key": "zz1"}
    response = client.post("/admin/catalog/clcclass/add/", data)
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors


def test_back_office_barcode_width_past_its_range_is_refused(client, superuser):
    from catalog.models import BarcodeSequence

    seq = BarcodeSequence.objects.first() or BarcodeSequence.objects.create(name="default")
    client.force_login(superuser)
    data = {"name": seq.name, "prefix": "A", "width": "99999999999999999999", "next_value": "1"}
    response = client.post(f"/admin/catalog/barcodesequence/{seq.pk}/change/", data)
    assert response.status_code == 200
    assert "width" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "extra", [{"location": "²"}, {"location": "99999999999999999999"}, {"filename": "a\x00b.xlsx"}]
)
def test_the_import_step_with_hostile_hidden_fields(client, librarian, stacks, extra):
    """The second step of an import posts back the preview's hidden fields: forged ones are no 500."""
    from catalog import excel
    from catalog.views import transfer

    sha = transfer._stash(excel.template_bytes())
    client.force_login(librarian)
    data = {"sha": sha, "filename": "books.xlsx", "location": stacks.pk, **extra}
    response = client.post("/catalog/import/excel/", data)
    assert response.status_code in (200, 302)
