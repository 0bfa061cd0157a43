"""The navbar's 退出 button: every role is signed out and lands on the public catalogue."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "librarian", "assistant", "teacher", "head_teacher"])
def test_logout_signs_every_role_out_to_the_catalogue(client, request, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("my_account"))
    assert 'action="/accounts/logout/"' in page.content.decode()  # the navbar's 退出 form

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:opac")
    assert client.get(reverse("my_account")).status_code == 302  # signed out: sent to log in


def test_logout_from_the_back_office_returns_to_the_catalogue(client, admin):
    client.force_login(admin)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:opac")
