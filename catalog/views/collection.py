"""Acquisition batches (验收), weeding (剔旧/注销) and the class tree."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from catalog import clc, selectors, services
from catalog.exceptions import CatalogError
from catalog.forms import BatchForm, WithdrawalForm
from catalog.models import AcquisitionBatch, ClcClass, Copy, Record, WithdrawalBatch
from catalog.views.records import catalogue_required
from library.params import text_param


def _totals(copies) -> dict:
    agg = copies.aggregate(volumes=Count("pk"), titles=Count("record_id", distinct=True), amount=Sum("price"))
    agg["amount"] = agg["amount"] or Decimal("0")
    return agg


def _by_base(copies) -> list:
    rows = (
        copies.values("record__clc_base")
        .annotate(titles=Count("record_id", distinct=True), volumes=Count("pk"), amount=Sum("price"))
        .order_by("record__clc_base")
    )
    return [
        {**r, "name": clc.BASE_CLASSES.get(r["record__clc_base"], _("未分类")), "amount": r["amount"] or Decimal("0")}
        for r in rows
    ]


@login_required
@catalogue_required
def batches(request):
    rows = AcquisitionBatch.objects.annotate(
        volumes=Count("copies"), titles=Count("copies__record", distinct=True), amount=Sum("copies__price")
    ).order_by("-received_on", "-id")[:200]
    return render(request, "catalog/batches.html", {"batches": rows})


@login_required
@catalogue_required
def batch_new(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(**form.cleaned_data, by=request.user)
        except CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已建立验收批次 %(n)s。编目时选择这个批次即可。") % {"n": batch.number})
            return redirect("catalog:batch_detail", pk=batch.pk)
    return render(request, "catalog/batch_new.html", {"form": form})


@login_required
@catalogue_required
def batch_detail(request, pk: int):
    batch = get_object_or_404(AcquisitionBatch, pk=pk)
    copies = batch.copies.all()
    return render(
        request,
        "catalog/batch_detail.html",
        {
            "batch": batch,
            "totals": _totals(copies),
            "by_base": _by_base(copies),
            "copies": copies.select_related("record", "location").order_by("barcode")[:2000],
        },
    )


@login_required
@catalogue_required
def weeding(request):
    """Scan the copies to write off, give a reason; all are written off together as one batch."""
    form = WithdrawalForm(request.POST or None)
    preview = []
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("confirm") != "1":
                preview = services.copies_for_withdrawal(form.barcode_list())
            else:
                batch = services.withdrawal_create(
                    barcodes=form.barcode_list(),
                    reason=form.cleaned_data["reason"],
                    withdrawn_on=form.cleaned_data["withdrawn_on"],
                    approver=form.cleaned_data["approver"],
                    disposal=form.cleaned_data["disposal"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
                messages.success(
                    request, _("已注销 %(n)s 册，批次 %(b)s。") % {"n": batch.copies.count(), "b": batch.number}
                )
                return redirect("catalog:withdrawal_detail", pk=batch.pk)
        except CatalogError as exc:
            messages.error(request, str(exc))
    # Finding copies by search: the copies in the collection of the matching records.
    q = text_param(request.GET, "q")
    found = []
    if q:
        records = selectors.records_matching(q).values("pk")[:30]
        found = list(
            Copy.objects.filter(record__in=records, withdrawn_on__isnull=True)
            .select_related("record", "location")
            .order_by("record__title", "barcode")[:100]
        )
    return render(
        request,
        "catalog/weeding.html",
        {
            "form": form,
            "preview": preview,
            "q": q,
            "found": found,
            "withdrawals": WithdrawalBatch.objects.order_by("-withdrawn_on", "-id")[:20],
        },
    )


@login_required
@catalogue_required
def withdrawal_detail(request, pk: int):
    """注销清单: printable list of the batch's copies with totals (种/册/金额)."""
    batch = get_object_or_404(WithdrawalBatch.objects.select_related("operator"), pk=pk)
    copies = batch.copies.all()
    return render(
        request,
        "catalog/withdrawal_detail.html",
        {
            "batch": batch,
            "totals": _totals(copies),
            "by_base": _by_base(copies),
            "copies": copies.select_related("record", "location").order_by("barcode"),
        },
    )


def classes(request):
    """The 中图法 tree, one level at a time, with titles and copies (in collection) under each node."""
    code = text_param(request.GET, "code", max_length=ClcClass._meta.get_field("code").max_length)
    node = ClcClass.objects.filter(code=code).first() if code else None
    children = (
        list(ClcClass.objects.filter(parent=node).order_by("sort_key"))
        if node
        else list(ClcClass.objects.filter(parent__isnull=True).order_by("sort_key"))
    )
    ancestors = []
    walker = node
    while walker is not None:
        ancestors.insert(0, walker)
        walker = walker.parent
    # One grouped query (titles and copies per class number under this node), bucketed in Python.
    scope = Record.objects.all()
    if node is not None:
        scope = scope.filter(_under(node.code))
    titles = scope.values_list("clc").annotate(n=Count("pk")).values_list("clc", "n")
    copies = (
        Copy.objects.filter(withdrawn_on__isnull=True, record__in=scope)
        .values_list("record__clc")
        .annotate(n=Count("pk"))
        .values_list("record__clc", "n")
    )
    totals = [[0, 0] for _child in children]
    for column, pairs in ((0, titles), (1, copies)):
        for code, n in pairs:
            # Siblings can be prefixes of each other (I287.5 故事, I287.59 报告文学): the most
            # specific class wins, and a class number before a range that also covers it.
            matches = [i for i, child in enumerate(children) if _is_under(child.code, code)]
            if matches:
                best = max(matches, key=lambda i: _specificity(children[i].code))
                totals[best][column] += n
    with_children = set(ClcClass.objects.filter(parent__in=children).values_list("parent_id", flat=True).distinct())
    rows = [
        {"node": child, "titles": t, "copies": c, "has_children": child.code in with_children}
        for child, (t, c) in zip(children, totals, strict=True)
    ]
    return render(request, "catalog/classes.html", {"node": node, "ancestors": ancestors, "rows": rows})


def _under(code: str) -> Q:
    """Records whose class number lies under a node (ranges like I3/7 cover I3 … I7)."""
    bare = code.strip("[]{}")
    m = clc.RANGE.match(bare)
    if m:
        letters, start, end = m.groups()
        q = Q(pk__in=[])
        width = len(start)
        for n in range(int(start), int(end[:width]) + 1):
            q |= Q(clc__startswith=f"{letters}{str(n).zfill(width)}")
        return q
    if bare == "T":
        return Q(clc_base="T")
    return Q(clc__startswith=bare)


def _specificity(node_code: str) -> tuple[bool, int]:
    """How closely a node fits a class number it covers: a class number beats a range, longer beats shorter."""
    bare = node_code.strip("[]{}")
    return (not clc.RANGE.match(bare), len(bare))


def _is_under(node_code: str, clc_code: str) -> bool:
    """The Python twin of _under(): does a record's class number fall under this node?"""
    bare = node_code.strip("[]{}")
    if clc.RANGE.match(bare):
        return clc.in_range(clc_code, bare)
    return clc_code.startswith(bare)
