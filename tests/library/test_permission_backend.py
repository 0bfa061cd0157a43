import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from library.backends import PermissionBackend
from library.models import School

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)  # no permission cache


def test_permissions_come_from_the_groups_and_the_user_in_one_query(librarian, django_assert_num_queries):
    librarian.user_permissions.add(Permission.objects.get(codename="view_reports"))
    user = _fresh(librarian)
    with django_assert_num_queries(1):
        perms = PermissionBackend().get_all_permissions(user)
        assert user.has_perm("library.use_desk") and user.has_perm("library.catalogue")
    assert "library.view_reports" in perms  # given to this user only
    assert "library.manage_school" not in perms  # administrators only


def test_teacher_has_no_desk_permission_and_inactive_users_have_none(teacher):
    assert not _fresh(teacher).has_perm("library.use_desk")
    assert _fresh(teacher).has_perm("library.place_holds")
    teacher.is_active = False
    teacher.save()
    assert PermissionBackend().get_all_permissions(_fresh(teacher)) == set()


def test_superuser_has_every_permission(db):
    root = User.objects.create_superuser("root", password="x-long-pass-123")
    assert PermissionBackend().get_all_permissions(_fresh(root)) == {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }


def test_the_signed_in_user_comes_with_their_permissions_in_one_query(librarian, django_assert_num_queries):
    librarian.user_permissions.add(Permission.objects.get(codename="view_reports"))
    with django_assert_num_queries(1):
        user = PermissionBackend().get_user(librarian.pk)
        assert user.has_perm("library.use_desk") and user.has_perm("library.view_reports")
        assert not user.has_perm("library.manage_school")
    assert user.get_all_permissions() == PermissionBackend().get_all_permissions(_fresh(librarian))
    assert not hasattr(user, "permission_names")


def test_get_user_gives_a_superuser_every_permission_and_refuses_an_inactive_user(teacher):
    root = User.objects.create_superuser("root", password="x-long-pass-123")
    assert PermissionBackend().get_user(root.pk).get_all_permissions() == PermissionBackend().get_all_permissions(
        _fresh(root)
    )
    teacher.is_active = False
    teacher.save()
    assert PermissionBackend().get_user(teacher.pk) is None
    assert PermissionBackend().get_user(10**9) is None


def test_a_role_taken_away_counts_from_the_next_request(client, librarian):
    client.force_login(librarian)
    assert client.get(reverse("circulation:desk")).status_code == 200
    librarian.groups.clear()
    assert client.get(reverse("circulation:desk")).status_code == 403


def test_pages_still_name_the_school_and_the_role(client, librarian):
    School.objects.update_or_create(pk=1, defaults={"name": "书香实验小学"})
    client.force_login(librarian)
    html = client.get(reverse("dashboard")).content.decode()
    text = re.sub(r"<[^>]+>", "", html)  # the role is its own <span> (hidden in a narrow navbar)
    assert "书香实验小学" in text and "李老师 · 图书管理员" in text
