"""Small helpers shared by the circulation views."""

from django.utils.translation import gettext as _


def desk_name(request) -> str:
    name = (request.POST.get("desk") or request.GET.get("desk") or "").strip()
    return name[:40] or _("总台")


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def active_class_from_post(request):
    """The active class picked in a form's `school_class` field, or None (also for forged values)."""
    from circulation.models import SchoolClass

    value = request.POST.get("school_class", "")
    return SchoolClass.objects.filter(pk=int(value), is_active=True).first() if value.isdigit() else None
