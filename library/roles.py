"""The roles of the system as Django groups, and the permissions each one holds."""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "管理员"
LIBRARIAN = "图书管理员"
ASSISTANT = "学生图书管理员"
TEACHER = "教师"
KIOSK = "自助借还机"

ROLE_LABELS = {
    ADMINISTRATOR: _("管理员"),
    LIBRARIAN: _("图书管理员"),
    ASSISTANT: _("学生图书管理员"),
    TEACHER: _("教师"),
    KIOSK: _("自助借还机"),
}

ROLE_PERMISSIONS = {
    ADMINISTRATOR: [
        "use_desk",
        "catalogue",
        "manage_readers",
        "manage_circulation",
        "view_reports",
        "manage_school",
        "place_holds",
    ],
    LIBRARIAN: ["use_desk", "catalogue", "manage_readers", "manage_circulation", "view_reports", "place_holds"],
    ASSISTANT: ["use_desk"],
    TEACHER: ["place_holds"],
    # The self-check page on a touch screen: nothing else (selfcheck.middleware keeps it there).
    KIOSK: ["use_selfcheck"],
}


def ensure_roles() -> None:
    """Create the groups and give them exactly their permissions (idempotent)."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        perms = list(Permission.objects.filter(content_type__app_label="library", codename__in=codenames))
        if name == ADMINISTRATOR:
            # The back office: administrators may change every model there, and set the school
            # (学校) itself; the library app's other permissions are the roles above.
            perms += list(Permission.objects.exclude(content_type__app_label="library"))
            perms += list(
                Permission.objects.filter(
                    content_type__app_label="library", codename__in=["view_school", "change_school"]
                )
            )
        group.permissions.set(perms)


def role_of(user) -> str | None:
    """The user's main role, the most powerful group they belong to."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMINISTRATOR
    names = {g.name for g in user.groups.all()}
    for role in (ADMINISTRATOR, LIBRARIAN, ASSISTANT, TEACHER, KIOSK):
        if role in names:
            return role
    return None
