"""Small helpers shared by the circulation views."""

from django.utils.translation import gettext as _

from library.params import clean_text, id_param


def desk_name(request) -> str:
    name = clean_text(request.POST.get("desk") or request.GET.get("desk") or "", 40)
    return name or _("总台")


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def active_class_from_post(request):
    """The active class picked in a form's `school_class` field, or None (also for forged values)."""
    from circulation.models import SchoolClass

    pk = id_param(request.POST, "school_class")
    return SchoolClass.objects.filter(pk=pk, is_active=True).first() if pk else None


def active_class_choices(today) -> list[tuple[int, str]]:
    """(pk, name) of the active classes for a class picker, in school order: by stage (小学, 初中,
    高中), then grade, then class number. (Sorting the names would put 三年级 before 二年级.)"""
    from circulation.models import SchoolClass

    stages = list(SchoolClass.Stage.values)
    classes = sorted(
        SchoolClass.objects.filter(is_active=True), key=lambda c: (stages.index(c.stage), c.grade_on(today), c.number)
    )
    return [(c.pk, c.name_on(today)) for c in classes]
