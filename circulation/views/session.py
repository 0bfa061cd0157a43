"""班级借阅: a librarian or student assistant lends to one class: card, book, card, book ..."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Copy
from circulation import exceptions as exc
from circulation import selectors, services
from circulation.models import CirculationEvent, LibraryCard, Loan, Reader, ReaderKind, SchoolClass
from circulation.views.common import active_class_choices, active_class_from_post
from library.params import BadParameter, id_param, parse_code


def _desk_key(class_pk: int, token: str) -> str:
    return f"班级借阅:{class_pk}:{token}"


def _session_class(request, token):
    sessions = request.session.get("class_sessions", {})
    if token not in sessions:
        raise Http404
    return get_object_or_404(SchoolClass, pk=sessions[token])


@login_required
@permission_required("library.use_desk", raise_exception=True)
def session_start(request):
    today = timezone.localdate()
    if request.method == "POST":
        school_class = active_class_from_post(request)
        if school_class is None:
            messages.error(request, _("请选择班级。"))
        else:
            token = secrets.token_hex(4)
            sessions = request.session.get("class_sessions", {})
            sessions[token] = school_class.pk
            request.session["class_sessions"] = sessions
            return redirect("circulation:session", token=token)
    return render(request, "circulation/session_start.html", {"classes": active_class_choices(today)})


def _pupils(school_class):
    """The class list for the name grid: active pupils by 学号, each with `has_card`."""
    return list(
        Reader.objects.filter(school_class=school_class, kind=ReaderKind.STUDENT, is_active=True)
        .annotate(has_card=Exists(LibraryCard.objects.filter(reader=OuterRef("pk"), status=LibraryCard.Status.VALID)))
        .order_by("student_number", "name")
    )


def _current(request, token) -> int | None:
    return request.session.get("class_session_readers", {}).get(token)


def _set_current(request, token, reader_id: int) -> None:
    readers = request.session.get("class_session_readers", {})
    readers[token] = reader_id
    request.session["class_session_readers"] = readers


@login_required
@permission_required("library.use_desk", raise_exception=True)
def session(request, token):
    school_class = _session_class(request, token)
    key = _desk_key(school_class.pk, token)
    count = Loan.objects.filter(desk=key).count()
    return render(
        request,
        "circulation/session.html",
        {"school_class": school_class, "token": token, "count": count, "pupils": _pupils(school_class)},
    )


def _reply(request, *, tone, message, reader=None, count=0, school_class=None, confirm=""):
    return render(
        request,
        "circulation/_session_response.html",
        {
            "tone": tone,
            "message": message,
            "reader": reader,
            "count": count,
            "school_class": school_class,
            "confirm": confirm,
            "now": timezone.localtime(),
        },
    )


def _pick(request, token, school_class, reader, count):
    """Make `reader` the pupil who borrows now (picked from the grid, by 学号 or by card)."""
    _set_current(request, token, reader.pk)
    tone, message = "ok", _("读者：%(name)s，请扫描图书") % {"name": reader.name}
    if reader.school_class_id != school_class.pk:
        tone, message = "warn", _("注意：%(name)s 不是本班学生") % {"name": reader.name}
    return _reply(request, tone=tone, message=message, reader=reader, count=count)


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def session_pick(request, token, pk):
    """A pupil picked from the class list (no card needed: many grade 1–2 pupils have none)."""
    school_class = _session_class(request, token)
    reader = get_object_or_404(Reader, pk=pk, school_class=school_class, is_active=True)
    count = Loan.objects.filter(desk=_desk_key(school_class.pk, token)).count()
    return _pick(request, token, school_class, reader, count)


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def session_scan(request, token):
    """A card or a 学号 picks the pupil; a book barcode lends it to the pupil picked last."""
    school_class = _session_class(request, token)
    key = _desk_key(school_class.pk, token)
    reader_id = id_param(request.POST, "reader")
    reader = Reader.objects.filter(pk=reader_id).first() if reader_id else None

    def count():
        return Loan.objects.filter(desk=key).count()

    try:
        code = parse_code(request.POST.get("code"))
    except BadParameter as error:
        return _reply(request, tone="error", message=error.message, reader=reader, count=count())
    if not code:
        return HttpResponse(status=204)  # a stray Enter: nothing happens

    card = selectors.card_by_number(code)
    if card is not None:
        if card.status != LibraryCard.Status.VALID:
            return _reply(
                request,
                tone="error",
                message=_("借书证 %(n)s 已%(s)s。") % {"n": card.number, "s": card.get_status_display()},
                count=count(),
            )
        return _pick(request, token, school_class, card.reader, count())
    if Copy.objects.filter(barcode=code).exists():
        if reader is None:
            return _reply(
                request, tone="error", message=_("请先选择学生（点名单、输入学号或扫描借书证）。"), count=count()
            )
        if _current(request, token) != reader.pk:
            return _reply(
                request,
                tone="error",
                message=_("当前学生已变更，请重新选择学生。未借出 %(code)s。") % {"code": code},
                count=count(),
            )
        try:
            loan = services.loan_checkout(
                reader=reader,
                copy_barcode=code,
                by=request.user,
                desk=key,
                card_required=False,
                confirm=request.POST.get("confirm") == code,
            )
        except exc.NeedsConfirmation as error:
            message = _("请确认 · %(name)s：%(why)s · 再扫一次这本书即借出。") % {
                "name": reader.name,
                "why": error.message,
            }
            return _reply(request, tone="warn", message=message, reader=reader, count=count(), confirm=code)
        except exc.CirculationError as error:
            return _reply(
                request,
                tone="error",
                message=_("拒借 · %(name)s · %(code)s：") % {"name": reader.name, "code": code} + error.message,
                reader=reader,
                count=count(),
            )
        return _reply(
            request,
            tone="ok",
            message=_("%(name)s 借出《%(title)s》") % {"name": reader.name, "title": loan.copy.record.title},
            reader=reader,
            count=count(),
        )
    pupil = Reader.objects.filter(student_number=code, is_active=True).first()
    if pupil is not None:
        return _pick(request, token, school_class, pupil, count())
    return _reply(
        request,
        tone="error",
        message=_("找不到借书证、学号或图书“%(code)s”。") % {"code": code},
        reader=reader,
        count=count(),
    )


@login_required
@permission_required("library.use_desk", raise_exception=True)
def session_summary(request, token):
    school_class = _session_class(request, token)
    key = _desk_key(school_class.pk, token)
    loans = list(Loan.objects.filter(desk=key).select_related("reader", "copy__record").order_by("checked_out_at"))
    refusals = list(
        CirculationEvent.objects.filter(desk=key, action=CirculationEvent.Action.REFUSED)
        .select_related("reader")
        .order_by("at")
    )
    borrowed = {loan.reader_id for loan in loans}
    pupils = Reader.objects.filter(school_class=school_class, kind="student", is_active=True).order_by("student_number")
    not_borrowed = [p for p in pupils if p.pk not in borrowed]
    return render(
        request,
        "circulation/session_summary.html",
        {
            "school_class": school_class,
            "loans": loans,
            "refusals": refusals,
            "readers": len(borrowed),
            "not_borrowed": not_borrowed,
        },
    )
