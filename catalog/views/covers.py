"""A record's cover for the public pages: the uploaded photo, or the generated SVG."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import http_date
from django.views.decorators.http import condition, require_safe

from catalog import covers
from catalog.models import Record


def _last_modified(request, pk: int):
    return Record.objects.filter(pk=pk).values_list("updated_at", flat=True).first()


@require_safe
@condition(last_modified_func=_last_modified)
def record_cover(request, pk: int):
    rec = get_object_or_404(Record.objects.only("pk", "title", "authors", "clc_base", "cover", "updated_at"), pk=pk)
    response = None
    if rec.cover:
        try:
            response = FileResponse(rec.cover.open("rb"), content_type="image/jpeg")
        except OSError:  # the file went missing: fall back to the generated cover
            response = None
    if response is None:
        response = HttpResponse(covers.generated_svg(rec), content_type="image/svg+xml; charset=utf-8")
    # Covers change rarely; the URL carries a version (templatetags.covers), so a day is safe (Last-Modified answers with a 304).
    response["Cache-Control"] = "public, max-age=86400"
    response["Last-Modified"] = http_date(rec.updated_at.timestamp())
    return response
