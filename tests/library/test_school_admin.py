"""学校 settings in the back office: administrators set them (README), librarians do not."""

import pytest

from library.models import School

pytestmark = pytest.mark.django_db


def _change_url(school):
    return f"/admin/library/school/{school.pk}/change/"


def test_administrator_opens_school_settings(client, admin):
    school = School.current()
    client.force_login(admin)
    assert "学校" in client.get("/admin/").content.decode()
    response = client.get(_change_url(school))
    assert response.status_code == 200
    assert school.name in response.content.decode()


def test_administrator_changes_school_name_and_type(client, admin):
    school = School.current()
    client.force_login(admin)
    response = client.post(
        _change_url(school), {"name": "青山中学", "stage": School.Stage.JUNIOR, "library_name": "青山书屋"}
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert (school.name, school.stage) == ("青山中学", School.Stage.JUNIOR)


def test_librarian_cannot_change_school_settings(client, librarian):
    school = School.current()
    # Even with back-office access, the librarian role holds no permission on 学校.
    librarian.is_staff = True
    librarian.save(update_fields=["is_staff"])
    client.force_login(librarian)
    assert client.get(_change_url(school)).status_code == 403
    response = client.post(_change_url(school), {"name": "改名", "stage": School.Stage.PRIMARY})
    assert response.status_code == 403
    school.refresh_from_db()
    assert school.name != "改名"
