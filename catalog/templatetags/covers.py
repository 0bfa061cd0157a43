"""{% cover record %}: a record's cover image (uploaded, or generated where there is none)."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def cover_url(record) -> str:
    # The version makes a changed cover a new URL, so browsers may keep the old one for a day.
    version = int(record.updated_at.timestamp()) if getattr(record, "updated_at", None) else 0
    return f"{reverse('catalog:record_cover', args=[record.pk])}?v={version}"


@register.inclusion_tag("catalog/_cover.html")
def cover(record, css_class: str = "book-cover", lazy: bool = True):
    return {"record": record, "url": cover_url(record), "css_class": css_class, "lazy": lazy}
