"""Reading promotion pages: the shelves of the front page and the extras of a record's page (shown
through catalog.hooks), the public rankings and lists, and the librarian's list management."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from circulation import selectors as circulation_selectors
from circulation.models import Reader
from circulation.naming import grade_name
from library import uploadhandlers, xlsx
from reading import importing, selectors, services
from reading.exceptions import ReadingError
from reading.forms import (
    ActivityForm,
    HonourAddForm,
    HonourRoundForm,
    ItemAddForm,
    ItemNoteForm,
    ListImportForm,
    ParticipantAddForm,
    ReadingListForm,
    ResultForm,
)
from reading.models import (
    Activity,
    Honour,
    HonourRound,
    Participant,
    RankingState,
    ReadingList,
    ReadingListItem,
    Stage,
)

catalogue_required = permission_required("library.catalogue", raise_exception=True)
SHELF_CACHE_SECONDS = 300
RECORD_CACHE_SECONDS = 3600


def _grade_links() -> list[tuple[str, str, int]]:
    return [(grade_name(stage, grade), stage, grade) for stage, grade in selectors.ranked_grades()]


def front_shelves(request) -> str:
    """The front page's shelves of covers; the same for everyone, so cached for a few minutes
    (and forgotten when a list or the rankings change, reading.services.shelves_changed)."""
    key = services.shelf_cache_key(get_language())
    html = cache.get(key)
    if html is None:
        grade_list = selectors.featured_list(ReadingList.Kind.GRADE)
        theme_list = selectors.featured_list(ReadingList.Kind.THEME)
        context = {
            "new_arrivals": selectors.new_arrivals(),
            "popular": selectors.popular(),
            "grades": _grade_links(),
            "state": RankingState.objects.order_by("pk").first(),
            "grade_list": grade_list,
            "grade_items": list(selectors.list_items(grade_list, held_only=True)[:24]) if grade_list else [],
            "theme_list": theme_list,
            "theme_items": list(selectors.list_items(theme_list, held_only=True)[:24]) if theme_list else [],
        }
        context["popular_records"] = [p.record for p in context["popular"]]
        context["grade_records"] = [i.record for i in context["grade_items"]]
        context["theme_records"] = [i.record for i in context["theme_items"]]
        html = render_to_string("reading/_shelves.html", context)
        cache.set(key, html, SHELF_CACHE_SECONDS)
    return mark_safe(html)  # rendered by our template, which escapes every value


def record_sections(request, record) -> str:
    """The record page's shelves; cached per record for an hour (loans change them slowly)."""
    key = f"reading:record:{record.pk}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "reading/_record_sections.html",
            {"also": selectors.also_borrowed(record), "series": selectors.same_series(record), "record": record},
        )
        cache.set(key, html, RECORD_CACHE_SECONDS)
    return mark_safe(html)  # rendered by our template, which escapes every value


def _query(request, limit: int) -> str:
    """A search box's text: no NUL or other control characters (PostgreSQL refuses NUL)."""
    text = request.GET.get("q", "")[:limit]
    return "".join(ch for ch in text if ch.isprintable()).strip()


def _grade_param(request) -> tuple[str, int | None]:
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        return "", None
    try:
        grade = int(request.GET.get("grade", ""))
    except ValueError:
        return "", None
    return (stage, grade) if 1 <= grade <= 12 else ("", None)


def popular(request):
    """本学期借阅排行 of the school or of one grade (books only, never pupils)."""
    stage, grade = _grade_param(request)
    return render(
        request,
        "reading/popular.html",
        {
            "ranking": selectors.popular(stage=stage, grade=grade),
            "grade_label": grade_name(stage, grade) if stage else "",
            "grades": _grade_links(),
            "stage": stage,
            "grade": grade,
            "state": RankingState.objects.order_by("pk").first(),
        },
    )


def list_public(request, pk: int):
    reading_list = get_object_or_404(ReadingList, pk=pk)
    return render(
        request,
        "reading/list_public.html",
        {
            "list": reading_list,
            "items": list(selectors.list_items(reading_list)),
            "grade_label": _list_grade(reading_list),
        },
    )


def list_poster(request, pk: int):
    """A one-page poster of a list, to print and put up in the classroom."""
    reading_list = get_object_or_404(ReadingList, pk=pk)
    return render(
        request,
        "reading/list_poster.html",
        {
            "list": reading_list,
            "items": list(selectors.list_items(reading_list)),
            "grade_label": _list_grade(reading_list),
        },
    )


def _list_grade(reading_list: ReadingList) -> str:
    if reading_list.stage and reading_list.grade:
        return grade_name(reading_list.stage, reading_list.grade)
    return reading_list.get_stage_display() if reading_list.stage else ""


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


@login_required
@catalogue_required
def list_import(request):
    """导入推荐书目 from Excel: one list per grade; books the library lacks go on the wish-list."""
    form = ListImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    if request.method == "POST":
        too_large = uploadhandlers.too_large(request)
        if too_large:
            messages.error(request, xlsx.too_large_message(too_large))
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > xlsx.max_bytes():
                messages.error(request, xlsx.too_large_message(upload.size))
            else:
                parsed = importing.parse(upload.read(), default_stage=form.cleaned_data["stage"])
                errors = parsed.errors
                if parsed.ok:
                    made = services.reading_lists_import(
                        title=form.cleaned_data["title"],
                        kind=form.cleaned_data["kind"],
                        rows=parsed.rows,
                        featured=form.cleaned_data["featured"],
                        by=request.user,
                    )
                    held = sum(1 for row in parsed.rows if row.record)
                    messages.success(
                        request,
                        _("已导入 %(lists)s 份书目：%(held)s 种本馆有，%(missing)s 种本馆暂无（可导出缺藏书单）。")
                        % {"lists": len(made), "held": held, "missing": len(parsed.rows) - held},
                    )
                    return redirect("reading:manage")
    return render(request, "reading/list_import.html", {"form": form, "errors": errors})


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


# --- 读书活动 (pupils' names: permission manage_readers) -------------------------------------

readers_required = permission_required("library.manage_readers", raise_exception=True)
PRIZE_ORDER = {"first": 0, "second": 1, "third": 2, "merit": 3, "": 4}


@login_required
@readers_required
def activities(request):
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activity = services.activity_save(
            activity=form.save(commit=False), classes=form.cleaned_data["classes"], by=request.user
        )
        messages.success(request, _("已新建活动“%(name)s”。") % {"name": activity.name})
        return redirect("reading:activity", pk=activity.pk)
    items = Activity.objects.annotate(n=Count("participants")).order_by("-start", "-pk")
    return render(request, "reading/activities.html", {"form": form, "activities": items})


@login_required
@readers_required
def activity(request, pk: int):
    act = get_object_or_404(Activity, pk=pk)
    form = ActivityForm(request.POST or None, instance=act)
    if request.method == "POST" and form.is_valid():
        services.activity_save(activity=form.save(commit=False), classes=form.cleaned_data["classes"], by=request.user)
        messages.success(request, _("活动已保存。"))
        return redirect("reading:activity", pk=pk)
    q = _query(request, 60)
    found = list(circulation_selectors.find_readers(q, limit=20)) if q else []
    today = timezone.localdate()
    participants = sorted(
        act.participants.select_related("reader", "reader__school_class"),
        key=lambda p: (PRIZE_ORDER.get(p.prize, 5), p.pk),
    )
    rows = [(p, p.reader.school_class.name_on(today) if p.reader.school_class else "") for p in participants]
    return render(
        request,
        "reading/activity.html",
        {
            "activity": act,
            "form": form,
            "rows": rows,
            "q": q,
            "found": [(r, r.school_class.name_on(today) if r.school_class else "") for r in found],
            "prize_choices": ResultForm().fields["prize"].choices,
            "classes": [c.name_on(today) for c in act.classes.all()],
        },
    )


@login_required
@readers_required
@require_POST
def participant_add(request, pk: int):
    act = get_object_or_404(Activity, pk=pk)
    form = ParticipantAddForm(request.POST)
    reader = Reader.objects.filter(pk=form.cleaned_data["reader"]).first() if form.is_valid() else None
    if reader is None:
        messages.error(request, _("请从检索结果中选择读者。"))
    else:
        try:
            services.participant_add(activity=act, reader=reader, by=request.user)
        except ReadingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已加入参加者：%(name)s。") % {"name": reader.name})
    return redirect("reading:activity", pk=pk)


@login_required
@readers_required
@require_POST
def participant_result(request, pk: int):
    participant = get_object_or_404(Participant, pk=pk)
    form = ResultForm(request.POST, request.FILES)
    if uploadhandlers.too_large(request):
        messages.error(request, xlsx.too_large_message(uploadhandlers.too_large(request)))
    elif form.is_valid():
        services.participant_result(
            participant=participant,
            prize=form.cleaned_data["prize"],
            work_title=form.cleaned_data["work_title"],
            attachment=form.prepared,
            by=request.user,
        )
        messages.success(request, _("已记录 %(name)s 的结果。") % {"name": participant.reader.name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("reading:activity", pk=participant.activity_id)


@login_required
@readers_required
@require_POST
def participant_remove(request, pk: int):
    participant = get_object_or_404(Participant, pk=pk)
    services.participant_remove(participant=participant, by=request.user)
    messages.success(request, _("已从名单中移除 %(name)s。") % {"name": participant.reader.name})
    return redirect("reading:activity", pk=participant.activity_id)


@login_required
@readers_required
def participant_file(request, pk: int):
    """An entry's attachment, to staff with the permission only (never a public media URL)."""
    participant = get_object_or_404(Participant, pk=pk)
    if not participant.attachment:
        raise Http404
    try:
        handle = participant.attachment.open("rb")
    except OSError as exc:
        raise Http404 from exc
    is_pdf = participant.attachment.name.endswith(".pdf")
    return FileResponse(handle, content_type="application/pdf" if is_pdf else "image/jpeg")


# --- 表彰 (pupils' names: permission manage_readers; printed only once published) -----------


@login_required
@readers_required
def honours(request):
    form = HonourRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        honour_round = form.save(commit=False)
        honour_round.created_by = request.user
        honour_round.save()
        n = services.honours_propose(honour_round=honour_round, by=request.user)
        messages.success(request, _("已按规则提名 %(n)s 项荣誉，请核对后公布。") % {"n": n})
        return redirect("reading:honour_round", pk=honour_round.pk)
    rounds = HonourRound.objects.select_related("term").annotate(n=Count("honours"))
    return render(request, "reading/honours.html", {"form": form, "rounds": rounds})


def _honour_rows(honour_round: HonourRound):
    """(class name, class honours, pupils' honours) per class, classes in school order."""
    today = timezone.localdate()
    by_class: dict[int, dict] = {}
    order = {Honour.Kind.STAR: 0, Honour.Kind.ACTIVE: 1}
    for h in honour_round.honours.select_related("reader", "school_class"):
        entry = by_class.setdefault(
            h.school_class_id, {"class": h.school_class, "name": h.school_class.name_on(today), "honours": []}
        )
        if h.kind == Honour.Kind.CLASS:
            entry["class_honour"] = h
        else:
            entry["honours"].append(h)
    for entry in by_class.values():
        entry["honours"].sort(key=lambda h: (order.get(h.kind, 9), -h.loans, h.pk))
    stages = {s: i for i, s in enumerate(Stage.values)}
    return sorted(
        by_class.values(),
        key=lambda e: (stages.get(e["class"].stage, 9), e["class"].entry_year * -1, e["class"].number),
    )


@login_required
@readers_required
def honour_round(request, pk: int):
    honour_round = get_object_or_404(HonourRound.objects.select_related("term"), pk=pk)
    q = _query(request, 60)
    found = list(circulation_selectors.find_readers(q, limit=20)) if q else []
    today = timezone.localdate()
    return render(
        request,
        "reading/honour_round.html",
        {
            "round": honour_round,
            "rows": _honour_rows(honour_round),
            "q": q,
            "found": [(r, r.school_class.name_on(today) if r.school_class else "") for r in found],
            "draft": honour_round.status == HonourRound.Status.DRAFT,
        },
    )


@login_required
@readers_required
@require_POST
def honours_repropose(request, pk: int):
    honour_round = get_object_or_404(HonourRound, pk=pk)
    try:
        n = services.honours_propose(honour_round=honour_round, by=request.user)
    except ReadingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已按规则提名 %(n)s 项荣誉，请核对后公布。") % {"n": n})
    return redirect("reading:honour_round", pk=pk)


@login_required
@readers_required
@require_POST
def honour_add(request, pk: int):
    honour_round = get_object_or_404(HonourRound, pk=pk)
    form = HonourAddForm(request.POST)
    reader = Reader.objects.filter(pk=form.cleaned_data["reader"]).first() if form.is_valid() else None
    if reader is None:
        messages.error(request, _("请从检索结果中选择读者。"))
    else:
        try:
            services.honour_add(
                honour_round=honour_round, reader=reader, kind=form.cleaned_data["kind"], by=request.user
            )
        except ReadingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已加入表彰名单：%(name)s。") % {"name": reader.name})
    return redirect("reading:honour_round", pk=pk)


@login_required
@readers_required
@require_POST
def honour_remove(request, pk: int):
    honour = get_object_or_404(Honour.objects.select_related("round"), pk=pk)
    try:
        services.honour_remove(honour=honour, by=request.user)
    except ReadingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已从表彰名单中移除。"))
    return redirect("reading:honour_round", pk=honour.round_id)


@login_required
@readers_required
@require_POST
def honours_publish(request, pk: int):
    honour_round = get_object_or_404(HonourRound, pk=pk)
    try:
        services.honours_publish(honour_round=honour_round, by=request.user)
    except ReadingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("表彰已公布，可以打印奖状和公告名单。"))
    return redirect("reading:honour_round", pk=pk)


def _published_round(pk: int) -> HonourRound:
    honour_round = get_object_or_404(HonourRound.objects.select_related("term"), pk=pk)
    if honour_round.status != HonourRound.Status.PUBLISHED:
        raise Http404  # honours name pupils only once published
    return honour_round


@login_required
@readers_required
def honour_certificates(request, pk: int):
    """奖状: one A4 landscape page per honour, every class in one print."""
    honour_round = _published_round(pk)
    return render(
        request,
        "reading/honour_certificates.html",
        {"round": honour_round, "rows": _honour_rows(honour_round)},
    )


@login_required
@readers_required
def honour_announcement(request, pk: int):
    """The list for the announcement board."""
    honour_round = _published_round(pk)
    return render(
        request,
        "reading/honour_announcement.html",
        {"round": honour_round, "rows": _honour_rows(honour_round)},
    )
