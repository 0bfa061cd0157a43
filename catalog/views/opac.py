"""Public pages: the OPAC search, a record's page and the 新书通报 (no login needed)."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from catalog import excel, hooks, selectors
from catalog.models import AcquisitionBatch, Copy, ReaderLevel, Record
from library import xlsx
from library.params import id_param, page_param, parse_int, text_param


def _int(value, default=None):
    return parse_int(value) if parse_int(value) is not None else default


def opac(request):
    q = text_param(request.GET, "q")
    clc_base = text_param(request.GET, "base", max_length=2)
    level = request.GET.get("level", "")
    if level not in ReaderLevel.values:
        level = ""
    location = id_param(request.GET, "loc")
    available = request.GET.get("avail") == "1"
    result = selectors.opac_search(
        q, clc_base=clc_base, level=level, location=location, available=available, page=page_param(request.GET)
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
                (f"{code} {name}", n, link(base="" if code == clc_base else code), code == clc_base)
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
        context["latest_batch"] = _batches_with_copies().order_by("-received_on", "-id").first()
        context["sections"] = hooks.front_page(request)  # shelves of covers (reading app)
    return render(request, "catalog/opac.html", context)


def record(request, pk: int):
    rec = get_object_or_404(selectors.with_clc_name(Record.objects.all()), pk=pk)
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


ARRIVAL_BATCHES_PER_PAGE = 3
# A chosen period or set of batches is listed whole on one page (a term brings a few batches).
ARRIVAL_BATCHES_MAX = 40


def _date(value):
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


@dataclass
class ArrivalChoice:
    """What the 新书通报 covers: chosen batches, a period of 验收日期, or (neither) the latest ones."""

    batch_ids: list
    date_from: date | None
    date_to: date | None

    @classmethod
    def from_request(cls, request) -> "ArrivalChoice":
        ids = []
        for raw in request.GET.getlist("batch")[:ARRIVAL_BATCHES_MAX]:
            value = _int(raw)
            if value is not None and 0 < value < 2**31:
                ids.append(value)
        return cls(ids, _date(request.GET.get("from")), _date(request.GET.get("to")))

    @property
    def chosen(self) -> bool:
        return bool(self.batch_ids or self.date_from or self.date_to)

    def batches(self):
        qs = _batches_with_copies().order_by("-received_on", "-id")
        if self.batch_ids:
            qs = qs.filter(pk__in=self.batch_ids)
        if self.date_from:
            qs = qs.filter(received_on__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(received_on__lte=self.date_to)
        return qs

    def querystring(self) -> str:
        params = [("batch", pk) for pk in self.batch_ids]
        params += [(k, v.isoformat()) for k, v in (("from", self.date_from), ("to", self.date_to)) if v]
        return urlencode(params)


def _arrival_sections(request):
    choice = ArrivalChoice.from_request(request)
    if choice.chosen:
        page = None
        batches = list(choice.batches()[:ARRIVAL_BATCHES_MAX])
    else:
        page = Paginator(choice.batches(), ARRIVAL_BATCHES_PER_PAGE).get_page(page_param(request.GET))
        batches = list(page.object_list)
    return choice, page, selectors.new_arrival_sections(batches)


def new_arrivals(request):
    """新书通报: every title of the latest acquisition batches (or of the chosen batches or period),
    grouped by class, newest batch first."""
    choice, page, sections = _arrival_sections(request)
    return render(
        request,
        "catalog/new_arrivals.html",
        {
            "page": page,
            "sections": sections,
            "choice": choice,
            "querystring": choice.querystring(),
            "recent_batches": _batches_with_copies().order_by("-received_on", "-id")[:12],
        },
    )


def new_arrivals_print(request):
    """The 新书通报 as a poster for the notice board: the same choice, no controls."""
    choice, page, sections = _arrival_sections(request)
    return render(
        request,
        "catalog/new_arrivals_print.html",
        {"sections": sections, "choice": choice, "titles": sum(s.titles for s in sections)},
    )


def new_arrivals_export(request):
    """The 新书通报 as an Excel workbook (through library.xlsx, like every export)."""
    choice, page, sections = _arrival_sections(request)
    response = HttpResponse(excel.new_arrivals_bytes(sections), content_type=xlsx.XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="new-books-{stamp}.xlsx"'
    return response


def _batches_with_copies():
    """Acquisition batches holding at least one copy: a semi-join on the copies' batch index (a join
    over every copy with DISTINCT took 30 ms on the front page of a 100,000-copy library)."""
    return AcquisitionBatch.objects.filter(Exists(Copy.objects.filter(batch=OuterRef("pk"))))
