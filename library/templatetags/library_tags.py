"""Small template helpers shared by the apps."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def dot_join(*parts):
    """The non-empty parts joined by " · " (a record without an author does not start with "·")."""
    shown = [conditional_escape(p) for p in parts if p not in (None, "")]
    return mark_safe(" · ".join(str(p) for p in shown))
