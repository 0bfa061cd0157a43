"""Public pages: the front page's shelves and a record page's extras (through catalog.hooks),
the rankings, a list and its poster. Books only, never pupils."""

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from circulation.naming import grade_name
from library.params import int_param, text_param
from reading import selectors, services
from reading.models import (
    RankingState,
    ReadingList,
    Stage,
)

SHELF_CACHE_SECONDS = 300
RECORD_CACHE_SECONDS = 3600


def _grade_links() -> list[tuple[str, str, int]]:
    return [(grade_name(stage, grade), stage, grade) for stage, grade in selectors.ranked_grades()]


def front_shelves(request) -> str:
    """The front page's shelves of covers; the same for everyone, so cached for a few minutes
    (and forgotten when a list or the rankings change, reading.services.shelves_changed)."""
    key = services.shelf_cache_key(get_language())
    html = cache.get(key)
    if html is None:
        grade_list = selectors.featured_list(ReadingList.Kind.GRADE)
        theme_list = selectors.featured_list(ReadingList.Kind.THEME)
        context = {
            "new_arrivals": selectors.new_arrivals(),
            "popular": selectors.popular(),
            "grades": _grade_links(),
            "state": RankingState.objects.order_by("pk").first(),
            "grade_list": grade_list,
            "grade_items": list(selectors.list_items(grade_list, held_only=True)[:24]) if grade_list else [],
            "theme_list": theme_list,
            "theme_items": list(selectors.list_items(theme_list, held_only=True)[:24]) if theme_list else [],
        }
        context["popular_records"] = [p.record for p in context["popular"]]
        context["grade_records"] = [i.record for i in context["grade_items"]]
        context["theme_records"] = [i.record for i in context["theme_items"]]
        html = render_to_string("reading/_shelves.html", context)
        cache.set(key, html, SHELF_CACHE_SECONDS)
    return mark_safe(html)  # rendered by our template, which escapes every value


def record_sections(request, record) -> str:
    """The record page's shelves; cached per record for an hour (loans change them slowly)."""
    key = f"reading:record:{record.pk}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "reading/_record_sections.html",
            {"also": selectors.also_borrowed(record), "series": selectors.same_series(record), "record": record},
        )
        cache.set(key, html, RECORD_CACHE_SECONDS)
    return mark_safe(html)  # rendered by our template, which escapes every value


def _query(request, limit: int) -> str:
    """A search box's text: no NUL or other control characters (PostgreSQL refuses NUL)."""
    text = request.GET.get("q", "")[:limit]
    return "".join(ch for ch in text if ch.isprintable()).strip()


def _grade_param(request) -> tuple[str, int | None]:
    """The grade asked for (?stage=primary&grade=3: a known stage, a grade 1 to 12 in ASCII digits),
    else ("", None) for the whole school; a grade asked for that is none is said on the page."""
    stage = text_param(request.GET, "stage", max_length=20)
    grade = int_param(request.GET, "grade", min_value=1, max_value=12)
    if stage in Stage.values and grade is not None:
        return stage, grade
    if stage or text_param(request.GET, "grade", max_length=20):
        messages.warning(request, _("没有这个年级的借阅排行，下面是全校的。"))
    return "", None


def popular(request):
    """本学期借阅排行 of the school or of one grade (books only, never pupils)."""
    stage, grade = _grade_param(request)
    return render(
        request,
        "reading/popular.html",
        {
            "ranking": selectors.popular(stage=stage, grade=grade),
            "grade_label": grade_name(stage, grade) if stage else "",
            "grades": _grade_links(),
            "stage": stage,
            "grade": grade,
            "state": RankingState.objects.order_by("pk").first(),
        },
    )


def list_public(request, pk: int):
    reading_list = get_object_or_404(ReadingList, pk=pk)
    return render(
        request,
        "reading/list_public.html",
        {
            "list": reading_list,
            "items": list(selectors.list_items(reading_list)),
            "grade_label": _list_grade(reading_list),
        },
    )


def list_poster(request, pk: int):
    """A one-page poster of a list, to print and put up in the classroom."""
    reading_list = get_object_or_404(ReadingList, pk=pk)
    return render(
        request,
        "reading/list_poster.html",
        {
            "list": reading_list,
            "items": list(selectors.list_items(reading_list)),
            "grade_label": _list_grade(reading_list),
        },
    )


def _list_grade(reading_list: ReadingList) -> str:
    if reading_list.stage and reading_list.grade:
        return grade_name(reading_list.stage, reading_list.grade)
    return reading_list.get_stage_display() if reading_list.stage else ""
