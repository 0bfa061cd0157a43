from django.utils.functional import SimpleLazyObject

from library.models import School
from library.roles import ROLE_LABELS, role_of


def school(request):
    """The school and the user's role for every page, read only when a template uses them.

    Both are lazy: the desk's htmx fragments (the hot path) use neither and so pay no query.
    """

    def current_school():
        if not hasattr(request, "_school_cache"):
            request._school_cache = School.objects.order_by("pk").first()
        return request._school_cache

    def role():
        if not hasattr(request, "_role_cache"):
            request._role_cache = role_of(request.user) if hasattr(request, "user") else None
        return request._role_cache

    return {
        "school": SimpleLazyObject(current_school),
        # Callables: the template calls them when (and only when) it shows them.
        "user_role": role,
        "user_role_label": lambda: ROLE_LABELS.get(role(), "") if role() else "",
    }
