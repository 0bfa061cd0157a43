from django.contrib.auth.decorators import login_required, permission_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from circulation import privacy
from library import roles
from library.selectors import dashboard_figures, reader_for_user


@login_required
def home(request):
    """Each role lands on its own home page."""
    role = roles.role_of(request.user)
    if role in (roles.ADMINISTRATOR, roles.LIBRARIAN):
        return redirect("dashboard")
    if role == roles.ASSISTANT:
        return redirect("circulation:desk")
    if role == roles.KIOSK:
        return redirect("selfcheck:kiosk")
    return redirect("my_account")


@login_required
@permission_required("library.view_reports", raise_exception=True)
def dashboard(request):
    return render(request, "library/dashboard.html", {"figures": dashboard_figures(timezone.localdate())})


@login_required
def my_account(request):
    """A reader's own page: current loans, reservations, and (head teachers) their classes."""
    reader = reader_for_user(request.user)
    today = timezone.localdate()
    loans = (
        list(reader.loans.filter(returned_at__isnull=True).select_related("copy__record").order_by("due_date"))
        if reader
        else []
    )
    for loan in loans:
        loan.overdue = loan.is_overdue(today)
    holds = (
        list(reader.holds.filter(status__in=["waiting", "ready"]).select_related("record").order_by("placed_at"))
        if reader
        else []
    )
    classes = list(request.user.head_of_classes.filter(is_active=True))
    return render(
        request,
        "library/my_account.html",
        {
            "reader": reader,
            "loans": loans,
            "holds": holds,
            "classes": classes,
            "today": today,
            "who_may_see": privacy.who_may_see(reader) if reader else [],
        },
    )


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        ok = cursor.fetchone()[0] == 1
    return JsonResponse({"status": "ok" if ok else "error", "database": ok}, status=200 if ok else 503)
