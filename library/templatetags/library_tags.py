"""Small template helpers shared by the apps."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from library import nav

register = template.Library()


@register.simple_tag
def menu_items(slot: str):
    """{% menu_items "catalog" as items %}{% for t in items %}{% include t %}{% endfor %}: the
    fragments other apps added to this menu (library/nav.py)."""
    return nav.menu_items(slot)


@register.simple_tag
def dot_join(*parts):
    """The non-empty parts joined by " · " (a record without an author does not start with "·")."""
    shown = [conditional_escape(p) for p in parts if p not in (None, "")]
    return mark_safe(" · ".join(str(p) for p in shown))


# Punctuation written between translated pieces of a template: the active language's own
# (full-width in Chinese; in English ", " etc.). Keys are the Chinese marks, values their msgids.
_PUNCTUATION = {
    "：": N_("："),
    "，": N_("，"),
    "；": N_("；"),
    "（": N_("（"),
    "）": N_("）"),
    "、": N_("、"),
    "。": N_("。"),
    "《": N_("《"),
    "》": N_("》"),
    "\u3000": N_("\u3000"),  # the full-width space between a class and a name
}


@register.simple_tag
def p(mark: str) -> str:
    """{% p "，" %}: the mark in the active language."""
    return _(_PUNCTUATION[mark]) if mark in _PUNCTUATION else mark
