"""Stocktake pages: the list, the scanning page, closing, the report and its export, write-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Copy
from library import uploadhandlers, xlsx
from stocktake import excel, selectors, services
from stocktake.exceptions import StocktakeError
from stocktake.forms import CopyChoiceForm, OpenForm, ScanForm, ScanInputForm, UploadForm
from stocktake.models import Stocktake, WriteOff

SCAN_HEADER = "X-Stocktake-Scan"


@login_required
@permission_required("library.use_desk", raise_exception=True)
def stocktake_list(request):
    form = OpenForm() if request.user.has_perm("library.catalogue") else None
    stocktakes = Stocktake.objects.prefetch_related("locations").order_by("status", "-opened_at", "-id")[:100]
    return render(request, "stocktake/list.html", {"form": form, "stocktakes": stocktakes})


@login_required
@permission_required("library.catalogue", raise_exception=True)
@require_POST
def stocktake_open(request):
    form = OpenForm(request.POST)
    if form.is_valid():
        try:
            st = services.stocktake_open(
                name=form.cleaned_data["name"],
                locations=list(form.cleaned_data["locations"]),
                class_prefixes=form.cleaned_data["class_prefixes"],
                call_from=form.cleaned_data["call_from"],
                call_to=form.cleaned_data["call_to"],
                by=request.user,
            )
        except StocktakeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("盘点已开始，应盘 %(n)s 册。") % {"n": st.expected_count})
            return redirect("stocktake:detail", pk=st.pk)
    else:
        errors = [str(e) for e in form.non_field_errors()]
        messages.error(request, " ".join(errors) or _("请填写盘点名称，并检查分类号范围。"))
    return redirect("stocktake:list")


def _scan_context(request, stocktake):
    return {"show_readers": request.user.has_perm("library.manage_readers"), "stocktake": stocktake}


def _with_borrowers(request, scans):
    scans = list(scans)
    if request.user.has_perm("library.manage_readers"):
        names = selectors.borrowers([s.copy_id for s in scans if s.result == "on_loan" and s.copy_id])
        for s in scans:
            s.borrower = names.get(s.copy_id, "")
    return scans


@login_required
@permission_required("library.use_desk", raise_exception=True)
def stocktake_detail(request, pk):
    st = get_object_or_404(Stocktake.objects.prefetch_related("locations"), pk=pk)
    locations = list(st.locations.all())
    initial = {"location": locations[0].pk} if len(locations) == 1 else {}
    context = {
        **_scan_context(request, st),
        "locations": locations,
        "scan_form": ScanForm(initial=initial),
        "upload_form": UploadForm(initial=initial, prefix="upload"),
        "counts": selectors.scan_counts(st),
        "scans": _with_borrowers(request, selectors.recent_scans(st)),
    }
    return render(request, "stocktake/detail.html", context)


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def stocktake_scan(request, pk):
    # The scanners' hot path: the stocktake, the location and the scan are read and written in one
    # statement (services.scan_record); only a refused scan reads the stocktake on its own (404).
    form = ScanInputForm(request.POST)
    partial = request.headers.get(SCAN_HEADER) == "1"
    show_readers = request.user.has_perm("library.manage_readers")
    error = ""
    outcome = None
    if form.is_valid():
        try:
            outcome = services.scan_record(
                stocktake=pk,
                barcode=form.cleaned_data["barcode"],
                location=form.cleaned_data["location"],
                by=request.user,
                with_borrower=show_readers,
            )
        except Stocktake.DoesNotExist as exc:
            raise Http404 from exc
        except StocktakeError as exc:
            error = str(exc)
    else:
        get_object_or_404(Stocktake, pk=pk)
        error = next(iter(form.errors.values()))[0]  # 请扫描图书条码。, a code too long, no such location
    if partial:
        # Only the new row is rendered, without the page's context processors.
        context = {"show_readers": show_readers, "error": error, "outcome": outcome}
        if outcome:
            context["scan"] = outcome.scan
        return HttpResponse(render_to_string("stocktake/_scan_row.html", context), status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif outcome.repeated:
        messages.info(request, _("%(code)s 已扫描过。") % {"code": outcome.scan.barcode})
    else:
        messages.success(
            request,
            _("%(code)s：%(result)s") % {"code": outcome.scan.barcode, "result": outcome.scan.get_result_display()},
        )
    return redirect("stocktake:detail", pk=pk)


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def stocktake_upload(request, pk):
    st = get_object_or_404(Stocktake, pk=pk)
    form = UploadForm(request.POST, request.FILES, prefix="upload")
    size = uploadhandlers.too_large(request)  # the file was dropped while it arrived
    if size:
        messages.error(request, xlsx.too_large_message(size))
        return redirect("stocktake:detail", pk=st.pk)
    if not form.is_valid():
        messages.error(request, _("请选择盘点机导出的文本文件。"))
        return redirect("stocktake:detail", pk=st.pk)
    upload = form.cleaned_data["file"]
    try:
        outcome = services.scan_file(
            stocktake=st,
            content=upload.read(),
            filename=upload.name,
            location=form.cleaned_data["location"],
            by=request.user,
        )
    except StocktakeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(name)s：%(lines)s 行，新扫描 %(new)s 册，重复 %(rep)s 行。")
            % {"name": upload.name, "lines": outcome.lines, "new": outcome.new, "rep": outcome.repeated},
        )
    return redirect("stocktake:detail", pk=st.pk)


@login_required
@permission_required("library.catalogue", raise_exception=True)
@require_POST
def stocktake_close(request, pk):
    st = get_object_or_404(Stocktake, pk=pk)
    try:
        services.stocktake_close(stocktake=st, by=request.user)
    except StocktakeError as exc:
        messages.error(request, str(exc))
        return redirect("stocktake:detail", pk=st.pk)
    messages.success(request, _("盘点已结束。"))
    return redirect("stocktake:report", pk=st.pk)


def _closed(pk):
    return get_object_or_404(Stocktake.objects.prefetch_related("locations"), pk=pk, status=Stocktake.Status.CLOSED)


@login_required
@permission_required("library.catalogue", raise_exception=True)
def stocktake_report(request, pk):
    st = _closed(pk)
    lists = selectors.report_lists(st)
    lists["on_loan"] = _with_borrowers(request, lists["on_loan"])
    write_off = WriteOff.objects.filter(stocktake=st).select_related("proposed_by", "approved_by", "batch").first()
    context = {
        **_scan_context(request, st),
        "lists": lists,
        "rates": selectors.loss_rates(st),
        "write_off": write_off,
        "may_approve": write_off is not None
        and write_off.approved_at is None
        and (write_off.proposed_by_id != request.user.pk or services.is_administrator(request.user)),
    }
    return render(request, "stocktake/report.html", context)


@login_required
@permission_required("library.catalogue", raise_exception=True)
def stocktake_export(request, pk):
    st = _closed(pk)
    content = excel.report_bytes(st, selectors.report_lists(st), selectors.loss_rates(st))
    response = HttpResponse(content, content_type=xlsx.XLSX)
    response["Content-Disposition"] = f'attachment; filename="stocktake-{st.pk}.xlsx"'
    return response


@login_required
@permission_required("library.catalogue", raise_exception=True)
@require_POST
def writeoff_propose(request, pk):
    st = get_object_or_404(Stocktake, pk=pk)
    try:
        services.writeoff_propose(stocktake=st, by=request.user)
    except StocktakeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已申请注销丢失图书，请另一位图书管理员或管理员审批。"))
    return redirect("stocktake:report", pk=st.pk)


@login_required
@permission_required("library.catalogue", raise_exception=True)
@require_POST
def writeoff_approve(request, pk):
    write_off = get_object_or_404(WriteOff, stocktake_id=pk)
    try:
        batch = services.writeoff_approve(write_off=write_off, by=request.user)
    except StocktakeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已注销 %(n)s 册，批次 %(b)s。") % {"n": batch.copies.count(), "b": batch.number})
    return redirect("stocktake:report", pk=pk)


@login_required
@permission_required("library.catalogue", raise_exception=True)
@require_POST
def copy_restore(request, pk):
    st = get_object_or_404(Stocktake, pk=pk)
    form = CopyChoiceForm(request.POST)
    if form.is_valid():
        copy = get_object_or_404(Copy, pk=form.cleaned_data["copy"])
        try:
            services.copy_found_restore(stocktake=st, copy=copy, by=request.user)
        except StocktakeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(code)s 已恢复在架。") % {"code": copy.barcode})
    else:
        messages.error(request, _("请选择要恢复的图书。"))
    back = "stocktake:detail" if request.POST.get("next") == "detail" or st.is_open else "stocktake:report"
    return redirect(back, pk=st.pk)
