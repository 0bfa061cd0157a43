"""Print-ready label sheets. Copies are chosen by record, by selection, by batch or by barcode range."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from catalog import labels
from catalog.models import AcquisitionBatch, Copy
from catalog.views.records import catalogue_required
from library.models import School
from library.params import id_list, id_param, int_param, text_param

MAX_LABELS = 1300  # 20 sheets of 65


def _selected_copies(params):
    qs = Copy.objects.filter(withdrawn_on__isnull=True).select_related("record")
    chosen = False
    barcode_length = Copy._meta.get_field("barcode").max_length
    lo = text_param(params, "from", max_length=barcode_length).upper()
    hi = text_param(params, "to", max_length=barcode_length).upper()
    record, batch = id_param(params, "record"), id_param(params, "batch")
    if params.getlist("copy"):
        qs, chosen = qs.filter(pk__in=id_list(params.getlist("copy"))), True
    elif record:
        qs, chosen = qs.filter(record_id=record), True
    elif batch:
        qs, chosen = qs.filter(batch_id=batch), True
    elif lo or hi:
        if not (lo and hi):
            return None, _("请填写起止两个登记号（只印一枚时两格填同一个号）。")
        if len(lo) != len(hi):
            return None, _("起止登记号的位数应相同。")
        if lo > hi:
            lo, hi = hi, lo
        qs, chosen = qs.filter(barcode__gte=lo, barcode__lte=hi, barcode__regex=rf"^.{{{len(lo)}}}$"), True
    if not chosen:
        # The form always sends the kind of label: sent without choosing any copies, say so.
        return None, _("请选择要打印的图书：验收批次或登记号范围。") if "kind" in params else ""
    copies = list(qs.order_by("barcode")[: MAX_LABELS + 1])
    if not copies:
        return None, _("没有找到符合条件的在藏图书。")
    if len(copies) > MAX_LABELS:
        return None, _("一次最多打印 %(n)s 枚标签，请缩小范围。") % {"n": MAX_LABELS}
    return copies, ""


def _owner() -> str:
    """The name printed on barcode labels: the library's name, else the school's."""
    school = School.objects.order_by("pk").first()
    if school is None:
        return str(settings.SCHOOL_NAME_DEFAULT)
    return school.library_name or school.name


@login_required
@catalogue_required
def labels_page(request):
    kind = request.GET.get("kind", "spine")
    if kind not in ("spine", "barcode"):
        kind = "spine"
    preset_key = request.GET.get("preset") or labels.DEFAULT_PRESET[kind]
    preset = labels.PRESETS.get(preset_key) or labels.PRESETS[labels.DEFAULT_PRESET[kind]]
    copies, problem = _selected_copies(request.GET)
    if copies is None:
        return render(
            request,
            "catalog/labels_choose.html",
            {
                "problem": problem,
                "presets": labels.PRESETS.values(),
                "batches": AcquisitionBatch.objects.order_by("-received_on", "-id")[:30],
                "kind": kind,
                "params": request.GET,
            },
        )
    if request.GET.get("order") == "shelf":
        copies.sort(key=lambda c: (c.record.shelf_key, c.barcode))
    # Labels already used on a partly used sheet: start printing after them.
    skip = min(int_param(request.GET, "skip", 0), preset.per_page - 1)
    items = [None] * skip
    for c in copies:
        first, second = labels.spine_lines(c.record.call_number)
        items.append(
            {
                "copy": c,
                "line1": first,
                "line2": second,
                "line3": c.volume_label or c.record.volume,
                "svg": labels.code128_svg(c.barcode) if kind == "barcode" else "",
            }
        )
    pages = [items[i : i + preset.per_page] for i in range(0, len(items), preset.per_page)]
    return render(
        request,
        "catalog/labels_sheet.html",
        {
            "kind": kind,
            "preset": preset,
            "pages": pages,
            "count": len(copies),
            "owner": _owner(),
        },
    )
