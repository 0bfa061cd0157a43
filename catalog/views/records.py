"""Cataloguing pages for librarians: find, create (with 查重), edit records; add and edit copies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog import clc, selectors, services
from catalog.exceptions import CatalogError, IsbnShared
from catalog.forms import CopyForm, IsbnSharedForm, NewCopiesForm, RecordForm
from catalog.models import AcquisitionBatch, Copy, CopyStatus, ImportLog, Record, WithdrawalBatch
from library import uploadhandlers
from library.params import text_param

catalogue_required = permission_required("library.catalogue", raise_exception=True)


def create_record(request, form: RecordForm, copies_form: NewCopiesForm, isbn_shared_reason: str) -> Record:
    """A new record and its copies from the valid cataloguing forms (新书编目 and 扫描编目): the
    service, then the uploaded cover and the form's warnings. Raises what record_create raises
    (IsbnShared: the ISBN is catalogued and no reason was chosen; CatalogError)."""
    copies = copies_form.cleaned_data
    record = services.record_create(
        data=form.cleaned_data,
        by=request.user,
        copies=copies["copies"],
        location=copies["location"],
        copy_price=copies["copy_price"],
        source=copies["source"],
        batch=copies["batch"],
        isbn_shared_reason=isbn_shared_reason,
    )
    form.save_cover(record)
    for warning in form.warnings:
        messages.warning(request, warning)
    return record


def add_copies(request, record: Record, copies_form: NewCopiesForm) -> list[Copy]:
    """Added copies of `record` from the valid copies form (the record page and 扫描编目's 本馆已有此书);
    the price is the record's unless one is typed. Raises CatalogError."""
    data = copies_form.cleaned_data
    return services.copies_add(
        record=record,
        count=data["copies"],
        location=data["location"],
        price=data["copy_price"] if data["copy_price"] is not None else record.price,
        source=data["source"],
        batch=data["batch"],
        by=request.user,
    )


def copies_form_error(copies_form: NewCopiesForm) -> str:
    """The message for an invalid copies form: what is missing, in one line."""
    return _("复本信息不完整：%(errors)s") % {
        "errors": "; ".join(e for errs in copies_form.errors.values() for e in errs)
    }


@login_required
@catalogue_required
def manage(request):
    """The cataloguing desk: find a record by anything the OPAC understands, or by barcode."""
    q = text_param(request.GET, "q")
    records = []
    if q:
        copy = Copy.objects.filter(barcode__iexact=q).only("record_id").first()
        if copy:
            return redirect("catalog:record_staff", pk=copy.record_id)
        records = list(
            selectors.records_matching(q)
            .order_by("-pk")
            .only("pk", "title", "volume", "authors", "publisher", "pub_year", "isbn", "call_number")[:50]
        )
    context = {
        "q": q,
        "records": records,
        "recent": Record.objects.order_by("-pk").only("pk", "title", "volume", "call_number", "created_at")[:10]
        if not q
        else [],
        "batches": AcquisitionBatch.objects.order_by("-received_on", "-id")[:5],
        "withdrawals": WithdrawalBatch.objects.order_by("-withdrawn_on", "-id")[:5],
        "imports": ImportLog.objects.order_by("-created_at")[:5],
    }
    return render(request, "catalog/manage.html", context)


@login_required
@catalogue_required
def record_new(request):
    """新书编目. Step 1: ISBN (optional) → 查重 by ISBN. Step 2: the form; saving runs 查重 again.
    Another record with the same ISBN is passed only by the explicit choice 多卷书/不同版本 (stored
    on the record); a similar title + first author + publisher by the tick "这是另一种书"."""
    initial = {}
    duplicates = []
    isbn_matches = []
    isbn_checked = False
    if request.method == "GET" and "isbn" in request.GET:
        isbn_checked = True
        raw = text_param(request.GET, "isbn", max_length=40)
        try:
            isbn13 = services.isbn_normalize(raw)
        except CatalogError as exc:
            messages.error(request, str(exc))
            return render(request, "catalog/record_new.html", {"step": "isbn", "isbn": raw})
        initial["isbn"] = isbn13
        if isbn13:
            isbn_matches = services.record_isbn_matches(isbn=isbn13)
    elif request.method == "GET":
        return render(request, "catalog/record_new.html", {"step": "isbn"})

    form = RecordForm(
        request.POST or None, request.FILES or None, initial=initial, upload_too_large=uploadhandlers.too_large(request)
    )
    copies_form = NewCopiesForm(request.POST or None, prefix="c")
    shared_form = IsbnSharedForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and copies_form.is_valid() and shared_form.is_valid():
        data = form.cleaned_data
        reason = shared_form.cleaned_data["isbn_shared_reason"]
        # An exact ISBN match is only passed by the explicit choice (多卷书/不同版本); the tick
        # "这是另一种书" passes a similar title, author and publisher, never the same ISBN.
        isbn_matches = services.record_isbn_matches(isbn=data["isbn"])
        if not request.POST.get("confirm_new"):
            duplicates = [
                d
                for d in services.record_duplicates(
                    title=data["title"], authors=data["authors"], publisher=data["publisher"], volume=data["volume"]
                )
                if d not in isbn_matches
            ]
        if not duplicates and not (isbn_matches and not reason):
            try:
                rec = create_record(request, form, copies_form, reason)
            except IsbnShared as exc:  # another cataloguer saved that ISBN meanwhile
                isbn_matches = exc.duplicates
            except CatalogError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("已编目《%(title)s》，索书号 %(call)s，%(n)s 册。")
                    % {"title": rec.title, "call": rec.call_number, "n": copies_form.cleaned_data["copies"]},
                )
                return redirect("catalog:record_staff", pk=rec.pk)
    return render(
        request,
        "catalog/record_new.html",
        {
            "step": "form",
            "form": form,
            "copies_form": copies_form,
            "shared_form": shared_form,
            "duplicates": duplicates,
            "isbn_matches": isbn_matches,
            "isbn_checked": isbn_checked,
            "asking": request.method == "POST" and bool(duplicates),
        },
    )


@login_required
@catalogue_required
@require_GET
def clc_search(request):
    """The 中图法 picker's answer (htmx): the name of the typed class and the classes matching it."""
    q = text_param(request.GET, "clc", max_length=40) or text_param(request.GET, "q", max_length=40)
    name, exact = selectors.clc_name(q) if q else ("", False)
    return render(
        request,
        "catalog/_clc_picker.html",
        {
            "code": clc.clean_code(q) if name else q,
            "name": name,
            "exact": exact,
            "choices": selectors.clc_search(q),
            "searched": True,
        },
    )


@login_required
@catalogue_required
def record_staff(request, pk: int):
    rec = get_object_or_404(selectors.with_clc_name(Record.objects.select_related("created_by")), pk=pk)
    copies = list(rec.copies.select_related("location", "batch").order_by("barcode"))
    return render(
        request,
        "catalog/record_staff.html",
        {
            "record": rec,
            "copies": copies,
            "copies_form": NewCopiesForm(prefix="c", initial={"copy_price": rec.price}),
            "isbn_display": services.isbn_display(rec.isbn) if rec.isbn else "",
            "in_collection": sum(1 for c in copies if c.withdrawn_on is None),
        },
    )


@login_required
@catalogue_required
def record_edit(request, pk: int):
    """修改书目. A changed ISBN runs the 查重 like a new record: another record with that ISBN is
    shown, and the cataloguer must tick the box to save anyway (e.g. a reprint under one ISBN)."""
    rec = get_object_or_404(Record, pk=pk)
    form = RecordForm(
        request.POST or None, request.FILES or None, instance=rec, upload_too_large=uploadhandlers.too_large(request)
    )
    shared_form = IsbnSharedForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid() and shared_form.is_valid():
        try:
            services.record_update(
                record=rec,
                data=form.cleaned_data,
                by=request.user,
                isbn_shared_reason=shared_form.cleaned_data["isbn_shared_reason"],
            )
        except IsbnShared as exc:
            duplicates = exc.duplicates
        except CatalogError as exc:
            messages.error(request, str(exc))
        else:
            form.save_cover(rec)
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("书目已保存。"))
            return redirect("catalog:record_staff", pk=rec.pk)
    return render(
        request,
        "catalog/record_edit.html",
        {"form": form, "shared_form": shared_form, "record": Record.objects.get(pk=pk), "duplicates": duplicates},
    )


@login_required
@catalogue_required
@require_POST
def copies_add(request, pk: int):
    rec = get_object_or_404(Record, pk=pk)
    form = NewCopiesForm(request.POST, prefix="c")
    if not form.is_valid():
        messages.error(request, copies_form_error(form))
        return redirect("catalog:record_staff", pk=rec.pk)
    try:
        new = add_copies(request, rec, form)
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已添加 %(n)s 册：%(first)s – %(last)s。")
            % {"n": len(new), "first": new[0].barcode, "last": new[-1].barcode},
        )
    return redirect(reverse("catalog:record_staff", args=[rec.pk]))


@login_required
@catalogue_required
def copy_edit(request, pk: int):
    copy = get_object_or_404(Copy.objects.select_related("record", "location"), pk=pk)
    form = CopyForm(request.POST or None, instance=Copy.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        services.copy_update(
            copy=copy,
            location=form.cleaned_data["location"],
            price=form.cleaned_data["price"],
            notes=form.cleaned_data["notes"],
            volume_label=form.cleaned_data["volume_label"],
            by=request.user,
        )
        messages.success(request, _("复本 %(code)s 已保存。") % {"code": copy.barcode})
        return redirect("catalog:record_staff", pk=copy.record_id)
    history = copy.status_changes.select_related("changed_by")[:50]
    return render(
        request, "catalog/copy_edit.html", {"form": form, "copy": copy, "history": history, "CopyStatus": CopyStatus}
    )


@login_required
@catalogue_required
@require_POST
def copy_repair(request, pk: int):
    copy = get_object_or_404(Copy, pk=pk)
    try:
        services.copy_set_repair(
            copy=copy,
            repair=request.POST.get("repair") == "1",
            damage=request.POST.get("damage", "").replace("\x00", "")[:200],
            by=request.user,
        )
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("复本 %(code)s 的状态已更新。") % {"code": copy.barcode})
    return redirect("catalog:copy_edit", pk=copy.pk)
