"""读书活动: an activity with its classes, participants and results, and checked attachments."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reading import attachments
from reading.models import Activity, Participant
from tests.reading.conftest import pupil


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def festival(db):
    return Activity.objects.create(name="读书节", kind="festival", start=date(2025, 4, 1), end=date(2025, 4, 30))


def photo_with_location() -> bytes:
    image = Image.new("RGB", (3000, 2000), "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_shrunk_and_loses_its_metadata():
    content, ext = attachments.prepare(SimpleUploadedFile("p.jpg", photo_with_location()))
    with Image.open(io.BytesIO(content)) as image:
        assert ext == "jpg" and max(image.size) == 2000
        assert not image.getexif()


def test_a_pdf_is_kept_and_other_files_are_refused():
    assert attachments.prepare(SimpleUploadedFile("e.pdf", b"%PDF-1.4 entry"))[1] == "pdf"
    with pytest.raises(attachments.InvalidAttachment):
        attachments.prepare(SimpleUploadedFile("e.exe", b"MZ\x90\x00"))


def test_an_attachment_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_BYTES", 100)
    with pytest.raises(attachments.InvalidAttachment):
        attachments.prepare(SimpleUploadedFile("e.pdf", b"%PDF-" + b"x" * 200))


def test_the_librarian_makes_an_activity_with_classes(client, librarian, school_class):
    client.force_login(librarian)
    response = client.post(
        "/reading/activities/",
        {
            "name": "读书节",
            "kind": "festival",
            "start": "2025-04-01",
            "end": "2025-04-30",
            "classes": [school_class.pk],
        },
    )
    made = Activity.objects.get()
    assert response.status_code == 302 and list(made.classes.all()) == [school_class]


def test_an_activity_ending_before_it_starts_is_refused(client, librarian):
    client.force_login(librarian)
    response = client.post(
        "/reading/activities/", {"name": "征文", "kind": "essay", "start": "2025-04-30", "end": "2025-04-01"}
    )
    assert response.status_code == 200 and not Activity.objects.exists()


def test_participants_results_and_attachments(client, librarian, festival, school_class):
    reader = pupil("张小明", school_class)
    client.force_login(librarian)
    client.post(f"/reading/activities/{festival.pk}/participants/add/", {"reader": reader.pk})
    again = client.post(f"/reading/activities/{festival.pk}/participants/add/", {"reader": reader.pk}, follow=True)
    assert "已在参加者名单中" in again.content.decode()
    participant = Participant.objects.get()
    client.post(
        f"/reading/participants/{participant.pk}/result/",
        {"prize": "first", "work_title": "我读《草房子》", "attachment": SimpleUploadedFile("e.pdf", b"%PDF-1.4 x")},
    )
    participant.refresh_from_db()
    assert (participant.prize, participant.work_title) == ("first", "我读《草房子》")
    response = client.get(f"/reading/participants/{participant.pk}/file/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"


def test_a_bad_attachment_changes_nothing(client, librarian, festival, school_class):
    participant = Participant.objects.create(activity=festival, reader=pupil("张小明", school_class))
    client.force_login(librarian)
    response = client.post(
        f"/reading/participants/{participant.pk}/result/",
        {"prize": "first", "attachment": SimpleUploadedFile("e.jpg", b"not a photo")},
        follow=True,
    )
    assert "照片" in response.content.decode()
    participant.refresh_from_db()
    assert participant.prize == "" and not participant.attachment


@pytest.mark.parametrize("user", ["teacher", "assistant"])
def test_pupils_names_are_for_staff_with_the_permission(client, request, user, festival, school_class):
    participant = Participant.objects.create(activity=festival, reader=pupil("张小明", school_class))
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"/reading/activities/{festival.pk}/").status_code == 403
    assert client.get(f"/reading/participants/{participant.pk}/file/").status_code == 403


def test_garbage_is_answered_without_an_error(client, librarian, festival):
    client.force_login(librarian)
    assert client.post(f"/reading/activities/{festival.pk}/participants/add/", {"reader": "x"}).status_code == 302
    assert client.post("/reading/participants/999/result/", {"prize": "gold"}).status_code == 404
    assert client.get(f"/reading/activities/{festival.pk}/?q=%00").status_code == 200
    assert client.get("/reading/activities/1/participants/add/").status_code == 405
