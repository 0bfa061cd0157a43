"""Loan policies, the school calendar, desk settings, the circulation log, collective loans, rollover."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circulation import exceptions as exc
from circulation import services
from circulation.forms import DayForm, LoanPolicyForm, SettingsForm, TermForm
from circulation.models import (
    CirculationEvent,
    CirculationSettings,
    ClosedDay,
    Loan,
    LoanPolicy,
    OpenDay,
    SchoolClass,
    Term,
    school_year_of,
)
from circulation.views.common import active_class_choices, active_class_from_post, desk_name
from library.params import id_param, page_param, text_param


def _save_form_page(request, form, *, title, saved, next_url, conflict=None):
    """GET shows the form; a valid POST saves it and redirects. `conflict` is the message for a
    unique-constraint clash (the form is shown again with it, nothing written)."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            if conflict is None:
                raise
            form.add_error(None, conflict)
        else:
            messages.success(request, saved)
            return redirect(next_url)
    return render(request, "circulation/form_page.html", {"form": form, "title": title})


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def policies(request):
    return render(request, "circulation/policies.html", {"policies": LoanPolicy.objects.all()})


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def policy_edit(request, pk=None):
    policy = get_object_or_404(LoanPolicy, pk=pk) if pk else None
    form = LoanPolicyForm(request.POST or None, instance=policy)
    return _save_form_page(
        request, form, title=_("借阅规则"), saved=_("借阅规则已保存。"), next_url="circulation:policies"
    )


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def calendar(request):
    return _calendar_page(request)


def _calendar_page(request, **forms):
    """The calendar page; `forms` replaces an empty day form by a bound one (shown with its errors)."""
    today = timezone.localdate()
    return render(
        request,
        "circulation/calendar.html",
        {
            "terms": Term.objects.order_by("-start"),
            "closed": ClosedDay.objects.filter(day__gte=today - timedelta(days=30)),
            "open_days": OpenDay.objects.filter(day__gte=today - timedelta(days=30)),
            "closed_form": forms.get("closed_form") or DayForm(prefix="closed"),
            "open_form": forms.get("open_form") or DayForm(prefix="open"),
            "settings": CirculationSettings.current(),
        },
    )


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def term_edit(request, pk=None):
    term = get_object_or_404(Term, pk=pk) if pk else None
    form = TermForm(request.POST or None, instance=term)
    return _save_form_page(
        request,
        form,
        title=_("学期"),
        saved=_("学期已保存。"),
        next_url="circulation:calendar",
        conflict=_("学期名称或学年学期序号已存在。"),
    )


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
@require_POST
def day_add(request, kind):
    if kind not in ("closed", "open"):
        raise Http404
    model = ClosedDay if kind == "closed" else OpenDay
    form = DayForm(request.POST, prefix=kind)
    if not form.is_valid():
        # Shown again with its errors and the dates typed, not lost in a redirect.
        return _calendar_page(request, **{f"{kind}_form": form})
    day, until = form.cleaned_data["day"], form.cleaned_data["until"] or form.cleaned_data["day"]
    days = [day + timedelta(days=i) for i in range((until - day).days + 1)]
    with transaction.atomic():
        for d in days:
            model.objects.update_or_create(day=d, defaults={"reason": form.cleaned_data["reason"]})
    messages.success(request, _("已添加 %(n)s 天。") % {"n": len(days)})
    return redirect("circulation:calendar")


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
@require_POST
def day_delete(request, kind, pk):
    model = ClosedDay if kind == "closed" else OpenDay
    get_object_or_404(model, pk=pk).delete()
    messages.success(request, _("已删除。"))
    return redirect("circulation:calendar")


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def settings_edit(request):
    form = SettingsForm(request.POST or None, instance=CirculationSettings.current())
    return _save_form_page(
        request, form, title=_("流通设置与赔偿规则"), saved=_("流通设置已保存。"), next_url="circulation:calendar"
    )


@login_required
@permission_required("library.manage_circulation", raise_exception=True)
def event_log(request):
    qs = CirculationEvent.objects.select_related("by", "reader", "copy")
    action = request.GET.get("action", "")
    if action in CirculationEvent.Action.values:
        qs = qs.filter(action=action)
    reader_id = id_param(request.GET, "reader")
    if reader_id:
        qs = qs.filter(reader_id=reader_id)
    page = Paginator(qs.order_by("-at", "-id"), 100).get_page(page_param(request.GET))
    return render(
        request,
        "circulation/event_log.html",
        {"page": page, "action": action, "actions": CirculationEvent.Action.choices},
    )


@login_required
@permission_required("library.use_desk", raise_exception=True)
def collective(request):
    today = timezone.localdate()
    classes = active_class_choices(today)
    # After a refusal the form is shown again with the class and the scanned barcodes kept.
    picked, scanned = None, ""
    if request.method == "POST":
        school_class = active_class_from_post(request)
        picked, scanned = getattr(school_class, "pk", None), text_param(request.POST, "barcodes", max_length=20_000)
        if school_class is None:
            messages.error(request, _("请选择班级。"))
        else:
            barcodes = scanned.split()
            try:
                loans = services.class_collective_checkout(
                    school_class=school_class, barcodes=barcodes, by=request.user, desk=desk_name(request)
                )
            except exc.CirculationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("已借给%(c)s %(n)s 册，应还日期 %(d)s。")
                    % {"c": school_class.name_on(today), "n": len(loans), "d": loans[0].due_date.isoformat()},
                )
                return redirect("circulation:collective")
    open_loans = (
        Loan.objects.filter(is_collective=True, returned_at__isnull=True)
        .select_related("reader__school_class", "copy__record")
        .order_by("reader__school_class_id", "due_date")
    )
    return render(
        request,
        "circulation/collective.html",
        {"classes": classes, "loans": open_loans, "picked": picked, "scanned": scanned},
    )


@login_required
@permission_required("library.manage_readers", raise_exception=True)
def rollover(request):
    today = timezone.localdate()
    year = school_year_of(today)
    if request.method == "POST":
        try:
            result = services.school_year_rollover(school_year=year, by=request.user)
        except exc.CirculationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("升级完成：%(c)s 个班毕业（%(s)s 名学生），新建 %(n)s 个一年级班。")
                % {"c": result.graduated_classes, "s": result.graduated_students, "n": result.new_classes},
            )
            return redirect("circulation:rollover")
    graduating = services.graduating_classes(year)
    for c in graduating:
        c.final_name = c.name_on(today.replace(year=year, month=7, day=1))
    open_loans = list(services.graduation_open_loans(year))
    done = not graduating and SchoolClass.objects.filter(entry_year=year).exists()
    return render(
        request,
        "circulation/rollover.html",
        {"year": year, "graduating": graduating, "open_loans": open_loans, "done": done, "today": today},
    )
