"""The repair queue (修补): copies sent to repair with their damage, mended back to the shelf or
written off in one step."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors, services
from catalog.exceptions import CatalogError
from catalog.forms import RepairFinishForm, RepairSendForm

catalogue_required = permission_required("library.catalogue", raise_exception=True)


@login_required
@catalogue_required
def repairs(request):
    """The queue, the longest waiting first; ?barcode= (the desk's 送修 link) fills the scan field."""
    barcode = request.GET.get("barcode", "").replace("\x00", "").strip()[:32]
    return render(
        request,
        "catalog/repairs.html",
        {
            "send_form": RepairSendForm(initial={"barcode": barcode}),
            "queue": list(selectors.repair_queue()),
            "finished": selectors.repairs_finished(),
            "focus_damage": bool(barcode),
        },
    )


@login_required
@catalogue_required
@require_POST
def repair_send(request):
    form = RepairSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请扫描登记号并写明破损情况。"))
        return redirect("catalog:repairs")
    try:
        copy = services.repair_send(
            barcode=form.cleaned_data["barcode"], damage=form.cleaned_data["damage"], by=request.user
        )
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(code)s 已送去修补。") % {"code": copy.barcode})
    return redirect("catalog:repairs")


@login_required
@catalogue_required
@require_POST
def repairs_finish(request):
    form = RepairFinishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请先勾选修补中的图书。"))
        return redirect("catalog:repairs")
    copies = list(form.cleaned_data["copies"])
    try:
        batch = services.repairs_finish(
            copy_ids=[c.pk for c in copies],
            outcome=form.cleaned_data["outcome"],
            approver=form.cleaned_data["approver"],
            by=request.user,
        )
    except CatalogError as exc:
        messages.error(request, str(exc))
        return redirect("catalog:repairs")
    if batch is None:
        messages.success(request, _("%(n)s 册已修好上架。") % {"n": len(copies)})
        return redirect("catalog:repairs")
    messages.success(request, _("%(n)s 册已注销，注销清单 %(number)s。") % {"n": len(copies), "number": batch.number})
    return redirect(reverse("catalog:withdrawal_detail", args=[batch.pk]))
