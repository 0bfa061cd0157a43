"""The circulation desk: one page, keyboard first; a scanner types the code and presses Enter."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Copy
from circulation import exceptions as exc
from circulation import selectors, services
from circulation.models import Compensation, Hold, LibraryCard, Loan, Reader
from circulation.views.common import desk_name
from library.params import BadParameter, id_param, parse_code, parse_text, text_param

NOTE_MAX = Compensation._meta.get_field("note").max_length


@login_required
@permission_required("library.use_desk", raise_exception=True)
def desk(request):
    reader_id = id_param(request.GET, "reader")
    panel = selectors.reader_panel(reader_id) if reader_id else None
    mode = "return" if request.GET.get("mode") == "return" else "checkout"
    return render(request, "circulation/desk.html", {"panel": panel, "mode": mode})


def _respond(request, *, panel=None, tone="ok", message="", matches=None, hold=None, extra=None):
    context = {
        "close_compensation": True,
        "panel": panel,
        "tone": tone,
        "message": message,
        "matches": matches,
        "hold": hold,
        "now": timezone.localtime(),
        **(extra or {}),
    }
    return render(request, "circulation/_desk_response.html", context)


def _reader_id_from_post(request) -> int | None:
    return id_param(request.POST, "reader")


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def scan(request):
    """One scan: a card selects the reader; a copy barcode lends (or, in return mode, returns) it."""
    try:
        code = parse_code(request.POST.get("code"))
    except BadParameter as error:
        return _respond(request, tone="error", message=error.message)
    mode = request.POST.get("mode", "checkout")
    desk = desk_name(request)
    if not code:
        return _respond(request, tone="error", message=_("请扫描借书证或图书条码。"))
    if mode == "return":
        return _return(request, code, desk)

    kind = selectors.identify_code(code)
    if kind == "card":
        card = selectors.card_by_number(code)
        panel = selectors.reader_panel(card.reader_id)
        if card.status != LibraryCard.Status.VALID:
            return _respond(
                request,
                panel=panel,
                tone="error",
                message=_("借书证 %(n)s 已%(s)s，不能借书。") % {"n": card.number, "s": card.get_status_display()},
            )
        tone = "warn" if panel.blocks else "ok"
        message = _("读者：%(name)s") % {"name": card.reader.name}
        if panel.blocks:
            message += " · " + "；".join(panel.blocks)
        return _respond(request, panel=panel, tone=tone, message=message)

    reader_id = _reader_id_from_post(request)
    if kind == "copy":
        if reader_id is None:
            return _respond(request, tone="error", message=_("请先扫描读者的借书证，再扫描图书。"))
        allow_vacation = request.POST.get("vacation") == "1" and request.user.has_perm("library.manage_circulation")
        try:
            loan = services.loan_checkout(
                reader=reader_id, copy_barcode=code, by=request.user, desk=desk, allow_vacation=allow_vacation
            )
        except exc.UnknownReader as error:
            return _respond(request, tone="error", message=_("拒借：") + error.message)
        except exc.CirculationError as error:
            return _respond(
                request, panel=selectors.reader_panel(reader_id), tone="error", message=_("拒借：") + error.message
            )
        return _respond(
            request,
            panel=selectors.reader_panel(reader_id, state=loan.reader, policy=loan.policy),
            message=_("已借出《%(title)s》，应还日期 %(due)s")
            % {"title": loan.copy.record.title, "due": loan.due_date.isoformat()},
        )

    matches = list(selectors.find_readers(code))
    if len(matches) == 1:
        return _respond(
            request,
            panel=selectors.reader_panel(matches[0].pk),
            message=_("读者：%(name)s") % {"name": matches[0].name},
        )
    current = selectors.reader_panel(reader_id) if reader_id is not None else None
    if matches:
        return _respond(
            request,
            panel=current,
            tone="warn",
            message=_("找到 %(n)s 位读者，请选择。") % {"n": len(matches)},
            matches=matches,
        )
    return _respond(
        request,
        panel=current,
        tone="error",
        message=_("找不到借书证、图书或读者“%(code)s”。") % {"code": code},
    )


def _return(request, code, desk):
    try:
        result = services.loan_return(copy_barcode=code, by=request.user, desk=desk)
    except exc.CirculationError as error:
        return _respond(request, tone="error", message=error.message)
    loan = result.loan
    message = _("已还《%(title)s》 · 读者：%(name)s") % {"title": loan.copy.record.title, "name": loan.reader.name}
    tone = "ok"
    if result.overdue_days:
        message += " · " + _("逾期 %(n)s 天") % {"n": result.overdue_days}
        tone = "warn"
    if result.fine is not None:
        message += " · " + _("逾期费 ¥%(amount)s（未缴）") % {"amount": result.fine.amount}
    if result.hold is not None:
        message += " · " + _("已被 %(name)s 预约，请放到预约架") % {"name": result.hold.reader.name}
        tone = "warn"
    return _respond(
        request,
        panel=selectors.reader_panel(loan.reader_id, state=loan.reader),
        tone=tone,
        message=message,
        hold=result.hold,
        extra={"returned": loan, "compensation": result.fine},
    )


@login_required
@permission_required("library.use_desk", raise_exception=True)
def reader_panel(request, pk):
    panel = selectors.reader_panel(pk)
    if panel is None:
        raise Http404
    return _respond(request, panel=panel, message=_("读者：%(name)s") % {"name": panel.reader.name})


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def renew(request, pk):
    loan = get_object_or_404(Loan.objects.select_related("copy__record"), pk=pk)
    try:
        loan = services.loan_renew(loan=loan, by=request.user, desk=desk_name(request))
    except exc.CirculationError as error:
        return _respond(request, panel=selectors.reader_panel(loan.reader_id), tone="error", message=error.message)
    return _respond(
        request,
        panel=selectors.reader_panel(loan.reader_id),
        message=_("《%(title)s》已续借，新应还日期 %(due)s")
        % {"title": loan.copy.record.title, "due": loan.due_date.isoformat()},
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
    return render(request, "circulation/hold_slip.html", {"hold": hold})
