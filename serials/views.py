"""Periodical pages for librarians (library.catalogue): the year's subscriptions and statistics,
titles, check-in (登到) by scan or click, the claim list (催缺单), binding (装订)."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Location
from library import xlsx
from library.params import clean_text, parse_int, text_param
from serials import selectors, services
from serials.exceptions import SerialError
from serials.forms import YEAR_MAX, YEAR_MIN, BindForm, IssuesForm, ScanForm, SerialForm, SubscriptionForm
from serials.models import Issue, Serial, Subscription

catalogue_required = permission_required("library.catalogue", raise_exception=True)


def _year(request, *, say: bool = True) -> int:
    """The year asked for (?year=2026; ASCII digits, YEAR_MIN to YEAR_MAX), else this year. A year
    that is not one is said on the page (`say`), which then shows this year's."""
    raw = request.GET.get("year")
    year = parse_int(raw, min_value=YEAR_MIN, max_value=YEAR_MAX)
    if year is not None:
        return year
    if say and raw and raw.strip():
        messages.warning(
            request,
            _("“%(raw)s”不是有效的年份（%(min)s 到 %(max)s），下面是今年的。")
            % {"raw": clean_text(raw, 20), "min": YEAR_MIN, "max": YEAR_MAX},
        )
    return timezone.localdate().year


@login_required
@catalogue_required
def home(request):
    """The periodical year: what is subscribed, how the issues arrive, against the 规程."""
    year = _year(request)
    today = timezone.localdate()
    rows = selectors.year_rows(year, today)
    subscribed = {r.subscription.serial_id for r in rows}
    return render(
        request,
        "serials/home.html",
        {
            "year": year,
            "rows": rows,
            "stats": selectors.year_statistics(year, today),
            "unsubscribed": Serial.objects.filter(is_active=True).exclude(pk__in=subscribed),
            "total": sum((r.subscription.total for r in rows), 0),
        },
    )


@login_required
@catalogue_required
def export(request):
    """The yearly subscription list (报刊征订单) as Excel, to send up."""
    year = _year(request, say=False)  # the file and its sheet are named by the year they hold
    wb = xlsx.new_workbook(write_only=True)
    ws = wb.create_sheet(f"{year}年报刊订阅")
    xlsx.append(
        ws,
        [
            "刊名",
            "类型",
            "ISSN",
            "国内统一刊号",
            "邮发代号",
            "刊期",
            "订购渠道",
            "渠道名称",
            "订期",
            "份数",
            "全年单价",
            "金额",
        ],
    )
    for row in selectors.year_rows(year, timezone.localdate()):
        sub, serial = row.subscription, row.subscription.serial
        xlsx.append(
            ws,
            [
                serial.title,
                serial.get_kind_display(),
                serial.issn,
                serial.cn_number,
                serial.postal_code,
                serial.get_frequency_display(),
                sub.get_source_display(),
                sub.source_name,
                f"{sub.start_month}-{sub.end_month}月",
                sub.copies,
                sub.unit_price,
                sub.total,
            ],
        )
    response = HttpResponse(xlsx.to_bytes(wb), content_type=xlsx.XLSX)
    response["Content-Disposition"] = f'attachment; filename="serials-{year}.xlsx"'
    return response


@login_required
@catalogue_required
def serial_edit(request, pk: int | None = None):
    serial = get_object_or_404(Serial, pk=pk) if pk else None
    form = SerialForm(request.POST or None, instance=serial)
    if request.method == "POST" and form.is_valid():
        try:
            serial = services.serial_save(serial=form.save(commit=False), by=request.user)
        except SerialError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("《%(title)s》已保存。") % {"title": serial.title})
            return redirect("serials:serial_detail", pk=serial.pk)
    return render(request, "serials/serial_edit.html", {"form": form, "serial": serial})


@login_required
@catalogue_required
def serial_detail(request, pk: int):
    serial = get_object_or_404(Serial, pk=pk)
    return render(
        request,
        "serials/serial_detail.html",
        {
            "serial": serial,
            "subscriptions": serial.subscriptions.order_by("-year"),
            "form": SubscriptionForm(),
        },
    )


@login_required
@catalogue_required
@require_POST
def subscription_new(request, pk: int):
    serial = get_object_or_404(Serial, pk=pk)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "serials/serial_detail.html",
            {"serial": serial, "subscriptions": serial.subscriptions.order_by("-year"), "form": form},
            status=400,
        )
    try:
        sub = services.subscription_create(serial=serial, by=request.user, **form.cleaned_data)
    except SerialError as exc:
        messages.error(request, str(exc))
        return redirect("serials:serial_detail", pk=serial.pk)
    messages.success(request, _("已订阅 %(year)s 年，预计 %(n)s 期。") % {"year": sub.year, "n": sub.issues.count()})
    return redirect("serials:subscription_detail", pk=sub.pk)


@login_required
@catalogue_required
def subscription_detail(request, pk: int):
    sub = get_object_or_404(Subscription.objects.select_related("serial"), pk=pk)
    today = timezone.localdate()
    grace = sub.serial.grace_days
    issues = list(sub.issues.select_related("bound_volume__copy").prefetch_related("copies__copy"))
    rows = [(i, i.state(today, grace)) for i in issues]
    return render(
        request,
        "serials/subscription_detail.html",
        {
            "sub": sub,
            "rows": rows,
            "bindable": [i for i in issues if i.received_on and not i.bound_volume_id],
            "volumes": sub.bound_volumes.select_related("copy__record", "copy__location"),
            "locations": Location.objects.filter(is_active=True),
        },
    )


@login_required
@catalogue_required
@require_POST
def issue_checkin(request, pk: int):
    issue = get_object_or_404(Issue.objects.select_related("subscription__serial"), pk=pk)
    try:
        issue = services.issue_check_in(issue=issue, by=request.user)
    except SerialError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _checked_in_message(issue))
    return redirect("serials:subscription_detail", pk=issue.subscription_id)


def _checked_in_message(issue: Issue) -> str:
    message = _("《%(title)s》%(issue)s 已登到。") % {"title": issue.subscription.serial.title, "issue": issue}
    codes = [c.barcode for c in getattr(issue, "new_copies", [])]
    if codes:
        message += " " + _("现刊条码 %(codes)s：贴在封面上，可在流通台借出。") % {"codes": _("、").join(codes)}
    return message


@login_required
@catalogue_required
def checkin(request):
    """登到 by scanner: the cover's EAN-13 (977…) with its 2-digit add-on, or a typed ISSN."""
    year = _year(request) if request.method == "GET" else None
    last = None
    if request.method == "POST":
        form = ScanForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                last = services.check_in_scan(code=form.cleaned_data["code"], year=year, by=request.user)
            except SerialError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _checked_in_message(last))
        else:
            messages.error(request, _("请扫描刊物封面的条码。"))
        year = year or timezone.localdate().year
    recent = (
        Issue.objects.filter(received_on__isnull=False, subscription__year=year)
        .select_related("subscription__serial")
        .order_by("-received_on", "-pk")[:15]
    )
    return render(request, "serials/checkin.html", {"year": year, "recent": recent, "last": last})


@login_required
@catalogue_required
def claims(request):
    """缺期催缺: missing issues grouped by source, printed and sent to each source."""
    issues = selectors.missing_issues(timezone.localdate())
    sources = dict(Subscription.Source.choices)
    source = text_param(request.GET, "source", max_length=20)
    if source in sources:
        issues = [i for i in issues if i.subscription.source == source]
    groups = [
        (key, list(items))
        for key, items in groupby(
            issues,
            key=lambda i: (i.subscription.get_source_display(), i.subscription.source_name, i.subscription.source),
        )
    ]
    return render(
        request,
        "serials/claims.html",
        {"groups": groups, "count": len(issues), "source": sources.get(source, "")},
    )


@login_required
@catalogue_required
@require_POST
def claims_mark(request):
    form = IssuesForm(request.POST, choices_from=selectors.missing_issues(timezone.localdate()))
    if not form.is_valid():
        messages.error(request, _("请勾选已催缺的各期。"))
        return redirect("serials:claims")
    n = services.issues_claim(issue_ids=form.cleaned_data["issues"], by=request.user)
    messages.success(request, _("已记录 %(n)s 期催缺。") % {"n": n})
    return redirect("serials:claims")


@login_required
@catalogue_required
@require_POST
def bind(request, pk: int):
    sub = get_object_or_404(Subscription.objects.select_related("serial"), pk=pk)
    form = BindForm(request.POST, choices_from=sub.issues.all())
    if not form.is_valid():
        messages.error(request, _("请勾选要装订的各期，并填写卷册和馆藏地点。"))
        return redirect("serials:subscription_detail", pk=sub.pk)
    try:
        volume = services.volume_bind(
            subscription=sub,
            issue_ids=form.cleaned_data["issues"],
            label=form.cleaned_data["label"],
            location=form.cleaned_data["location"],
            by=request.user,
        )
    except SerialError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("合订本 %(label)s 已编目，登记号 %(code)s，索书号 %(call)s。")
            % {"label": volume.label, "code": volume.copy.barcode, "call": volume.copy.record.call_number},
        )
    return redirect("serials:subscription_detail", pk=sub.pk)
