"""Pages that name pupils (permission manage_readers): reading activities and term-end honours."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation import selectors as circulation_selectors
from circulation.models import Reader
from library import uploadhandlers, xlsx
from library.models import School
from reading import services
from reading.exceptions import ReadingError
from reading.forms import (
    ActivityForm,
    HonourAddForm,
    HonourRoundForm,
    ParticipantAddForm,
    ReadingNoteForm,
    ResultForm,
)
from reading.models import (
    Activity,
    Honour,
    HonourRound,
    Participant,
    ReadingNote,
    Stage,
)
from reading.views.public import _query

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
    _picked_reader(
        request,
        ParticipantAddForm(request.POST),
        lambda reader, _form: services.participant_add(activity=act, reader=reader, by=request.user),
        _("已加入参加者：%(name)s。"),
    )
    return redirect("reading:activity", pk=pk)


def _picked_reader(request, form, action, done: str) -> None:
    """Run `action(reader, form)` for the reader picked from a search list (the form's hidden
    `reader`), saying what happened: a message, or the domain error's message."""
    reader = Reader.objects.filter(pk=form.cleaned_data["reader"]).first() if form.is_valid() else None
    if reader is None:
        messages.error(request, _("请从检索结果中选择读者。"))
        return
    try:
        action(reader, form)
    except ReadingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"name": reader.name})


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
    _picked_reader(
        request,
        HonourAddForm(request.POST),
        lambda reader, form: services.honour_add(
            honour_round=honour_round, reader=reader, kind=form.cleaned_data["kind"], by=request.user
        ),
        _("已加入表彰名单：%(name)s。"),
    )
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


def _honour_print(request, pk: int, template: str):
    honour_round = _published_round(pk)
    return render(
        request,
        template,
        {"round": honour_round, "rows": _honour_rows(honour_round), "school_name": School.current().name},
    )


@login_required
@readers_required
def honour_certificates(request, pk: int):
    """奖状: one A4 landscape page per honour, every class in one print."""
    return _honour_print(request, pk, "reading/honour_certificates.html")


@login_required
@readers_required
def honour_announcement(request, pk: int):
    """The list for the announcement board."""
    return _honour_print(request, pk, "reading/honour_announcement.html")


# --- 读书笔记 (the librarian for every pupil; a head teacher for the pupils of their classes) ------


def _note_readers(user):
    """The pupils whose reading notes the user may record and see, or PermissionDenied."""
    if user.has_perm("library.manage_readers"):
        return Reader.objects.filter(kind="student")
    classes = list(user.head_of_classes.filter(is_active=True))
    if not classes:
        raise PermissionDenied
    return Reader.objects.filter(kind="student", school_class__in=classes)


def _note_keeper_required(view):
    """Only the librarian or a head teacher (refused before the method is looked at)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        _note_readers(request.user)
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@_note_keeper_required
def notes(request):
    readers = _note_readers(request.user)
    q = _query(request, 60)
    today = timezone.localdate()
    found = list(circulation_selectors.search_readers(q).filter(pk__in=readers.values("pk"))[:20]) if q else []
    recent = list(
        ReadingNote.objects.filter(reader__in=readers).select_related("reader", "reader__school_class", "record")[:100]
    )
    return render(
        request,
        "reading/notes.html",
        {
            "q": q,
            "found": [(r, r.school_class.name_on(today) if r.school_class else "") for r in found],
            "notes": [(n, n.reader.school_class.name_on(today) if n.reader.school_class else "") for n in recent],
            "today": today,
        },
    )


@login_required
@_note_keeper_required
@require_POST
def note_add(request):
    readers = _note_readers(request.user)
    form = ReadingNoteForm(request.POST)
    reader = readers.filter(pk=form.cleaned_data["reader"]).first() if form.is_valid() else None
    if reader is None:
        messages.error(request, _("请选择学生，并填写书名和日期。"))
    else:
        services.reading_note_record(
            reader=reader,
            book_title=form.cleaned_data["book_title"],
            written_on=form.cleaned_data["written_on"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
        messages.success(request, _("已登记 %(name)s 的读书笔记。") % {"name": reader.name})
    return redirect("reading:notes")


@login_required
@_note_keeper_required
@require_POST
def note_remove(request, pk: int):
    note = get_object_or_404(ReadingNote, pk=pk, reader__in=_note_readers(request.user))
    services.reading_note_remove(note=note, by=request.user)
    messages.success(request, _("已删除这篇读书笔记。"))
    return redirect("reading:notes")


NOTES_ON_READER_PAGE = 20


def reader_notes_section(request, reader) -> str:
    """The reader's staff page (circulation:reader_detail, permission manage_readers, which checks
    it): the pupil's reading notes, the latest first, and their count."""
    notes = ReadingNote.objects.filter(reader=reader).order_by("-written_on", "-pk")
    return render_to_string(
        "reading/_reader_notes.html",
        {"notes": list(notes[:NOTES_ON_READER_PAGE]), "count": notes.count(), "reader": reader},
        request=request,
    )
