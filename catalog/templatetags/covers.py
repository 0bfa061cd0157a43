"""{% cover record %}: a record's cover image (uploaded, or generated where there is none), and
{% record_url pk %}: a record's public page. Shelves show dozens of covers, so both build the URL
from one reverse() per script prefix instead of one per cover."""

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_PLACEHOLDER = "987654321"
_bases: dict[tuple[str, str], str] = {}


def _url(name: str, pk) -> str:
    key = (name, get_script_prefix())
    base = _bases.get(key)
    if base is None:
        base = _bases[key] = reverse(name, args=[int(_PLACEHOLDER)])
    return base.replace(_PLACEHOLDER, str(int(pk)))


@register.simple_tag
def record_url(pk) -> str:
    return _url("catalog:record", pk)


@register.simple_tag
def cover_url(record) -> str:
    # The version makes a changed cover a new URL, so browsers may keep the old one for a day.
    version = int(record.updated_at.timestamp()) if getattr(record, "updated_at", None) else 0
    return f"{_url('catalog:record_cover', record.pk)}?v={version}"


@register.simple_tag
def cover(record, css_class: str = "book-cover", lazy: bool = True):
    return format_html(
        '<img src="{}" class="{}" alt="{}" width="200" height="280"{} decoding="async" data-testid="cover">',
        cover_url(record),
        css_class,
        record.title,
        mark_safe(' loading="lazy"') if lazy else "",
    )
