"""扫描编目 (scan to shelf): scan an ISBN, the form fills from the sources, confirm; the session's
new copies are listed and their labels print in one batch.

- GET  catalog:scan            the page; with ?code= the lookup (htmx swaps only the result in)
- POST catalog:scan_create     a new record and its copies (the filled form)
- POST catalog:scan_copies     added copies of a record the school already has
- POST catalog:scan_clear      start a new list
"""

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import clc, services
from catalog.exceptions import CatalogError, IsbnShared
from catalog.forms import IsbnSharedForm, NewCopiesForm, RecordForm
from catalog.models import LANGUAGES, Copy, Record
from catalog.sources import lookup as source_lookup
from catalog.views.labels import MAX_LABELS
from catalog.views.records import add_copies, catalogue_required, copies_form_error, create_record
from library import uploadhandlers
from library.params import id_param, text_param

SESSION_COPIES = "scan_copies"  # the pks of the copies made on this page in this login session
SESSION_DEFAULTS = "scan_defaults"  # the last number of copies, location, source and batch used
LANGUAGE_SYNONYMS = {"zho": "chi", "fra": "fre", "deu": "ger", "bod": "tib"}
FIELD_LABELS = {
    "title": _("正题名"),
    "other_title": _("其他题名"),
    "volume": _("分册/卷次"),
    "authors": _("著者"),
    "responsibility": _("责任说明"),
    "edition": _("版本"),
    "publisher": _("出版者"),
    "pub_place": _("出版地"),
    "pub_year": _("出版年"),
    "pages": _("页数"),
    "series": _("丛编"),
    "clc": _("中图法分类号"),
    "price": _("定价"),
    "language": _("语种"),
}


def _initial_from(fields: dict, isbn: str, unified: str) -> dict:
    """A candidate's fields as the form's initial values; what cannot be read is left empty."""
    initial = {name: str(fields.get(name) or "").strip() for name in services.RECORD_FIELDS}
    initial["isbn"] = isbn or initial.get("isbn", "")
    initial["unified_number"] = unified or services.unified_number_normalize(initial.get("unified_number", ""))
    year = re.search(r"\d{4}", initial.get("pub_year", ""))
    initial["pub_year"] = year.group() if year else ""
    try:
        price = Decimal(re.sub(r"[^\d.]", "", initial.get("price", "")) or "x")
        initial["price"] = str(price.quantize(Decimal("0.01"))) if 0 <= price < Decimal("10000000") else ""
    except InvalidOperation:
        initial["price"] = ""
    initial["clc"] = clc.clean_code(re.split(r"[;；]", initial.get("clc", ""))[0])
    language = initial.get("language", "").lower()[:3]
    language = LANGUAGE_SYNONYMS.get(language, language)  # ISO 639-2/T codes some records carry
    initial["language"] = language if language in {code for code, _label in LANGUAGES} else "chi"
    initial["book_number"] = ""  # the 种次号 is this school's: assigned on saving
    return {k: v for k, v in initial.items() if v != ""}


def _copies_form(request, data=None) -> NewCopiesForm:
    form = NewCopiesForm(data, prefix="c")
    defaults = request.session.get(SESSION_DEFAULTS) or {}
    if data is None:
        for name in ("copies", "location", "source", "batch"):
            if defaults.get(name) is not None:
                form.fields[name].initial = defaults[name]
    return form


def _remember(request, copies_form: NewCopiesForm, new_copies: list[Copy]) -> None:
    data = copies_form.cleaned_data
    request.session[SESSION_DEFAULTS] = {
        "copies": data.get("copies"),
        "location": data["location"].pk if data.get("location") else None,
        "source": data.get("source"),
        "batch": data["batch"].pk if data.get("batch") else None,
    }
    ids = list(request.session.get(SESSION_COPIES) or []) + [c.pk for c in new_copies]
    request.session[SESSION_COPIES] = ids[-MAX_LABELS:]


def _session_copies(request) -> list[Copy]:
    ids = [pk for pk in request.session.get(SESSION_COPIES) or [] if isinstance(pk, int)]
    if not ids:
        return []
    found = {c.pk: c for c in Copy.objects.filter(pk__in=ids, withdrawn_on__isnull=True).select_related("record")}
    return [found[pk] for pk in reversed(ids) if pk in found]


def _result_context(request, code: str, *, z3950: bool) -> dict:
    found = source_lookup.lookup_isbn(code, z3950=z3950)
    context = {"lookup": found, "code": found.query}
    if found.problem:
        return context
    if found.local:
        records = Record.objects.filter(pk__in=[c.record_id for c in found.local]).order_by("pk")
        context["existing"] = list(records.only("pk", "title", "volume", "authors", "publisher", "call_number"))
        context["copies_form"] = _copies_form(request)
        return context
    chosen = found.filled_from
    initial = _initial_from(chosen.fields if chosen else {}, found.isbn, found.unified_number)
    context["form"] = _record_form(initial=initial, filled=chosen is not None)
    context["copies_form"] = _copies_form(request)
    context["sources"] = found.candidates
    context["differences"] = [
        {"name": d.name, "label": FIELD_LABELS.get(d.name, d.name), "cells": _cells(d.values, len(found.candidates))}
        for d in found.differences
    ]
    return context


def _cells(values: list[tuple[int, str]], count: int) -> list[str]:
    by_index = dict(values)
    return [by_index.get(i, "") for i in range(count)]


def _record_form(*, filled: bool, **kwargs) -> RecordForm:
    """The cataloguing form for this page: the cursor goes to 题名 when nothing was found (the
    librarian types), else to the confirm button (the librarian checks and presses Enter)."""
    form = RecordForm(**kwargs)
    form.fields["isbn"].widget.attrs.pop("autofocus", None)
    if not filled:
        form.fields["title"].widget.attrs["autofocus"] = True
    return form


def _page(request, extra: dict, status: int = 200):
    copies = _session_copies(request)
    context = {"session_copies": copies, "session_titles": len({c.record_id for c in copies}), **extra}
    return render(request, "catalog/scan.html", context, status=status)


@login_required
@catalogue_required
def scan(request):
    code = text_param(request.GET, "code", max_length=40)
    if "code" not in request.GET:
        return _page(request, {})
    context = _result_context(request, code, z3950=request.GET.get("z3950") == "1")
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_scan_result.html", context)
    return _page(request, context)


@login_required
@catalogue_required
@require_POST
def scan_create(request):
    form = _record_form(
        data=request.POST,
        files=request.FILES or None,
        upload_too_large=uploadhandlers.too_large(request),
        filled=True,
    )
    copies_form = _copies_form(request, request.POST)
    shared_form = IsbnSharedForm(request.POST)
    if form.is_valid() and copies_form.is_valid() and shared_form.is_valid():
        try:
            record = create_record(request, form, copies_form, shared_form.cleaned_data["isbn_shared_reason"])
        except IsbnShared as exc:
            return _page(
                request,
                {"form": form, "copies_form": copies_form, "shared_form": shared_form, "isbn_matches": exc.duplicates},
            )
        except CatalogError as exc:
            messages.error(request, str(exc))
        else:
            new = list(record.copies.order_by("barcode"))
            _remember(request, copies_form, new)
            messages.success(
                request,
                _("已编目《%(title)s》，索书号 %(call)s，%(n)s 册：%(first)s – %(last)s。")
                % {
                    "title": record.title,
                    "call": record.call_number,
                    "n": len(new),
                    "first": new[0].barcode,
                    "last": new[-1].barcode,
                },
            )
            return redirect("catalog:scan")
    return _page(request, {"form": form, "copies_form": copies_form, "shared_form": shared_form})


@login_required
@catalogue_required
@require_POST
def scan_copies(request):
    """本馆已有此书: added copies with fresh barcodes (one Enter on the page)."""
    record = Record.objects.filter(pk=id_param(request.POST, "record")).first()
    copies_form = _copies_form(request, request.POST)
    if record is None:
        messages.error(request, _("请选择要添加复本的书目。"))
    elif not copies_form.is_valid():
        messages.error(request, copies_form_error(copies_form))
    else:
        try:
            new = add_copies(request, record, copies_form)
        except CatalogError as exc:
            messages.error(request, str(exc))
        else:
            _remember(request, copies_form, new)
            messages.success(
                request,
                _("已给《%(title)s》添加 %(n)s 册复本（%(call)s）：%(first)s – %(last)s。")
                % {
                    "title": record.title,
                    "n": len(new),
                    "call": record.call_number,
                    "first": new[0].barcode,
                    "last": new[-1].barcode,
                },
            )
    return redirect("catalog:scan")


@login_required
@catalogue_required
@require_POST
def scan_clear(request):
    request.session.pop(SESSION_COPIES, None)
    messages.success(request, _("本次编目列表已清空（图书和登记号都还在）。"))
    return redirect("catalog:scan")
