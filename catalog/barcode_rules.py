"""Codes that a copy barcode must not take because another app uses them (library card numbers).

The circulation desk reads a scanned code as a library card before it looks for a copy, so a
copy whose barcode equals a card number could never be lent. The catalogue does not import
circulation: circulation registers its check here in its AppConfig.ready(), and the database
refuses a clash as the last line of defence (a trigger raising a unique violation named
BARCODE_CLASH_CONSTRAINT, see circulation's migration 0006).
"""

from collections.abc import Callable, Iterable

from django.db import IntegrityError

BARCODE_CLASH_CONSTRAINT = "circulation_barcode_not_card_number"

_checks: list[Callable[[list[str]], set[str]]] = []


def register(check: Callable[[list[str]], set[str]]) -> None:
    """`check(codes)` returns the codes among `codes` that are taken elsewhere."""
    if check not in _checks:
        _checks.append(check)


def taken_elsewhere(codes: Iterable[str]) -> set[str]:
    codes = [c for c in dict.fromkeys(codes) if c]
    if not codes:
        return set()
    taken: set[str] = set()
    for check in _checks:
        taken |= check(codes)
    return taken


def is_clash(error: IntegrityError) -> bool:
    """Was this database error the barcode/card-number trigger?"""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == BARCODE_CLASH_CONSTRAINT
