import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from library import roles

pytestmark = pytest.mark.django_db


def test_administrator_and_librarian_land_on_the_dashboard(client, admin, librarian):
    for user in (admin, librarian):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard")


def test_student_assistant_lands_on_the_circulation_desk(client, assistant):
    client.force_login(assistant)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("circulation:desk")


def test_teacher_lands_on_own_loans(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("my_account")
    page = client.get(reverse("my_account"))
    assert "我的借阅" in page.content.decode()


def test_anonymous_visitor_is_sent_to_login_for_the_home_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_visitor_may_use_the_public_catalogue(client):
    assert client.get(reverse("catalog:opac")).status_code == 200


@pytest.mark.parametrize("user_fixture", ["assistant", "teacher"])
def test_dashboard_is_forbidden_with_a_chinese_message(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "没有权限访问此页面" in response.content.decode()


@pytest.mark.parametrize("user_fixture", ["librarian", "assistant", "teacher"])
def test_back_office_is_for_administrators_only(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get("/admin/")
    assert response.status_code == 302  # the admin sends non-staff users to its own login
    assert "/admin/login/" in response["Location"]


def test_administrator_uses_the_back_office_in_chinese(client, admin):
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "后台管理" in response.content.decode()


def test_role_permissions_follow_the_roles_table(admin, librarian, assistant, teacher):
    assert admin.has_perm("library.manage_school")
    assert librarian.has_perm("library.catalogue") and not librarian.has_perm("library.manage_school")
    fresh_assistant = User.objects.get(pk=assistant.pk)
    assert fresh_assistant.has_perm("library.use_desk")
    assert not fresh_assistant.has_perm("library.catalogue")
    assert not fresh_assistant.has_perm("library.view_reports")
    assert not User.objects.get(pk=teacher.pk).has_perm("library.use_desk")


def test_role_of_picks_the_most_powerful_group(librarian):
    from django.contrib.auth.models import Group

    librarian.groups.add(Group.objects.get(name=roles.TEACHER))
    assert roles.role_of(User.objects.get(pk=librarian.pk)) == roles.LIBRARIAN


def test_unknown_page_shows_the_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_healthz_answers_with_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


def test_server_error_page_is_chinese_and_shows_no_traceback(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出现错误" in html
    assert "Traceback" not in html
