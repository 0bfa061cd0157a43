from library.models import School
from library.roles import ROLE_LABELS, role_of


def school(request):
    """The school's name and the user's role for every page (one cheap query, cached per request)."""
    if not hasattr(request, "_school_cache"):
        request._school_cache = School.objects.order_by("pk").first()
    role = role_of(request.user) if hasattr(request, "user") else None
    return {
        "school": request._school_cache,
        "user_role": role,
        "user_role_label": ROLE_LABELS.get(role, "") if role else "",
    }
