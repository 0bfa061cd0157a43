"""Overdue lists by class and by reader, printable 催还单, the head teacher's own list."""

from itertools import groupby

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from circulation import privacy, selectors
from circulation.models import SchoolClass


def _grouped(loans, today):
    def class_key(loan):
        c = loan.school_class_now
        return (c.stage, -c.entry_year, c.number, c.pk) if c else ("z", 0, 0, 0)

    for loan in loans:
        loan.school_class_now = loan.reader.school_class
    loans.sort(key=lambda loan: (class_key(loan), loan.reader.student_number or "", loan.reader.name))
    groups = []
    for _key, items in groupby(loans, key=class_key):
        items = list(items)
        c = items[0].school_class_now
        groups.append(
            {
                "school_class": c,
                "name": c.name_on(today) if c else None,
                "loans": items,
                "readers": len({loan.reader_id for loan in items}),
            }
        )
    return groups


@login_required
@permission_required("library.use_desk", raise_exception=True)
def overdue(request):
    today = timezone.localdate()
    if not privacy.sees_reader_names(request.user):
        # A student assistant: counts per class only, so they can remind a class without knowing who.
        counts = selectors.overdue_counts_by_class(today)
        return render(
            request,
            "circulation/overdue_counts.html",
            {"today": today, "rows": counts, "total": sum(r["loans"] for r in counts)},
        )
    view = request.GET.get("by", "class")
    loans = selectors.overdue_loans(today, viewer=request.user)
    context = {"today": today, "by": view, "total": len(loans)}
    if view == "reader":
        readers = {}
        for loan in loans:
            entry = readers.setdefault(loan.reader_id, {"reader": loan.reader, "loans": [], "max_days": 0})
            entry["loans"].append(loan)
            entry["max_days"] = max(entry["max_days"], loan.overdue_days)
        context["readers"] = sorted(readers.values(), key=lambda e: -e["max_days"])
    else:
        context["groups"] = _grouped(loans, today)
    return render(request, "circulation/overdue.html", context)


@login_required
def overdue_class_print(request, pk):
    """催还单 for one class: one slip per pupil, to hand out in class."""
    school_class = get_object_or_404(SchoolClass, pk=pk)
    if not privacy.may_see_class(request.user, school_class):
        raise PermissionDenied
    today = timezone.localdate()
    loans = selectors.overdue_loans(today, school_class=school_class, viewer=request.user)
    slips = {}
    for loan in loans:
        slips.setdefault(loan.reader_id, {"reader": loan.reader, "loans": []})["loans"].append(loan)
    return render(
        request,
        "circulation/overdue_slips.html",
        {
            "school_class": school_class,
            "class_name": school_class.name_on(today),
            "slips": slips.values(),
            "today": today,
        },
    )


@login_required
def my_class_overdue(request):
    """A head teacher sees the overdue books of their own classes."""
    classes = list(request.user.head_of_classes.filter(is_active=True))
    if not classes:
        raise PermissionDenied
    today = timezone.localdate()
    loans = selectors.overdue_loans(today, classes=classes, viewer=request.user)
    groups = _grouped(loans, today)
    by_class = {g["school_class"].pk: g for g in groups if g["school_class"]}
    rows = [{"school_class": c, "name": c.name_on(today), "group": by_class.get(c.pk)} for c in classes]
    return render(request, "circulation/my_class_overdue.html", {"rows": rows, "today": today})
