"""Periodical operations: ISSN, subscriptions with their predicted issues, check-in (登到), claims
(催缺) and binding (装订) into a catalogued 合订本."""

import calendar
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import ean as stdnum_ean
from stdnum import issn as stdnum_issn

from catalog import services as catalog_services
from catalog.exceptions import CatalogError
from catalog.models import Copy, CopyStatus, Location, WithdrawalReason
from catalog.status import copy_write_off
from circulation import services as circulation_services
from serials.exceptions import InvalidIssn, IssueNotFound, SerialError
from serials.models import BoundVolume, Frequency, Issue, IssueCopy, Serial, Subscription

# --- ISSN and the periodical barcode -------------------------------------------------------


def issn_normalize(value: str) -> str:
    """'12345679', '1234-5679', 'ISSN 1234-567x' → '1234-5679'; '' stays ''; a wrong check digit raises."""
    raw = re.sub(r"^ISSN", "", (value or "").strip().upper()).strip()
    if not raw:
        return ""
    try:
        return stdnum_issn.format(stdnum_issn.validate(raw))
    except Exception as exc:  # stdnum raises several ValidationError subclasses
        raise InvalidIssn() from exc


def barcode_parse(code: str) -> tuple[str, int | None]:
    """A periodical's barcode → (ISSN, issue number or None).

    EAN-13 of a serial: 977 + the 7 ISSN digits without check digit + 2 price/variant digits + the
    EAN check digit, followed by a 2-digit add-on, the issue number (scanners send it right after
    the 13 digits, sometimes after a space). A typed ISSN is understood too (no issue number)."""
    text = (code or "").strip()
    digits = re.sub(r"\D", "", text)
    if digits.startswith("977") and len(digits) in (13, 15):
        if not stdnum_ean.is_valid(digits[:13]):
            raise InvalidIssn(_("条码校验位不对，请重新扫描。"))
        issn7 = digits[3:10]
        number = int(digits[13:15]) if len(digits) == 15 else None
        return stdnum_issn.format(issn7 + stdnum_issn.calc_check_digit(issn7)), number or None
    return issn_normalize(text), None


# --- expected issues -----------------------------------------------------------------------


def expected_issues(serial: Serial, year: int, start_month: int = 1, end_month: int = 12) -> list[tuple[int, date]]:
    """(issue number in the year, expected date) of the issues a subscription should bring.

    Numbers count from the start of the year (a subscription from July gets 月刊 nos. 7-12);
    dates are spread over the year by frequency: daily every day, weekly every 7 days from the
    first Monday, 半月刊 on the 1st and 16th, monthly on the 1st, 双月刊 on the 1st of odd months,
    季刊 on the 1st of each quarter, a custom pattern evenly over the year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = (last - first).days + 1
    f = serial.frequency
    if f == Frequency.DAILY:
        dates = [first + timedelta(days=i) for i in range(days)]
    elif f == Frequency.WEEKLY:
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        dates = [monday + timedelta(weeks=i) for i in range(52)]
    elif f == Frequency.SEMIMONTHLY:
        dates = [date(year, m, d) for m in range(1, 13) for d in (1, 16)]
    elif f == Frequency.MONTHLY:
        dates = [date(year, m, 1) for m in range(1, 13)]
    elif f == Frequency.BIMONTHLY:
        dates = [date(year, m, 1) for m in range(1, 13, 2)]
    elif f == Frequency.QUARTERLY:
        dates = [date(year, m, 1) for m in (1, 4, 7, 10)]
    else:
        n = serial.yearly_issues
        dates = [first + timedelta(days=(i * days) // n) for i in range(n)]
    period_start = date(year, start_month, 1)
    period_end = date(year, end_month, calendar.monthrange(year, end_month)[1])
    return [(i + 1, d) for i, d in enumerate(dates) if period_start <= d <= period_end]


# --- titles and the lending of current issues ----------------------------------------------


def serial_save(*, serial: Serial, by=None) -> Serial:
    """Save a title (from its form); the desk's rule for its current issues follows the setting
    (仅阅览 / 可外借, loan period, counted toward the reader's limit or not)."""
    if serial.lending == Serial.Lending.LENDABLE and serial.location_id is None:
        raise SerialError(_("可外借的现刊要选择馆藏地点。"))
    with transaction.atomic():
        serial.save()
        if serial.record_id:
            _rule_sync(serial)
            if serial.record.title != serial.title:
                catalog_services.record_update(record=serial.record, data={"title": serial.title}, by=by)
    return serial


def _rule_sync(serial: Serial) -> None:
    circulation_services.title_loan_rule_set(
        record=serial.record,
        lendable=serial.lending == Serial.Lending.LENDABLE,
        loan_days=serial.loan_days,
        counts_toward_limit=serial.counts_toward_limit,
        name=str(Serial.Kind(serial.kind).label),
    )


def _issue_copies_make(issue: Issue, *, by, now: datetime) -> list[Copy]:
    """Give a checked-in issue of a lendable title one copy per received copy, with barcodes, under
    the title's record for current issues (made with its desk rule at the first check-in).
    Caller holds the transaction."""
    sub = issue.subscription
    serial = Serial.objects.select_for_update().get(pk=sub.serial_id)
    try:
        if serial.record_id is None:
            serial.record = catalog_services.record_create(
                data={
                    "title": serial.title,
                    "clc": serial.clc,
                    "book_number": serial.book_number,
                    "publisher": serial.publisher,
                },
                by=by,
                now=now,
            )
            if serial.clc and not serial.book_number:
                serial.book_number = serial.record.book_number
            serial.save(update_fields=["record", "book_number"])
            _rule_sync(serial)
        # An issue's price: the year's price over the subscription's issues (for compensation).
        n_issues = sub.issues.count() or 1
        price = (sub.unit_price / n_issues).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        copies = catalog_services.copies_add(
            record=serial.record,
            count=max(issue.received_copies, 1),
            location=serial.location,
            price=price,
            by=by,
            now=now,
        )
    except CatalogError as exc:
        raise SerialError(str(exc)) from exc
    Copy.objects.filter(pk__in=[c.pk for c in copies]).update(volume_label=str(issue)[:40])
    IssueCopy.objects.bulk_create(IssueCopy(issue=issue, copy=c) for c in copies)
    return copies


def cover_scanned_at_desk(code: str) -> str | None:
    """What the desk says when a periodical's cover barcode (977…) is scanned instead of a copy:
    a 仅阅览 title is read in the library; a lendable issue is lent by its own barcode."""
    digits = re.sub(r"\D", "", code or "")
    if not (digits.startswith("977") and len(digits) in (13, 15)):
        return None
    try:
        issn, number = barcode_parse(digits)
    except InvalidIssn:
        return None
    serial = Serial.objects.filter(issn=issn).first()
    if serial is None:
        return None
    issue = None
    if number:
        issue = (
            Issue.objects.filter(subscription__serial=serial, number=number, received_on__isnull=False)
            .select_related("subscription")
            .order_by("-subscription__year")
            .first()
        )
    name = f"{_('《')}{serial.title}{_('》')}{issue or ''}"
    if serial.lending != Serial.Lending.LENDABLE:
        return _("%(name)s 仅限馆内阅览") % {"name": name}
    codes = []
    if issue is not None:
        codes = [c.barcode for c in Copy.objects.filter(serial_issue__issue=issue, withdrawn_on__isnull=True)]
    if codes:
        return _("%(name)s 请扫描贴在刊物上的现刊条码（%(codes)s）。") % {"name": name, "codes": _("、").join(codes)}
    return _("%(name)s 请扫描贴在刊物上的现刊条码。") % {"name": name}


# --- subscriptions -------------------------------------------------------------------------


def subscription_create(
    *,
    serial: Serial,
    year: int,
    unit_price: Decimal,
    copies: int = 1,
    source: str = Subscription.Source.POST_OFFICE,
    source_name: str = "",
    start_month: int = 1,
    end_month: int = 12,
    note: str = "",
    by=None,
) -> Subscription:
    """Subscribe a title for a year; its issues are predicted at once (all or none)."""
    if not 1 <= start_month <= end_month <= 12:
        raise SerialError(_("起订月不能晚于止订月。"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                sub = Subscription.objects.create(
                    serial=serial,
                    year=year,
                    unit_price=unit_price,
                    copies=copies,
                    source=source,
                    source_name=source_name,
                    start_month=start_month,
                    end_month=end_month,
                    note=note,
                    created_by=by,
                )
        except IntegrityError as exc:
            raise SerialError(_("《%(title)s》%(year)s 年已经订阅。") % {"title": serial.title, "year": year}) from exc
        Issue.objects.bulk_create(
            Issue(subscription=sub, number=n, expected_on=d)
            for n, d in expected_issues(serial, year, start_month, end_month)
        )
    return sub


# --- check-in (登到) -----------------------------------------------------------------------


def issue_check_in(*, issue: Issue, by=None, now: datetime | None = None) -> Issue:
    """登到 one issue (all subscribed copies arrived); checking in twice is refused. An issue of a
    lendable title gets its copies (barcodes) at once: `issue.new_copies`."""
    now = now or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().select_related("subscription__serial").get(pk=issue.pk)
        if issue.received_on:
            raise SerialError(
                _("《%(title)s》%(issue)s 已于 %(day)s 登到。")
                % {"title": issue.subscription.serial.title, "issue": issue, "day": issue.received_on}
            )
        issue.received_on = timezone.localdate(now)
        issue.received_copies = issue.subscription.copies
        issue.received_by = by
        issue.save(update_fields=["received_on", "received_copies", "received_by"])
        issue.new_copies = []
        if issue.subscription.serial.lending == Serial.Lending.LENDABLE:
            issue.new_copies = _issue_copies_make(issue, by=by, now=now)
    return issue


def check_in_scan(*, code: str, year: int, by=None, now: datetime | None = None) -> Issue:
    """登到 by scanning the cover barcode: the add-on names the issue; without one, the earliest
    issue of the year not yet received."""
    try:
        issn, number = barcode_parse(code)
    except InvalidIssn as exc:
        if re.sub(r"\D", "", code or "").startswith("977"):
            raise IssueNotFound(str(exc)) from exc  # a periodical barcode, misread
        raise IssueNotFound(_("条码 %(code)s 不是报刊条码或 ISSN。") % {"code": (code or "")[:30]}) from exc
    if not issn:
        raise IssueNotFound(_("请扫描刊物封面的条码。"))
    sub = Subscription.objects.filter(serial__issn=issn, year=year).select_related("serial").first()
    if sub is None:
        raise IssueNotFound(_("ISSN %(issn)s 没有 %(year)s 年的订阅。") % {"issn": issn, "year": year})
    issues = sub.issues.all()
    issue = issues.filter(number=number).first() if number else issues.filter(received_on__isnull=True).first()
    if issue is None:
        raise IssueNotFound(
            _("《%(title)s》%(year)s 年没有第 %(n)s 期（不在订期内）。")
            % {"title": sub.serial.title, "year": year, "n": number}
            if number
            else _("《%(title)s》%(year)s 年的各期都已登到。") % {"title": sub.serial.title, "year": year}
        )
    return issue_check_in(issue=issue, by=by, now=now)


# --- claims (催缺) -------------------------------------------------------------------------


def issues_claim(*, issue_ids: list[int], by=None, now: datetime | None = None) -> int:
    """Record that the missing issues were claimed from their source today."""
    today = timezone.localdate(now or timezone.now())
    return Issue.objects.filter(pk__in=issue_ids, received_on__isnull=True).update(claimed_on=today)


# --- binding (装订) ------------------------------------------------------------------------


def volume_bind(
    *,
    subscription: Subscription,
    issue_ids: list[int],
    label: str,
    location: Location,
    by=None,
    now: datetime | None = None,
) -> BoundVolume:
    """Bind received issues into a 合订本: a catalogue record (the title, with the volume label;
    every volume of a title shares its 种次号) and one copy with its own barcode, which circulates
    like a book. The bound issues leave the current-issue list; their copies as current issues
    (lendable titles) leave the collection, so an issue on loan (or kept for a reader, or in
    repair) must come back first."""
    label = (label or "").strip()
    if not label:
        raise SerialError(_("请填写合订本的卷册，如 2026年1-6期。"))
    ids = sorted({int(pk) for pk in issue_ids})
    if not ids:
        raise SerialError(_("请勾选要装订的各期。"))
    serial = subscription.serial
    if not serial.clc:
        raise SerialError(_("请先在刊物资料里填写分类号（合订本的索书号要用）。"))
    with transaction.atomic():
        serial = Serial.objects.select_for_update().get(pk=serial.pk)
        issues = list(Issue.objects.select_for_update().filter(pk__in=ids, subscription=subscription))
        if len(issues) != len(ids):
            raise SerialError(_("所选各期不属于这份订阅。"))
        if any(i.received_on is None or i.bound_volume_id for i in issues):
            raise SerialError(_("只能装订已登到、尚未装订的各期。"))
        issue_copies = _issue_copies_locked(issues, serial)
        try:
            record = catalog_services.record_create(
                data={
                    "title": serial.title,
                    "volume": label,
                    "clc": serial.clc,
                    "book_number": serial.book_number,
                    "publisher": serial.publisher,
                    "pub_year": subscription.year,
                },
                copies=1,
                location=location,
                by=by,
                now=now,
            )
        except CatalogError as exc:
            raise SerialError(str(exc)) from exc
        if not serial.book_number:
            serial.book_number = record.book_number
            serial.save(update_fields=["book_number"])
        volume = BoundVolume.objects.create(
            subscription=subscription, label=label, copy=record.copies.get(), created_by=by
        )
        Issue.objects.filter(pk__in=ids).update(bound_volume=volume)
        note = _("装订入合订本 %(label)s（%(code)s）") % {"label": label, "code": volume.copy.barcode}
        for copy in issue_copies:
            try:
                copy_write_off(copy, reason=WithdrawalReason.SURPLUS, by=by, now=now, note=note)
            except CatalogError as exc:
                raise SerialError(str(exc)) from exc
    return volume


def _issue_copies_locked(issues: list[Issue], serial: Serial) -> list[Copy]:
    """The copies still in the collection of the issues to bind, locked (a checkout waits for the
    binding, then finds the copy written off); refused while one is not on the shelf."""
    copies = list(
        Copy.objects.select_for_update()
        .filter(serial_issue__issue__in=issues, withdrawn_on__isnull=True)
        .order_by("pk")
    )
    away = [c for c in copies if c.status != CopyStatus.ON_SHELF]
    if away:
        raise SerialError(
            _("《%(title)s》%(issues)s 不在架，不能装订：请先归还或处理。")
            % {
                "title": serial.title,
                "issues": _("、").join(
                    f"{c.volume_label}{_('（')}{c.barcode}{_('，')}{c.get_status_display()}{_('）')}" for c in away
                ),
            }
        )
    return copies
