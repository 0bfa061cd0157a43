"""Excel and MARC import (upload → preview → import all or nothing) and exports."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import excel, importing, marc, selectors
from catalog.exceptions import CatalogError
from catalog.forms import MarcFormatForm
from catalog.models import AcquisitionBatch, Copy, Location, Record
from catalog.views.records import catalogue_required
from library import uploadhandlers, uploads, xlsx
from library.params import id_list, id_param, text_param

PREVIEW_ROWS = 300


class UploadForm(MarcFormatForm):
    file = forms.FileField(label=gettext_lazy("文件"))
    location = forms.ModelChoiceField(
        label=gettext_lazy("默认馆藏地点"), queryset=Location.objects.filter(is_active=True), required=False
    )
    field_order = ["file", "location", "flavour", "encoding"]


def _stash(content: bytes) -> str:
    """Keep the previewed file privately until the import is confirmed or cancelled (library.uploads)."""
    sha = importing.file_hash(content)
    uploads.save(sha, content)
    return sha


def _encoding(kind: str, content: bytes, chosen: str) -> str:
    """The character set a MARC file is read with: the one chosen, else the detected one."""
    if kind != "marc":
        return ""
    return chosen if chosen in marc.ENCODINGS else marc.detect_encoding(content)


def _check(
    kind: str, content: bytes, filename: str, location, flavour: str, encoding: str = "", classes: dict | None = None
):
    if kind == "excel":
        rows = excel.read_rows(content)
        log_kind = "excel"
    else:
        rows = marc.read_rows(content, flavour=flavour or "auto", encoding=encoding or "auto")
        kinds = [row.get("_kind") for _n, row in rows]
        log_kind = flavour if flavour in ("cnmarc", "marc21") else max(("cnmarc", "marc21"), key=kinds.count)
    return importing.check_rows(
        rows, kind=log_kind, filename=filename, content=content, default_location=location, classes=classes
    )


def _classes(post) -> dict[int, str]:
    """The 中图法 numbers typed on the preview for records without one (fields clc_<record number>)."""
    classes = {}
    for key in post:
        number = id_param({"n": key[4:]}, "n") if key.startswith("clc_") else None
        value = text_param(post, key, max_length=40) if number else ""
        if value:
            classes[number] = value
    return classes


def _preview_context(checked, **extra) -> dict:
    """What the preview shows: the rows with problems; else every row that says something (merged,
    skipped, changed, without class) and the first rows of the file, in file order."""
    if checked.problem_rows:
        shown = checked.problem_rows[:PREVIEW_ROWS]
    else:
        noteworthy = [r for r in checked.rows if r.warnings or r.needs_class][:PREVIEW_ROWS]
        numbers = {r.number for r in noteworthy}
        shown = sorted(
            noteworthy + [r for r in checked.rows[:PREVIEW_ROWS] if r.number not in numbers], key=lambda r: r.number
        )
    return {"checked": checked, "shown": shown, **extra}


def _import_page(request, kind: str):
    template = "catalog/import.html"
    if request.method == "POST" and request.POST.get("sha") and request.POST.get("cancel"):
        uploads.remove(request.POST["sha"])
        messages.info(request, _("已取消导入，上传的文件已删除。"))
        return redirect(request.path)
    if request.method == "POST" and request.POST.get("sha"):
        # Step 2: import the file the preview was made from. The kept copy goes once imported or
        # refused; a class typed wrong on the preview shows the preview again, the file kept.
        sha = text_param(request.POST, "sha", max_length=64)
        content = uploads.load(sha)
        if content is None:
            messages.error(request, _("上传的文件已过期，请重新上传。"))
            return redirect(request.path)
        location_id = id_param(request.POST, "location")
        location = Location.objects.filter(pk=location_id).first() if location_id else None
        filename = text_param(request.POST, "filename", max_length=200)
        flavour = text_param(request.POST, "flavour", "auto", max_length=10)
        encoding = _encoding(kind, content, text_param(request.POST, "encoding", max_length=10))
        classes = _classes(request.POST) if kind == "marc" else {}
        try:
            checked = _check(kind, content, filename, location, flavour, encoding, classes)
            if checked.problem_rows and classes and checked.already is None:
                messages.error(request, _("填写的分类号有误，请改正后再确认导入。"))
                context = _preview_context(
                    checked, kind=kind, sha=sha, filename=filename, location=location, flavour=flavour
                )
                context.update(encoding=encoding, encoding_label=marc.ENCODINGS.get(encoding, ""), retry=True)
                return render(request, "catalog/import.html", context)
            uploads.remove(sha)
            log = importing.run_import(checked, by=request.user)
        except CatalogError as exc:
            uploads.remove(sha)
            messages.error(request, str(exc))
            return redirect(request.path)
        messages.success(
            request,
            _("导入完成：新书目 %(a)s 种，已有书目 %(b)s 种，新复本 %(c)s 册。")
            % {"a": log.records_created, "b": log.records_matched, "c": log.copies_created},
        )
        if log.records_pooled:
            messages.info(
                request,
                _("%(n)s 条没有中图法分类号的记录已放入书目数据源，等待分类后编目。") % {"n": log.records_pooled},
            )
        return redirect("catalog:manage")
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "kind": kind}
    if uploadhandlers.too_large(request):
        messages.error(request, xlsx.too_large_message(uploadhandlers.too_large(request)))
        form = UploadForm(initial=request.POST.dict())
        context["form"] = form
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > xlsx.max_bytes():
            messages.error(request, xlsx.too_large_message(upload.size))
        else:
            content = upload.read()
            encoding = _encoding(kind, content, form.cleaned_data.get("encoding") or "auto")
            try:
                checked = _check(
                    kind,
                    content,
                    upload.name,
                    form.cleaned_data["location"],
                    form.cleaned_data.get("flavour") or "auto",
                    encoding,
                )
            except CatalogError as exc:
                messages.error(request, str(exc))
            else:
                context.update(_preview_context(checked))
                context.update(
                    sha=_stash(content) if checked.ok else "",  # nothing to keep for a refused file
                    filename=upload.name,
                    location=form.cleaned_data["location"],
                    flavour=form.cleaned_data.get("flavour") or "auto",
                    encoding=encoding,
                    encoding_label=marc.ENCODINGS.get(encoding, ""),
                    encoding_detected=(form.cleaned_data.get("encoding") or "auto") == "auto",
                )
    return render(request, template, context)


@login_required
@catalogue_required
def import_excel(request):
    return _import_page(request, "excel")


@login_required
@catalogue_required
def import_marc(request):
    return _import_page(request, "marc")


@login_required
@catalogue_required
def import_template(request):
    response = HttpResponse(
        excel.template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%9B%BE%E4%B9%A6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


@login_required
@catalogue_required
def exports(request):
    return render(
        request,
        "catalog/exports.html",
        {
            "records": Record.objects.count(),
            "copies": Copy.objects.count(),
            "batches": AcquisitionBatch.objects.order_by("-received_on", "-id")[:30],
        },
    )


@login_required
@catalogue_required
def export_excel(request):
    records = selectors.shelf_order(Record.objects.all()).iterator(chunk_size=2000)
    copies = Copy.objects.select_related("record", "location", "batch").order_by("barcode").iterator(chunk_size=2000)
    response = HttpResponse(
        excel.export_bytes(records, copies),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="catalogue-{stamp}.xlsx"'
    return response


@login_required
@catalogue_required
@require_POST
def export_marc(request):
    """MARC21 of the chosen records (ids, or a batch, or a call-number class prefix)."""
    qs = Record.objects.all()
    ids = id_list(re.split(r"[\s,，;；]+", text_param(request.POST, "ids", max_length=200_000)))
    prefix = text_param(request.POST, "clc", max_length=60).upper()
    batch = id_param(request.POST, "batch")
    if ids:
        qs = qs.filter(pk__in=ids)
    elif batch:
        qs = qs.filter(copies__batch_id=batch).distinct()
    elif prefix:
        qs = qs.filter(clc__startswith=prefix)
    else:
        messages.error(request, _("请选择要导出的书目：填写书目 ID、分类号前缀或验收批次。"))
        return redirect("catalog:exports")
    records = list(selectors.shelf_order(qs)[:20000])
    if not records:
        messages.error(request, _("没有符合条件的书目。"))
        return redirect("catalog:exports")
    copies: dict[int, list] = {}
    for c in Copy.objects.filter(record__in=[r.pk for r in records], withdrawn_on__isnull=True).select_related(
        "location"
    ):
        copies.setdefault(c.record_id, []).append(c)
    response = HttpResponse(
        marc.export_bytes((r, copies.get(r.pk, [])) for r in records), content_type="application/marc"
    )
    response["Content-Disposition"] = f'attachment; filename="marc21-{timezone.localdate():%Y%m%d}.mrc"'
    return response
