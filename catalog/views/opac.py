"""Public pages: the OPAC search, a record's page and the 新书通报 (no login needed)."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from catalog import hooks, selectors
from catalog.models import AcquisitionBatch, Copy, Location, ReaderLevel, Record


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def opac(request):
    q = request.GET.get("q", "")
    clc_base = request.GET.get("base", "")[:2]
    level = request.GET.get("level", "")
    if level not in ReaderLevel.values:
        level = ""
    location = _int(request.GET.get("loc"))
    available = request.GET.get("avail") == "1"
    result = selectors.opac_search(
        q, clc_base=clc_base, level=level, location=location, available=available, page=_int(request.GET.get("page"), 1)
    )
    params = request.GET.copy()
    params.pop("page", None)
    state = {"q": q, "base": clc_base, "level": level, "loc": location or "", "avail": "1" if available else ""}

    def link(**change) -> str:
        # A facet link toggles one filter and keeps the others (and the query).
        return "?" + urlencode({k: v for k, v in {**state, **change}.items() if v})

    facet_links = {}
    if result.searched:
        facet_links = {
            "available": link(avail="" if available else "1"),
            "clc_base": [
                (f"{code} {name[:12]}", n, link(base="" if code == clc_base else code), code == clc_base)
                for code, name, n in result.facets["clc_base"]
            ],
            "level": [
                (label, n, link(level="" if value == level else value), value == level)
                for value, label, n in result.facets["level"]
            ],
            "location": [
                (name, n, link(loc="" if pk == location else pk), pk == location)
                for pk, name, n in result.facets["location"]
            ],
            "clear": link(base="", level="", loc="", avail=""),
        }
    context = {
        "result": result,
        "q": q,
        "clc_base": clc_base,
        "level": level,
        "location": location,
        "available": available,
        "querystring": params.urlencode(),
        "facet_links": facet_links,
        "filters_active": bool(clc_base or level or location or available),
    }
    if not result.searched:
        context["latest_batch"] = (
            AcquisitionBatch.objects.filter(copies__isnull=False).order_by("-received_on", "-id").first()
        )
        context["sections"] = hooks.front_page(request)  # shelves of covers (reading app)
    return render(request, "catalog/opac.html", context)


def record(request, pk: int):
    rec = get_object_or_404(Record, pk=pk)
    copies = selectors.record_copies(rec)
    return render(
        request,
        "catalog/record.html",
        {
            "record": rec,
            "copies": copies,
            "available": sum(1 for c in copies if c.status == "on_shelf" and c.location.is_lendable),
            "sections": hooks.record_page(request, rec),  # also borrowed, same series (reading app)
        },
    )


def new_arrivals(request):
    """新书通报: records received in the latest acquisition batches, newest batch first."""
    batches = Paginator(
        AcquisitionBatch.objects.filter(copies__isnull=False).distinct().order_by("-received_on", "-id"), 3
    )
    page = batches.get_page(request.GET.get("page"))
    sections = []
    for batch in page.object_list:
        records = (
            Record.objects.filter(pk__in=Copy.objects.filter(batch=batch).values("record_id"))
            .order_by("clc_base", "title_normalized")
            .only("pk", "title", "volume", "authors", "publisher", "pub_year", "call_number", "clc_base")
        )
        sections.append((batch, list(records[:200])))
    return render(
        request,
        "catalog/new_arrivals.html",
        {"page": page, "sections": sections, "locations": Location.objects.filter(is_active=True)},
    )
