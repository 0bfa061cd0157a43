from decimal import Decimal

from django import template
from django.utils.html import format_html

from circulation.naming import labelled
from reports.formulas import FORMULAS

register = template.Library()


@register.filter
def pct(value, places: int = 1):
    """A share kept as a fraction (0.86) shown as a percentage (86.0%); — when undefined."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.{int(places)}f}%"


@register.filter
def num(value, places: int = 2):
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):.{int(places)}f}"


@register.filter
def dash(value):
    return "—" if value is None or value == "" else value


@register.simple_tag
def formula_text(key: str) -> str:
    name, text = FORMULAS[key]
    return labelled(name, text)


@register.simple_tag
def info(key: str):
    """A small ⓘ with the formula as tooltip (also printed as a footnote at the bottom of the page)."""
    name, text = FORMULAS[key]
    label = labelled(name, text)
    return format_html(
        '<i class="bi bi-info-circle text-muted small" tabindex="0" data-bs-toggle="tooltip" title="{}" '
        'aria-label="{}" data-formula="{}"></i>',
        label,
        label,
        key,
    )


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()
