"""Reading-history retention: `manage.py anonymise_loans` and the daily self-run detach returned
loans past the retention period from the reader; the class, grade, reader type and dates stay; the
log keeps the actions without reader, copy or title. (The figures: tests/reports/test_anonymised_figures.py.)"""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction

from circulation import services
from circulation.models import AnonymousBorrower, CirculationEvent, CirculationSettings, Compensation, Loan
from tests.circulation.conftest import aware

pytestmark = pytest.mark.django_db

LAST_YEAR = date(2025, 3, 10)  # school year 2024-2025; "today" is 2025-11-12 (2025-2026)


@pytest.fixture
def read_last_year(setup):
    """张小明 borrowed two books in March 2025 and brought them back."""
    for code in ("A0000001", "A0000003"):
        services.loan_checkout(reader=setup["reader"], copy_barcode=code, by=setup["by"], now=aware(LAST_YEAR))
        services.loan_return(copy_barcode=code, by=setup["by"], now=aware(date(2025, 3, 20)))
    return setup


def _run(*args) -> str:
    out = StringIO()
    call_command("anonymise_loans", *args, stdout=out)
    return out.getvalue()


def test_dry_run_counts_and_changes_nothing(read_last_year):
    out = _run("--dry-run")
    assert "Would anonymise 2 loans of 1 readers" in out and "2024-2025: 2 loans" in out
    assert read_last_year["reader"].loans.count() == 2
    assert not AnonymousBorrower.objects.exists()


def test_the_command_detaches_the_reader_and_keeps_class_grade_kind_and_dates(read_last_year):
    before = list(
        Loan.objects.order_by("pk").values(
            "school_class", "grade", "reader_kind", "checked_out_at", "returned_at", "due_date", "copy"
        )
    )
    assert "Anonymised 2 loans" in _run()
    assert read_last_year["reader"].loans.count() == 0
    after = list(
        Loan.objects.order_by("pk").values(
            "school_class", "grade", "reader_kind", "checked_out_at", "returned_at", "due_date", "copy"
        )
    )
    assert after == before and before[0]["grade"] == 2
    assert Loan.objects.filter(reader__isnull=True).values("anonymous_borrower").distinct().count() == 1


def test_the_log_keeps_the_actions_but_no_reader_copy_or_title(read_last_year):
    _run()
    rows = CirculationEvent.objects.filter(loan__isnull=False).order_by("at", "pk")
    assert sorted(e.action for e in rows) == ["checkout", "checkout", "return", "return"]
    assert {(e.reader_id, e.copy_id) for e in rows} == {(None, None)}
    assert {e.detail for e in rows} == {"已匿名 · 二年级(2)班"}
    assert "小王子" not in "".join(CirculationEvent.objects.values_list("detail", flat=True))


def test_the_log_is_still_append_only_outside_anonymisation(read_last_year):
    event = CirculationEvent.objects.filter(action="checkout").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        CirculationEvent.objects.filter(pk=event.pk).update(reader=None, copy=None, detail="")


def test_a_loan_needs_a_reader_or_an_anonymous_borrower(read_last_year):
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.update(reader=None)


def test_this_years_loans_keep_the_name(setup):
    services.loan_checkout(
        reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=aware(date(2025, 9, 10))
    )
    services.loan_return(copy_barcode="A0000001", by=setup["by"], now=aware(date(2025, 9, 20)))
    assert services.loans_anonymise().loans == 0


def test_a_year_with_a_book_still_out_keeps_the_name(read_last_year):
    s = read_last_year
    services.loan_checkout(reader=s["reader"], copy_barcode="A0000002", by=s["by"], now=aware(date(2025, 6, 1)))
    assert services.loans_anonymise().loans == 0
    services.loan_return(copy_barcode="A0000002", by=s["by"], now=aware(date(2025, 11, 1)))
    # Back in 2025-2026: named for the whole of this school year (1 year's retention), then anonymised.
    assert services.loans_anonymise().loans == 0
    assert services.loans_anonymise(now=aware(date(2026, 9, 1))).loans == 3


def test_an_unpaid_compensation_keeps_the_name(read_last_year):
    s = read_last_year
    Compensation.objects.create(
        copy=s["c1"], reader=s["reader"], kind="minor", amount=Decimal("5.00"), reported_at=aware(LAST_YEAR)
    )
    assert services.loans_anonymise().loans == 0


def test_until_the_pupil_leaves(read_last_year):
    settings = CirculationSettings.current()
    settings.history_rule = CirculationSettings.HistoryRule.UNTIL_LEFT
    settings.save()
    reader = read_last_year["reader"]
    assert services.loans_anonymise().loans == 0  # still at school
    reader.is_active = False
    services.reader_save(reader=reader, was_active=True, by=read_last_year["by"])
    assert services.loans_anonymise().loans == 2


def test_the_first_signed_in_request_of_the_day_anonymises_once(client, read_last_year):
    client.force_login(read_last_year["by"])
    client.get("/")
    assert read_last_year["reader"].loans.count() == 0
    assert services.loans_anonymise_daily() is None  # already done today


def test_the_daily_run_does_a_few_at_a_time_and_goes_on_next_request(read_last_year, monkeypatch, school_class):
    from circulation.services import retention
    from tests.conftest import make_reader

    s = read_last_year
    other = make_reader("李小红", school_class=school_class, number="20230202")
    services.loan_checkout(reader=other, copy_barcode="A0000002", by=s["by"], now=aware(LAST_YEAR))
    services.loan_return(copy_barcode="A0000002", by=s["by"], now=aware(date(2025, 3, 21)))
    monkeypatch.setattr(retention, "DAILY_LIMIT", 1)
    first = services.loans_anonymise_daily()
    assert (first.groups, first.remaining) == (1, 1)
    assert CirculationSettings.current().history_checked_on is None  # not claimed: more to do
    second = services.loans_anonymise_daily()
    assert (second.groups, second.remaining) == (1, 0)
    assert services.loans_anonymise_daily() is None  # now the day is done
    assert not Loan.objects.filter(reader__isnull=False).exists()


def test_the_librarian_sets_the_retention_on_the_settings_page(client, setup):
    from django.urls import reverse

    client.force_login(setup["by"])
    page = client.get(reverse("circulation:settings")).content.decode()
    assert "借阅记录保留方式" in page and "实名借阅记录保留学年数" in page
    data = {
        "weekends_closed": "on",
        "hold_days": 3,
        "lost_multiplier": "2",
        "lost_minimum": "10",
        "severe_damage_percent": 100,
        "soiled_percent": 50,
        "minor_damage_percent": 20,
        "history_rule": "years",
        "history_years": 0,
        "desk_idle_minutes": 3,
    }
    assert client.post(reverse("circulation:settings"), data).status_code == 200  # 0 years: refused
    client.post(reverse("circulation:settings"), {**data, "history_rule": "until_left", "history_years": 2})
    settings = CirculationSettings.current()
    assert (settings.history_rule, settings.history_years) == ("until_left", 2)
