"""What the catalogue asks of the apps built on it, without importing them.

Circulation builds on the catalogue (a loan is of a Copy), so the catalogue must not import
circulation. Where the catalogue needs circulation's word (a copy came back on the shelf and may be
wanted by a reader in the holds queue; the due dates of lent copies on a record's page), it calls a
hook here, and circulation registers the handler in its AppConfig.ready().
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime

_copy_available: list[Callable] = []
_due_dates: list[Callable] = []


def on_copy_available(handler: Callable) -> Callable:
    """Register handler(copy=, by=, now=), called when a copy is back on the shelf outside the desk
    (e.g. from repair). The caller holds a transaction and the copy's row lock."""
    if handler not in _copy_available:
        _copy_available.append(handler)
    return handler


def copy_available(*, copy, by=None, now: datetime | None = None) -> None:
    for handler in _copy_available:
        handler(copy=copy, by=by, now=now)


def on_due_dates(handler: Callable) -> Callable:
    """Register handler(copy_ids) -> {copy_id: due date} for the copies that are lent."""
    if handler not in _due_dates:
        _due_dates.append(handler)
    return handler


def due_dates(copy_ids: Iterable[int]) -> dict[int, date]:
    ids = list(copy_ids)
    out: dict[int, date] = {}
    if ids:
        for handler in _due_dates:
            out.update(handler(ids))
    return out


_write_off_checks: list[Callable] = []


def on_write_off_check(handler: Callable) -> Callable:
    """Register handler(copy_ids) -> {copy_id: reason}: copies that must not be written off now
    (e.g. scanned in a stocktake that is still open)."""
    if handler not in _write_off_checks:
        _write_off_checks.append(handler)
    return handler


def write_off_blockers(copy_ids: Iterable[int]) -> dict[int, str]:
    ids = list(copy_ids)
    out: dict[int, str] = {}
    if ids:
        for handler in _write_off_checks:
            out.update(handler(ids))
    return out


_front_sections: list[Callable] = []
_record_sections: list[Callable] = []


def on_front_page(handler: Callable) -> Callable:
    """Register handler(request) -> HTML, shown under the OPAC's search box when nothing is searched
    (the reading app's shelves of covers)."""
    if handler not in _front_sections:
        _front_sections.append(handler)
    return handler


def front_page(request) -> list[str]:
    return [handler(request) for handler in _front_sections]


def on_record_page(handler: Callable) -> Callable:
    """Register handler(request, record) -> HTML, shown on a record's public page below its copies
    ("readers of this book also borrowed", the same series)."""
    if handler not in _record_sections:
        _record_sections.append(handler)
    return handler


def record_page(request, record) -> list[str]:
    return [handler(request, record) for handler in _record_sections]


_unknown_codes: list[Callable] = []


def on_unknown_code(handler: Callable) -> Callable:
    """Register handler(code) -> message or None: what another app can tell the desk about a
    scanned code that is neither a copy nor a card (a periodical's cover barcode). Called only on
    that error path, so a handler may query."""
    if handler not in _unknown_codes:
        _unknown_codes.append(handler)
    return handler


def unknown_code(code: str) -> str | None:
    for handler in _unknown_codes:
        message = handler(code)
        if message:
            return str(message)
    return None
