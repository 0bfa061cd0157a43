"""The self-check page (自助借还): a touch screen with a barcode scanner, signed in as a kiosk.

A pupil scans their card, sees their loans and how many more they may borrow, scans books to
borrow or return, and takes a receipt; the page clears itself after 30 s idle (static/selfcheck).
The pupil's state lives in the kiosk's session, so every request re-checks the card.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from circulation import exceptions as exc
from selfcheck import services
from selfcheck.forms import CardForm, KioskForm, ScanForm
from selfcheck.models import Kiosk

PERMISSION = "library.use_selfcheck"
CARD, RESULT, RECEIPT, MODE = "selfcheck_card", "selfcheck_result", "selfcheck_receipt", "selfcheck_mode"


def _desk(request) -> str:
    return (request.user.get_full_name() or request.user.username)[:40]


def _patron(request) -> services.Patron | None:
    """The pupil at the screen (their card re-checked: it may have been reported lost meanwhile)."""
    number = request.session.get(CARD)
    if not number:
        return None
    patron = services.patron_find(card_number=number, pin=None, kiosk=None)
    return patron if patron.valid else None


def _clear(request) -> None:
    for key in (CARD, RESULT, RECEIPT, MODE):
        request.session.pop(key, None)


@never_cache
@login_required
@permission_required(PERMISSION, raise_exception=True)
def kiosk(request):
    patron = _patron(request)
    result = request.session.pop(RESULT, None)
    context = {"result": result, "card_form": CardForm(), "scan_form": ScanForm()}
    if patron is None:
        if request.session.pop(CARD, None):
            context["result"] = {"ok": False, "text": _("借书证已失效，请到服务台办理。")}
        return render(request, "selfcheck/kiosk.html", context)
    # The pupil stays in the mode they chose (returning a pile of books, say) until they switch.
    mode = request.session.get(MODE) or (ScanForm.RETURN if patron.blocks else ScanForm.BORROW)
    context.update(patron=patron, details=services.patron_details(patron), mode=mode)
    context["today"] = timezone.localdate()
    return render(request, "selfcheck/kiosk.html", context)


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def card(request):
    form = CardForm(request.POST)
    _clear(request)
    if not form.is_valid():
        request.session[RESULT] = {"ok": False, "text": _("请扫描借书证。")}
        return redirect("selfcheck:kiosk")
    patron = services.patron_find(card_number=form.cleaned_data["card"], pin=None, kiosk=None)
    if not patron.valid:
        request.session[RESULT] = {"ok": False, "text": _("；").join(patron.blocks)}
        return redirect("selfcheck:kiosk")
    request.session[CARD] = patron.card.number
    request.session[RECEIPT] = []
    request.session[RESULT] = {"ok": True, "text": _("%(name)s 同学你好！") % {"name": patron.reader.name}}
    return redirect("selfcheck:kiosk")


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def scan(request):
    patron = _patron(request)
    form = ScanForm(request.POST)
    if patron is None:
        return redirect("selfcheck:kiosk")
    if not form.is_valid():
        request.session[RESULT] = {"ok": False, "text": _("请扫描图书条码。")}
        return redirect("selfcheck:kiosk")
    barcode, receipt = form.cleaned_data["barcode"].strip(), request.session.get(RECEIPT, [])
    request.session[MODE] = form.cleaned_data["mode"]
    try:
        if form.cleaned_data["mode"] == ScanForm.BORROW:
            loan = services.kiosk_checkout(patron=patron, barcode=barcode, desk=_desk(request), by=request.user)
            title, due = loan.copy.record.title, loan.due_date.isoformat()
            text = _("《%(title)s》借书成功，请在 %(due)s 前归还。") % {"title": title, "due": due}
            receipt.append({"action": _("借"), "title": title, "barcode": barcode, "due": due})
        else:
            returned = services.kiosk_return(barcode=barcode, desk=_desk(request), by=request.user)
            text = services.return_message(returned)
            receipt.append({"action": _("还"), "title": returned.loan.copy.record.title, "barcode": barcode, "due": ""})
    except exc.CirculationError as error:
        request.session[RESULT] = {"ok": False, "text": error.message}
    else:
        request.session[RESULT] = {"ok": True, "text": text}
        request.session[RECEIPT] = receipt
    return redirect("selfcheck:kiosk")


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def finish(request):
    """The pupil is done: show the receipt of this visit (to print or read), then start over."""
    patron = _patron(request)
    receipt = request.session.get(RECEIPT, [])
    name = patron.reader.name if patron else ""
    loans = services.patron_details(patron)["loans"] if patron else []
    _clear(request)
    context = {"receipt": receipt, "name": name, "loans": loans, "now": timezone.localtime()}
    return render(request, "selfcheck/receipt.html", context)


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def end(request):
    """Idle for 30 s, or the pupil pressed 退出: forget them."""
    _clear(request)
    return redirect("selfcheck:kiosk")


# --- kiosk accounts (librarians) ------------------------------------------------------------


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def kiosks(request):
    return render(request, "selfcheck/kiosks.html", {"kiosks": Kiosk.objects.all()})


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def kiosk_edit(request, pk=None):
    kiosk = get_object_or_404(Kiosk, pk=pk) if pk else None
    form = KioskForm(request.POST or None, instance=kiosk)
    if request.method == "POST" and form.is_valid():
        services.kiosk_save(form=form)
        messages.success(request, _("自助借还机“%(name)s”已保存。") % {"name": form.instance.name})
        return redirect("selfcheck:kiosks")
    title = _("修改自助借还机") if kiosk else _("新增自助借还机")
    return render(request, "circulation/form_page.html", {"form": form, "title": title})
