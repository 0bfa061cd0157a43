"""Reservations: teachers reserve from the record page; librarians manage the queue and hold shelf."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Record
from circulation import exceptions as exc
from circulation import privacy, selectors, services
from circulation.models import Hold, Reader
from circulation.views.desk import seen_readers
from library.params import clean_text, has_forbidden_chars


def _back(request, fallback):
    """Back to the page the form was on (a path on this site), else to `fallback` (a URL name).

    Not redirect(target): it takes a bare word for a URL name and raises NoReverseMatch, a 500
    after the hold was already written."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not has_forbidden_chars(target)
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


@login_required
@permission_required("library.place_holds", raise_exception=True)
@require_POST
def reserve(request, record_id):
    """Reserve a title for oneself, or (librarians) for the reader named by card, 学号 or name."""
    record = get_object_or_404(Record, pk=record_id)
    on_behalf = clean_text(request.POST.get("reader", ""), 100)
    if on_behalf:
        if not request.user.has_perm("library.use_desk"):
            raise PermissionDenied
        matches = list(selectors.find_readers(on_behalf, limit=2))
        if len(matches) != 1:
            messages.error(request, _("请准确填写读者的借书证号或学号（找到 %(n)s 位读者）。") % {"n": len(matches)})
            return _back(request, "circulation:holds")
        reader = matches[0]
    else:
        reader = Reader.objects.filter(user=request.user).first()
        if reader is None:
            messages.error(request, _("您的账号尚未关联读者信息，请联系图书管理员。"))
            return _back(request, "my_account")
    try:
        hold = services.hold_place(record=record, reader=reader, by=request.user)
    except exc.CirculationError as error:
        messages.error(request, error.message)
    else:
        if on_behalf:
            # The librarian must see whose hold it is (a name or 学号 may have matched someone else).
            names = {"r": reader.name, "t": record.title}
            if hold.status == Hold.Status.READY:
                messages.success(request, _("已为 %(r)s 预约《%(t)s》：馆内有书，已保留。") % names)
            else:
                names["n"] = services.hold_queue_position(hold)
                messages.success(request, _("已为 %(r)s 预约《%(t)s》，排在第 %(n)s 位。") % names)
        elif hold.status == Hold.Status.READY:
            messages.success(request, _("已预约《%(t)s》：馆内有书，已为您保留。") % {"t": record.title})
        else:
            messages.success(
                request,
                _("已预约《%(t)s》，您排在第 %(n)s 位。")
                % {"t": record.title, "n": services.hold_queue_position(hold)},
            )
    return _back(request, "circulation:my_holds")


@login_required
def my_holds(request):
    reader = Reader.objects.filter(user=request.user).first()
    holds = []
    if reader:
        holds = list(
            reader.holds.filter(status__in=[Hold.Status.WAITING, Hold.Status.READY])
            .select_related("record", "copy")
            .order_by("placed_at")
        )
        for h in holds:
            h.position = services.hold_queue_position(h) if h.status == Hold.Status.WAITING else None
    return render(request, "circulation/my_holds.html", {"reader": reader, "holds": holds})


@login_required
@require_POST
def hold_cancel(request, pk):
    hold = get_object_or_404(Hold.objects.select_related("reader", "record"), pk=pk)
    own = hold.reader.user_id == request.user.pk
    if not privacy.may_cancel_hold(request.user, hold):
        raise PermissionDenied
    try:
        services.hold_cancel(hold=hold, by=request.user)
    except exc.CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消《%(t)s》的预约。") % {"t": hold.record.title})
    return _back(request, "circulation:my_holds" if own else "circulation:holds")


@login_required
@permission_required("library.use_desk", raise_exception=True)
def holds(request):
    """The hold shelf (ready, with expiry) and the queues (waiting)."""
    today = timezone.localdate()
    ready = list(
        Hold.objects.filter(status=Hold.Status.READY)
        .select_related("record", "copy", "reader__school_class")
        .order_by("expires_on", "pk")
    )
    for h in ready:
        h.expired = h.expires_on is not None and h.expires_on < today
    waiting = list(
        Hold.objects.filter(status=Hold.Status.WAITING)
        .select_related("record", "reader__school_class")
        .order_by("record__title", "placed_at", "pk")
    )
    expired = selectors.recently_expired_holds(today)
    # A student assistant sees the names only of the readers scanned at their desk (privacy.py):
    # the hold shelf is found by title and barcode, the reader by scanning their card.
    everyone = privacy.sees_reader_names(request.user)
    seen = seen_readers(request)
    for h in [*ready, *waiting, *expired]:
        h.show_name = everyone or h.reader_id in seen
        if getattr(h, "now_for", None) is not None:
            h.now_for.show_name = everyone or h.now_for.reader_id in seen
    return render(
        request,
        "circulation/holds.html",
        {"ready": ready, "waiting": waiting, "expired": expired, "today": today},
    )


@login_required
@permission_required("library.use_desk", raise_exception=True)
@require_POST
def holds_expire(request):
    n = services.holds_expire(by=request.user)
    messages.success(request, _("已处理 %(n)s 条过期预约。") % {"n": n})
    return redirect("circulation:holds")
