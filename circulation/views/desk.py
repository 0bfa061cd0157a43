"""The circulation desk: one page, keyboard first; a scanner types the code and presses Enter.

Who the current (checkout) reader is, is explicit: a card scan, an exact 学号, or a reader the
librarian picked from a search list sets it, and nothing else does (not a return, not a stray
Enter, not a single fuzzy match). The page posts the reader id it shows with every scan, and the
server lends only if that is this desk session's current reader (kept in the Django session), so
neither a stale page nor a second tab can lend to somebody the screen does not show.

Privacy: a student assistant (no manage_readers) sees a reader's panel and name only for readers
scanned (card) or typed (学号) in their own desk session; librarians see every reader.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import hooks
from catalog.models import Copy
from circulation import exceptions as exc
from circulation import privacy, selectors, services
from circulation.models import CirculationSettings, Compensation, Hold, LibraryCard, Loan, Reader
from circulation.views.common import desk_name
from library.params import BadParameter, id_param, parse_code, parse_text, text_param

NOTE_MAX = Compensation._meta.get_field("note").max_length

# The session keys of the desk: the current checkout reader's id, and the ids of the readers
# scanned or typed in this desk session (what a student assistant may see).
DESK_READER = "desk_reader"
DESK_SEEN = "desk_seen"
SEEN_LIMIT = 300


def _remember(request, reader_id: int) -> None:
    """Make `reader_id` this desk session's current reader (and one the assistant may see)."""
    request.session[DESK_READER] = reader_id
    seen = request.session.get(DESK_SEEN, [])
    if reader_id not in seen:
        request.session[DESK_SEEN] = (seen + [reader_id])[-SEEN_LIMIT:]


def seen_readers(request) -> set[int]:
    """The readers scanned (card) or typed (学号) in this desk session: those a student assistant
    may see. Every page that shows an assistant reader names asks here (the hold shelf too)."""
    return set(request.session.get(DESK_SEEN, []))


def may_see(request, reader_id: int) -> bool:
    return privacy.sees_reader_names(request.user) or reader_id in seen_readers(request)


def _book(copy) -> str:
    return _("《%(title)s》（%(code)s）") % {"title": copy.record.title, "code": copy.barcode}


@login_required
@permission_required("library.use_desk", raise_exception=True)
def desk(request):
    """The desk page. It opens without a reader (a fresh context), or with ?reader= from a reader's
    page (librarians; an assistant only for a reader scanned in this desk session)."""
    reader_id = id_param(request.GET, "reader")
    panel = None
    if reader_id:
        if not may_see(request, reader_id):
            raise PermissionDenied
        panel = selectors.reader_panel(reader_id)
    if panel is not None:
        _remember(request, panel.reader.pk)
    else:
        request.session.pop(DESK_READER, None)
    return render(
        request,
        "circulation/desk.html",
        {
            "panel": panel,
            "mode": "return" if request.GET.get("mode") == "return" else "checkout",
            "idle_minutes": CirculationSettings.current().desk_idle_minutes,
        },
    )


def _respond(
    request,
    *,
    panel=None,
    tone="ok",
    message="",
    matches=None,
    hold=None,
    extra=None,
    set_reader=None,
    confirm="",
    returning=False,
):
    """The desk's answer. `set_reader` is the new current reader's id ("" clears it); None leaves
    the page's reader as it is (returns, refusals, search lists never change it)."""
    context = {
        "close_compensation": True,
        "panel": panel,
        "tone": tone,
        "message": message,
        "matches": matches,
        "hold": hold,
        "now": timezone.localtime(),
        "set_reader": set_reader,
        "confirm": confirm,
        "returning": returning,
        **(extra or {}),
    }
    response = render(request, "circulation/_desk_response.html", context)
    if panel is None and set_reader is None:
        # Nothing to show in the panel and no change of reader: the current reader's panel stays.
        response["HX-Reswap"] = "none"
    return response


def _reader_id_from_post(request) -> int | None:
    return id_param(request.POST, "reader")


def _select(request, reader_id: int, *, card=None):
    """Make a reader current and show them. Blocks give the same amber warning however the reader
    was found (card, 学号 or picked from a list); an invalid card is refused in red."""
    panel = selectors.reader_panel(reader_id)
    if panel is None:
        raise Http404
    _remember(request, reader_id)
    if card is not None and card.status != LibraryCard.Status.VALID:
        message = _("读者：%(name)s · 借书证 %(n)s 已%(s)s，不能借书。") % {
            "name": panel.reader.name,
            "n": card.number,
            "s": card.get_status_display(),
        }
        return _respond(request, panel=panel, tone="error", message=message, set_reader=reader_id)
    message = _("读者：%(name)s") % {"name": panel.reader.name}
    tone = "ok"
    if panel.blocks:
        message += " · " + _("注意：%(why)s") % {"why": _("；").join(panel.blocks)}
        tone = "warn"
    return _respond(request, panel=panel, tone=tone, message=message, set_reader=reader_id)


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def scan(request):
    """One scan: a card or 学号 selects the reader; a copy barcode lends (or, in return mode,
    returns) it; other text searches readers by name or pinyin and asks which one."""
    try:
        code = parse_code(request.POST.get("code"))
    except BadParameter as error:
        return _respond(request, tone="error", message=error.message)
    mode = request.POST.get("mode", "checkout")
    desk = desk_name(request)
    if not code:
        # A stray Enter: nothing happens (204 makes htmx leave the page as it is).
        return HttpResponse(status=204)
    if mode == "return":
        return _return(request, code, desk)

    kind = selectors.identify_code(code)
    if kind == "card":
        card = selectors.card_by_number(code)
        return _select(request, card.reader_id, card=card)
    if kind == "copy":
        return _checkout(request, code, desk)

    by_number = Reader.objects.filter(student_number=code).values_list("pk", flat=True).first()
    if by_number is not None:
        return _select(request, by_number)
    note = hooks.unknown_code(code)  # e.g. a periodical's cover barcode (serials)
    if note:
        return _respond(request, tone="error", message=note)
    if not privacy.sees_reader_names(request.user):
        return _respond(
            request,
            tone="error",
            message=_("找不到借书证、图书或学号“%(code)s”。学生助理请扫描借书证或输入完整学号。") % {"code": code},
        )
    matches = list(selectors.find_readers(code))
    if matches:
        # Even a single match is only shown: the librarian confirms it (a short string such as
        # "XYZ" matches pinyin initials by chance).
        return _respond(
            request,
            tone="warn",
            message=_("找到 %(n)s 位读者，请选择（当前读者不变）。") % {"n": len(matches)},
            matches=matches,
        )
    return _respond(
        request,
        tone="error",
        message=_("找不到借书证、图书或读者“%(code)s”。") % {"code": code},
    )


def _checkout(request, code, desk):
    reader_id = _reader_id_from_post(request)
    if reader_id is None:
        return _respond(request, tone="error", message=_("请先扫描读者的借书证，再扫描图书。"))
    current = request.session.get(DESK_READER)
    if current != reader_id:
        # The page shows somebody who is no longer this desk session's reader (another tab, an
        # old page, a forged post): never lend on it.
        return _respond(
            request,
            tone="error",
            message=_("当前读者已变更或已超时清除，请重新扫描借书证。未借出 %(code)s。") % {"code": code},
            panel=None,
            set_reader="",
        )
    allow_vacation = request.POST.get("vacation") == "1" and request.user.has_perm("library.manage_circulation")
    confirm = request.POST.get("confirm", "") == code
    try:
        loan = services.loan_checkout(
            reader=reader_id,
            copy_barcode=code,
            by=request.user,
            desk=desk,
            allow_vacation=allow_vacation,
            confirm=confirm,
        )
    except exc.UnknownReader as error:
        return _respond(request, tone="error", message=_("拒借：") + error.message, set_reader="")
    except exc.CirculationError as error:
        panel = selectors.reader_panel(reader_id)
        copy = Copy.objects.select_related("record").only("barcode", "record__title").filter(barcode=code).first()
        names = {"name": panel.reader.name if panel else "", "book": _book(copy) if copy else code}
        if isinstance(error, exc.NeedsConfirmation):
            message = _("请确认 · 读者：%(name)s · 图书：%(book)s · ") % names + error.message
            message += " · " + _("再扫一次这本书或点“确认借出”即借出。")
            return _respond(request, panel=panel, tone="warn", message=message, confirm=code)
        message = _("拒借 · 读者：%(name)s · 图书：%(book)s · ") % names + error.message
        return _respond(request, panel=panel, tone="error", message=message)
    message = _("%(name)s 已借出《%(title)s》（%(code)s），应还日期 %(due)s") % {
        "name": loan.reader.name,
        "title": loan.copy.record.title,
        "code": loan.copy.barcode,
        "due": loan.due_date.isoformat(),
    }
    return _respond(
        request,
        panel=selectors.reader_panel(reader_id, state=loan.reader, policy=loan.policy, lent=loan),
        message=message,
    )


def _return(request, code, desk):
    """A return. It never changes the checkout reader; an assistant sees the borrower's name and
    panel only for a reader of their own desk session."""
    try:
        result = services.loan_return(copy_barcode=code, by=request.user, desk=desk)
    except exc.CirculationError as error:
        return _respond(request, tone="error", message=error.message)
    loan = result.loan
    visible = may_see(request, loan.reader_id)
    name = loan.reader.name if visible else _("（读者信息仅管理员可见）")
    message = _("已还《%(title)s》（%(code)s） · 读者：%(name)s") % {
        "title": loan.copy.record.title,
        "code": loan.copy.barcode,
        "name": name,
    }
    tone = "ok"
    if result.overdue_days:
        message += " · " + _("逾期 %(n)s 天") % {"n": result.overdue_days}
        tone = "warn"
    if result.fine is not None:
        message += " · " + _("逾期费 ¥%(amount)s（未缴）") % {"amount": result.fine.amount}
    if result.hold is not None:
        if may_see(request, result.hold.reader_id):
            message += " · " + _("已被 %(name)s 预约，请放到预约架") % {"name": result.hold.reader.name}
        else:
            message += " · " + _("已有读者预约，请放到预约架")
        tone = "warn"
    return _respond(
        request,
        panel=selectors.reader_panel(loan.reader_id, state=loan.reader, returned=loan) if visible else None,
        tone=tone,
        message=message,
        hold=result.hold,
        returning=True,
        extra={"returned": loan, "compensation": result.fine},
    )


@login_required
@permission_required("library.use_desk", raise_exception=True)
def reader_panel(request, pk):
    """A reader's panel, for display only (it does not make them the current reader)."""
    if not may_see(request, pk):
        raise PermissionDenied
    panel = selectors.reader_panel(pk)
    if panel is None:
        raise Http404
    if request.GET.get("resume") and request.session.get(DESK_READER) == pk:
        message = _("继续借书 · 当前读者仍是 %(name)s（还书前的读者）") % {"name": panel.reader.name}
        return _respond(request, panel=panel, tone="ok", message=message)
    return _respond(request, panel=panel, message=_("读者：%(name)s") % {"name": panel.reader.name})


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def reader_select(request, pk):
    """The librarian picked a reader from the search list: now they are the current reader."""
    if not may_see(request, pk):
        raise PermissionDenied
    return _select(request, pk)


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def renew(request, pk):
    loan = get_object_or_404(Loan.objects.select_related("copy__record"), pk=pk)
    if not may_see(request, loan.reader_id):
        raise PermissionDenied
    try:
        loan = services.loan_renew(loan=loan, by=request.user, desk=desk_name(request))
    except exc.CirculationError as error:
        panel = selectors.reader_panel(loan.reader_id)
        message = _("不能续借 · 读者：%(name)s · ") % {"name": panel.reader.name} + error.message
        return _respond(request, panel=panel, tone="error", message=message)
    panel = selectors.reader_panel(loan.reader_id)
    return _respond(
        request,
        panel=panel,
        message=_("%(name)s 的《%(title)s》已续借，新应还日期 %(due)s")
        % {"name": panel.reader.name, "title": loan.copy.record.title, "due": loan.due_date.isoformat()},
    )


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def compensation(request):
    """Lost or damaged book, from the desk: GET shows the form for one copy, POST records it.

    The form opens under the scanner field (from a loan in the reader panel, or from a book just
    returned damaged); after the report the reader panel shows the unpaid compensation, with a link
    to take the payment and print the receipt.
    """
    data = request.POST if request.method == "POST" else request.GET
    barcode = text_param(data, "barcode", max_length=100)
    reader_id = id_param(data, "reader")
    if request.method != "POST":
        # (A GET only looks the copy up: a cleaned barcode can do no harm.)
        copy = Copy.objects.select_related("record").filter(barcode=barcode).first()
        reader = Reader.objects.filter(pk=reader_id).first() if reader_id else None
        if copy is None or reader is None:
            return HttpResponse(
                '<div class="alert alert-danger py-2">%s</div>' % escape(_("找不到这本书或读者，请重新选择。"))
            )
        return render(
            request,
            "circulation/_desk_compensation.html",
            {"copy": copy, "reader": reader, "quotes": services.compensation_quotes(copy)},
        )
    reader = Reader.objects.filter(pk=reader_id).first() if reader_id else None
    try:
        comp = services.compensation_report(
            copy_barcode=parse_code(data.get("barcode")),
            kind=data.get("kind", ""),
            reader=reader,
            copy_action=data.get("copy_action", ""),
            note=parse_text(data.get("note"), max_length=NOTE_MAX, label=_("备注")),
            by=request.user,
            desk=desk_name(request),
        )
    except (exc.CirculationError, BadParameter) as error:
        return _respond(
            request,
            panel=selectors.reader_panel(reader_id) if reader_id else None,
            tone="error",
            message=error.message,
            extra={"close_compensation": False},
        )
    return _respond(
        request,
        panel=selectors.reader_panel(comp.reader_id),
        tone="warn",
        message=_("已登记%(kind)s《%(title)s》，应赔 ¥%(amount)s")
        % {"kind": comp.get_kind_display(), "title": comp.copy.record.title, "amount": comp.amount},
        extra={"compensation": comp},
    )


@login_required
@permission_required("library.use_desk", raise_exception=True)
def hold_slip(request, pk):
    hold = get_object_or_404(Hold.objects.select_related("record", "reader__school_class", "copy"), pk=pk)
    # A student assistant sees the name only of a reader scanned at their desk (privacy.py).
    return render(request, "circulation/hold_slip.html", {"hold": hold, "show_name": may_see(request, hold.reader_id)})
