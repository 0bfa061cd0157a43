"""Authentication backend: Django's ModelBackend, reading a user's permissions with the user."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, Q

from library.prepared import Part, PreparedSelect


class PermissionBackend(ModelBackend):
    """ModelBackend that reads the signed-in user's own and their groups' permissions in the same
    query as the user (get_user, run once per request by the session), so a page's permission checks
    cost no query of their own (the desk's scans included). Same rules and the same per-request
    cache (`_perm_cache`) as ModelBackend: nothing is kept between requests, so a role taken away
    counts from the user's next request.
    """

    def get_user(self, user_id):
        found = _user_select().fetch([user_id])
        if not found:
            return None
        user = found[0]
        names = user.__dict__.pop("permission_names")
        if not self.user_can_authenticate(user):
            return None
        user._perm_cache = set(names)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = perms.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app}.{codename}"
                for app, codename in perms.values_list("content_type__app_label", "codename").order_by().distinct()
            }
        return user_obj._perm_cache


@functools.cache
def _user_select() -> PreparedSelect:
    """As UserModel._default_manager.get(pk=…) with the permission names, its SQL built once:
    every signed-in request reads its user."""
    UserModel = get_user_model()
    table = UserModel._meta.db_table
    return PreparedSelect(
        [Part(UserModel, table)],
        f"SELECT {{columns}} FROM {table} WHERE {table}.{UserModel._meta.pk.column} = %s",
        extra={"permission_names": (_permissions_sql(), ArrayField(CharField()))},
    )


@functools.cache
def _permissions_sql() -> str:
    """get_all_permissions()'s set as SQL over the user's row: every permission for a superuser,
    else the user's own and those of their groups, as "app_label.codename"."""
    UserModel = get_user_model()
    user = UserModel._meta.db_table
    user_perms = UserModel.user_permissions.through._meta.db_table
    user_groups = UserModel.groups.through._meta.db_table
    group_perms = Group.permissions.through._meta.db_table
    return (
        f"ARRAY(SELECT DISTINCT ct.app_label || '.' || p.codename FROM {Permission._meta.db_table} p"
        f" JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id"
        f" WHERE {user}.is_superuser"
        f" OR p.id IN (SELECT permission_id FROM {user_perms} WHERE user_id = {user}.id)"
        f" OR p.id IN (SELECT gp.permission_id FROM {group_perms} gp"
        f" JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = {user}.id))"
    )
