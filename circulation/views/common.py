"""Small helpers shared by the circulation views."""

from django.utils.translation import gettext as _


def desk_name(request) -> str:
    name = (request.POST.get("desk") or request.GET.get("desk") or "").strip()
    return name[:40] or _("总台")


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"
