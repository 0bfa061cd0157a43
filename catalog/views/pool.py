"""The source pool pages (书目数据源): put a supplier's MARC file in, list, search, view, delete."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import marc
from catalog.exceptions import CatalogError
from catalog.forms import MarcFormatForm
from catalog.models import SourceFile, SourceRecord
from catalog.sources import pool
from catalog.views.records import catalogue_required
from library import uploadhandlers, xlsx
from library.params import page_param, text_param

RECORDS_PER_PAGE = 100
SKIPPED_SHOWN = 20


class PoolUploadForm(MarcFormatForm):
    file = forms.FileField(label=gettext_lazy("MARC 文件"))
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("例如“新华书店 2026 春季配书”；不填写则用文件名。"),
    )
    origin = forms.CharField(
        label=gettext_lazy("来源说明"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("书商、联合目录或随书光盘等，以后查看时知道数据从哪里来。"),
    )
    field_order = ["file", "name", "origin", "flavour", "encoding"]


@login_required
@catalogue_required
def pool_home(request):
    """The pool's files with their counts, and a search over its records by ISBN or title."""
    q = text_param(request.GET, "q", max_length=200)
    files = SourceFile.objects.select_related("uploaded_by").order_by("-uploaded_at", "-id")[:200]
    found = list(pool.search_records(q, limit=100)) if q else []
    return render(request, "catalog/pool.html", {"files": files, "q": q, "found": found})


@login_required
@catalogue_required
def pool_upload(request):
    form = PoolUploadForm(request.POST or None, request.FILES or None)
    if uploadhandlers.too_large(request):
        messages.error(request, xlsx.too_large_message(uploadhandlers.too_large(request)))
        form = PoolUploadForm()
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            source = pool.pool_import(
                content=upload.read(),
                name=form.cleaned_data["name"] or upload.name,
                origin=form.cleaned_data["origin"],
                flavour=form.cleaned_data["flavour"] or "auto",
                encoding=form.cleaned_data["encoding"] or "auto",
                by=request.user,
            )
        except CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("已放入书目数据源：%(n)s 条记录（字符编码 %(e)s）。")
                % {"n": source.record_count, "e": marc.ENCODINGS.get(source.encoding, source.encoding)},
            )
            skipped = source.summary.skipped
            if skipped:
                messages.warning(
                    request,
                    _("%(n)s 条记录无法读取，没有放入：%(list)s")
                    % {"n": len(skipped), "list": _("；").join(message for _n, message in skipped[:SKIPPED_SHOWN])},
                )
            return redirect("catalog:pool_file", pk=source.pk)
    return render(request, "catalog/pool_upload.html", {"form": form})


@login_required
@catalogue_required
def pool_file(request, pk: int):
    source = get_object_or_404(SourceFile.objects.select_related("uploaded_by"), pk=pk)
    records = SourceRecord.objects.filter(file=source).only(
        "pk", "number", "isbn13", "title", "authors", "publisher", "pub_year", "clc", "price", "file_id"
    )
    page = Paginator(records.order_by("number"), RECORDS_PER_PAGE).get_page(page_param(request.GET))
    stats = records.aggregate(
        without_isbn=Count("pk", filter=Q(isbn13="")), without_class=Count("pk", filter=Q(clc=""))
    )
    return render(request, "catalog/pool_file.html", {"source": source, "page": page, **stats})


@login_required
@catalogue_required
@require_POST
def pool_file_delete(request, pk: int):
    source = get_object_or_404(SourceFile, pk=pk)
    count = pool.pool_file_delete(source_file=source, by=request.user)
    messages.success(request, _("已从书目数据源删除“%(name)s”（%(n)s 条记录）。") % {"name": source.name, "n": count})
    return redirect("catalog:pool")


@login_required
@catalogue_required
def pool_record(request, pk: int):
    rec = get_object_or_404(SourceRecord.objects.select_related("file"), pk=pk)
    try:
        lines = str(marc.decode_record(bytes(rec.marc), rec.file.encoding or "utf-8")).splitlines()
    except marc.RecordError:
        lines = []
    return render(request, "catalog/pool_record.html", {"rec": rec, "lines": lines, "fields": _shown_fields(rec)})


FIELD_LABELS = {
    "title": gettext_lazy("题名"),
    "other_title": gettext_lazy("其他题名"),
    "volume": gettext_lazy("分卷"),
    "responsibility": gettext_lazy("责任说明"),
    "authors": gettext_lazy("著者"),
    "edition": gettext_lazy("版本"),
    "pub_place": gettext_lazy("出版地"),
    "publisher": gettext_lazy("出版者"),
    "pub_year": gettext_lazy("出版年"),
    "pages": gettext_lazy("页数"),
    "series": gettext_lazy("丛书"),
    "isbn": "ISBN",
    "price": gettext_lazy("定价"),
    "clc": gettext_lazy("中图法分类号"),
    "subjects": gettext_lazy("主题词"),
    "language": gettext_lazy("语种"),
    "summary": gettext_lazy("提要"),
}


def _shown_fields(rec: SourceRecord) -> list[tuple[str, str]]:
    return [(label, str(rec.fields.get(key))) for key, label in FIELD_LABELS.items() if rec.fields.get(key)]
