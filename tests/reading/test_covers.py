"""Covers: uploads are checked and resized; a record without one gets a generated SVG cover."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import covers
from catalog.models import Record


def png(width=1200, height=1600, colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_uploaded_photo_is_resized_to_a_jpeg():
    data = covers.prepare(SimpleUploadedFile("c.png", png(), content_type="image/png"))
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.width <= 400 and image.height <= 560


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(covers.InvalidCover):
        covers.prepare(SimpleUploadedFile("c.jpg", b"<html>not a picture</html>", content_type="image/jpeg"))


def test_a_truncated_image_is_refused():
    with pytest.raises(covers.InvalidCover):
        covers.prepare(SimpleUploadedFile("c.png", png()[:300], content_type="image/png"))


def test_a_file_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(covers, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(covers.InvalidCover):
        covers.prepare(SimpleUploadedFile("c.png", png(), content_type="image/png"))


def test_the_generated_cover_shows_title_author_and_class_colour(book):
    rec = book("西游记<少儿版>", code="I242", authors="吴承恩；改编者")
    svg = covers.generated_svg(rec)
    assert "西游记&lt;少儿版" in svg and "<少儿版>" not in svg
    assert "吴承恩" in svg and "改编者" not in svg
    assert covers.CLASS_COLOURS["I"] in svg


def test_the_cover_page_serves_the_generated_svg_then_the_upload(client, book):
    rec = book("小王子")
    response = client.get(f"/record/{rec.pk}/cover/")
    assert response["Content-Type"].startswith("image/svg+xml")
    covers.cover_set(record=rec, content=covers.prepare(SimpleUploadedFile("c.png", png())))
    response = client.get(f"/record/{rec.pk}/cover/")
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_an_unchanged_cover_answers_not_modified(client, book):
    rec = book("小王子")
    first = client.get(f"/record/{rec.pk}/cover/")
    again = client.get(f"/record/{rec.pk}/cover/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_a_missing_record_has_no_cover(client, db):
    assert client.get("/record/999999/cover/").status_code == 404


def test_the_record_form_takes_a_cover(client, librarian, book):
    rec = book("小王子")
    client.force_login(librarian)
    form = client.get(f"/catalog/records/{rec.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("cover",)}
    data["cover_upload"] = SimpleUploadedFile("c.png", png(), content_type="image/png")
    response = client.post(f"/catalog/records/{rec.pk}/edit/", data)
    assert response.status_code == 302
    assert Record.objects.get(pk=rec.pk).cover.name.endswith(".jpg")


def test_the_record_form_refuses_a_file_that_is_not_an_image(client, librarian, book):
    rec = book("小王子")
    client.force_login(librarian)
    form = client.get(f"/catalog/records/{rec.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("cover",)}
    data["cover_upload"] = SimpleUploadedFile("c.jpg", b"MZ not an image", content_type="image/jpeg")
    response = client.post(f"/catalog/records/{rec.pk}/edit/", data)
    assert response.status_code == 200
    assert "不是可用的图片" in response.content.decode()
    assert not Record.objects.get(pk=rec.pk).cover


def test_a_cover_too_large_to_arrive_is_reported(client, librarian, book, settings):
    settings.IMPORT_MAX_BYTES = 2048  # the upload handler drops the file while it arrives
    rec = book("小王子")
    client.force_login(librarian)
    form = client.get(f"/catalog/records/{rec.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("cover",)}
    data["cover_upload"] = SimpleUploadedFile("c.png", png(), content_type="image/png")
    response = client.post(f"/catalog/records/{rec.pk}/edit/", data)
    assert response.status_code == 200 and "封面图片不能超过" in response.content.decode()
    assert not Record.objects.get(pk=rec.pk).cover
