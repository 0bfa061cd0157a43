"""The librarian's recommended lists (permission catalogue): make, import, export the wish-list;
and a head teacher's view of the class's borrowing of the grade's lists."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from circulation.naming import grade_name
from library import uploadhandlers, uploads, xlsx
from reading import importing, selectors, services
from reading.exceptions import ReadingError
from reading.forms import (
    ItemAddForm,
    ItemNoteForm,
    ListImportConfirmForm,
    ListImportForm,
    ReadingListForm,
)
from reading.models import (
    RankingState,
    ReadingList,
    ReadingListItem,
)
from reading.views.public import _list_grade, _query

catalogue_required = permission_required("library.catalogue", raise_exception=True)


@login_required
@catalogue_required
def manage(request):
    """The librarian's page: the lists, a new list, and the rankings (recomputed on demand)."""
    form = ReadingListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reading_list = services.reading_list_save(reading_list=form.save(commit=False), by=request.user)
        messages.success(request, _("已新建书目“%(title)s”，请加入图书。") % {"title": reading_list.title})
        return redirect("reading:list_edit", pk=reading_list.pk)
    lists = ReadingList.objects.all()
    return render(
        request,
        "reading/manage.html",
        {"form": form, "lists": lists, "state": RankingState.objects.order_by("pk").first()},
    )


@login_required
@catalogue_required
@require_POST
def rankings_refresh(request):
    places = services.rankings_refresh()
    messages.success(request, _("借阅排行已重新计算（%(n)s 个名次）。") % {"n": places})
    return redirect("reading:manage")


@login_required
@catalogue_required
def list_edit(request, pk: int):
    reading_list = get_object_or_404(ReadingList, pk=pk)
    form = ReadingListForm(request.POST or None, instance=reading_list)
    if request.method == "POST" and form.is_valid():
        services.reading_list_save(reading_list=form.save(commit=False), by=request.user)
        messages.success(request, _("书目已保存。"))
        return redirect("reading:list_edit", pk=pk)
    q = _query(request, 100)
    found = []
    if q:
        found = list(
            catalog_selectors.records_matching(q)
            .order_by("-pk")
            .only("pk", "title", "volume", "authors", "publisher", "pub_year", "isbn", "call_number")[:20]
        )
    return render(
        request,
        "reading/list_edit.html",
        {
            "list": reading_list,
            "form": form,
            "items": list(selectors.list_items(reading_list)),
            "q": q,
            "found": found,
        },
    )


@login_required
@catalogue_required
@require_POST
def item_add(request, pk: int):
    reading_list = get_object_or_404(ReadingList, pk=pk)
    form = ItemAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请从检索结果中选择一本书。"))
    else:
        try:
            item = services.reading_list_add(
                reading_list=reading_list,
                record=form.cleaned_data["record"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ReadingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已加入《%(title)s》。") % {"title": item.title})
    return redirect("reading:list_edit", pk=pk)


@login_required
@catalogue_required
@require_POST
def item_note(request, pk: int):
    item = get_object_or_404(ReadingListItem, pk=pk)
    form = ItemNoteForm(request.POST)
    if form.is_valid():
        services.reading_list_item_note(item=item, note=form.cleaned_data["note"], by=request.user)
        messages.success(request, _("推荐语已保存。"))
    else:
        messages.error(request, _("推荐语不能超过 500 字。"))
    return redirect("reading:list_edit", pk=item.reading_list_id)


@login_required
@catalogue_required
@require_POST
def item_remove(request, pk: int):
    item = get_object_or_404(ReadingListItem, pk=pk)
    list_pk = item.reading_list_id
    services.reading_list_item_remove(item=item, by=request.user)
    messages.success(request, _("已从书目中移除《%(title)s》。") % {"title": item.title})
    return redirect("reading:list_edit", pk=list_pk)


PREVIEW_ROWS = 500


@login_required
@catalogue_required
def list_import(request):
    """导入推荐书目 from Excel: upload → preview (each row matched, missing or broken, and why) →
    confirm. Nothing is written before the confirmation; the file waits in library.uploads."""
    if request.method == "POST" and request.POST.get("sha"):
        return _list_import_confirm(request)
    form = ListImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST":
        too_large = uploadhandlers.too_large(request)
        if too_large:
            messages.error(request, xlsx.too_large_message(too_large))
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > xlsx.max_bytes():
                messages.error(request, xlsx.too_large_message(upload.size))
            else:
                content = upload.read()
                parsed = importing.parse(content, default_stage=form.cleaned_data["stage"])
                sha = ""
                if parsed.ok:  # only a file that may be imported is kept (until confirmed or cancelled)
                    sha = hashlib.sha256(content).hexdigest()
                    uploads.save(sha, content)
                context.update(
                    parsed=parsed,
                    sha=sha,
                    shown=parsed.preview()[:PREVIEW_ROWS],
                    file_errors=[message for line, message in parsed.errors if not line],
                    filename=upload.name,
                    choices=form.cleaned_data,
                    kind_label=dict(ReadingList.Kind.choices).get(form.cleaned_data["kind"], ""),
                )
    return render(request, "reading/list_import.html", context)


def _list_import_confirm(request):
    """Step 2: import the previewed file (read again, all or nothing), or cancel; the kept file goes."""
    sha = request.POST["sha"]
    if request.POST.get("cancel"):
        uploads.remove(sha)
        messages.info(request, _("已取消导入，上传的文件已删除。"))
        return redirect("reading:list_import")
    content = uploads.load(sha)
    if content is None:
        messages.error(request, _("上传的文件已过期，请重新上传。"))
        return redirect("reading:list_import")
    form = ListImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("导入的设置有误，请重新上传。"))
        return redirect("reading:list_import")
    uploads.remove(sha)
    parsed = importing.parse(content, default_stage=form.cleaned_data["stage"])
    if not parsed.ok:
        messages.error(request, _("文件有问题，没有导入，请重新上传。"))
        return redirect("reading:list_import")
    made = services.reading_lists_import(
        title=form.cleaned_data["title"],
        kind=form.cleaned_data["kind"],
        rows=parsed.rows,
        featured=form.cleaned_data["featured"],
        by=request.user,
    )
    messages.success(
        request,
        _("已导入 %(lists)s 份书目：%(held)s 种本馆有，%(missing)s 种本馆暂无（可导出缺藏书单）。")
        % {"lists": len(made), "held": parsed.held, "missing": parsed.missing},
    )
    return redirect("reading:manage")


@login_required
@catalogue_required
def import_template(request):
    return _xlsx_response(importing.template_bytes(), "reading-list-template.xlsx")


@login_required
@catalogue_required
def wishlist(request, pk: int | None = None):
    """缺藏书单: the books of one list (or of every list) the library does not hold, for ordering."""
    items = ReadingListItem.objects.filter(record__isnull=True).select_related("reading_list")
    name = "wishlist.xlsx"
    if pk is not None:
        reading_list = get_object_or_404(ReadingList, pk=pk)
        items = items.filter(reading_list=reading_list)
        name = f"wishlist-{reading_list.pk}.xlsx"
    items = list(items.order_by("reading_list__stage", "reading_list__grade", "reading_list_id", "position", "pk"))
    for item in items:
        item.grade_label = _list_grade(item.reading_list)
    return _xlsx_response(importing.wishlist_bytes(items), name)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=xlsx.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def my_class_lists(request):
    """A head teacher sees, for the recommended lists of their class's grade, how many books of
    each list the class's pupils borrowed this school year (counts only, no names)."""
    classes = list(request.user.head_of_classes.filter(is_active=True))
    if not classes:
        raise PermissionDenied
    today = timezone.localdate()
    rows = []
    for school_class in classes:
        grade = school_class.grade_on(today)
        lists = ReadingList.objects.filter(kind=ReadingList.Kind.GRADE, stage=school_class.stage, grade=grade)
        progress = []
        for reading_list in lists:
            books = selectors.class_list_progress(school_class, reading_list, today)
            held = [n for _item, n in books if n is not None]
            progress.append(
                {"list": reading_list, "books": books, "read": sum(1 for n in held if n), "total": len(books)}
            )
        rows.append(
            {"name": school_class.name_on(today), "grade": grade_name(school_class.stage, grade), "lists": progress}
        )
    return render(request, "reading/my_class_lists.html", {"rows": rows})
