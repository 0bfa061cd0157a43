"""Compensation for lost and damaged books: report, settle, list, receipt."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation import exceptions as exc
from circulation import services
from circulation.models import Compensation, Reader
from circulation.views.common import desk_name
from library.params import BadParameter, decimal_for_field, id_param, page_param, parse_code, parse_text

PAID_FIELD = Compensation._meta.get_field("paid_amount")
NOTE_MAX = Compensation._meta.get_field("note").max_length


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def compensation_list(request):
    status = request.GET.get("status", "unpaid")
    qs = Compensation.objects.select_related("reader__school_class", "copy__record").order_by("-reported_at")
    if status in Compensation.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(page_param(request.GET))
    return render(
        request,
        "circulation/compensation_list.html",
        {"page": page, "status": status, "statuses": Compensation.Status.choices, "kinds": Compensation.Kind.choices},
    )


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
@require_POST
def compensation_new(request):
    reader_id = id_param(request.POST, "reader")
    reader = Reader.objects.filter(pk=reader_id).first() if reader_id else None
    try:
        comp = services.compensation_report(
            copy_barcode=parse_code(request.POST.get("barcode")),
            kind=request.POST.get("kind", ""),
            reader=reader,
            copy_action=request.POST.get("copy_action", ""),
            note=parse_text(request.POST.get("note"), max_length=NOTE_MAX, label=_("备注")),
            by=request.user,
            desk=desk_name(request),
        )
    except (exc.CirculationError, BadParameter) as error:
        messages.error(request, error.message)
        return redirect("circulation:reader_detail", reader.pk) if reader else redirect("circulation:compensations")
    messages.success(
        request, _("已登记%(kind)s，应赔 ¥%(amount)s。") % {"kind": comp.get_kind_display(), "amount": comp.amount}
    )
    return redirect("circulation:compensation_detail", comp.pk)


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def compensation_detail(request, pk):
    comp = get_object_or_404(
        Compensation.objects.select_related("reader__school_class", "copy__record", "loan", "reported_by"), pk=pk
    )
    return render(request, "circulation/compensation_detail.html", {"comp": comp, "statuses": Compensation.Status})


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
@require_POST
def compensation_settle(request, pk):
    comp = get_object_or_404(Compensation, pk=pk)
    try:
        paid = decimal_for_field(request.POST.get("paid_amount"), PAID_FIELD, label=_("实收金额"))
        note = parse_text(request.POST.get("note"), max_length=NOTE_MAX, label=_("备注"))
    except BadParameter as error:
        messages.error(request, error.message)
        return redirect("circulation:compensation_detail", comp.pk)
    try:
        services.compensation_settle(
            compensation=comp, status=request.POST.get("status", ""), paid_amount=paid, note=note, by=request.user
        )
    except exc.CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("赔偿已处理，可打印收据。"))
    return redirect("circulation:compensation_detail", comp.pk)


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def compensation_receipt(request, pk):
    comp = get_object_or_404(
        Compensation.objects.select_related("reader__school_class", "copy__record"),
        pk=pk,
        status__in=[Compensation.Status.PAID, Compensation.Status.REPLACED, Compensation.Status.WAIVED],
    )
    return render(request, "circulation/compensation_receipt.html", {"comp": comp})
