"""Titles lent by rules of their own (current periodical issues): the app that owns such a title
sets its rule here; the desk reads it with the copy (services.common._lock_copy)."""

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Copy, Record
from circulation import exceptions as exc
from circulation.models import TitleLoanRule


def title_loan_rule_set(
    *, record: Record, lendable: bool, loan_days: int, counts_toward_limit: bool, name: str = "期刊"
) -> TitleLoanRule:
    """Create or change the rule of a title; open loans keep their due dates and counting."""
    if not 1 <= loan_days <= 365:
        raise exc.CirculationError(_("借期应在 1 到 365 天之间。"))
    with transaction.atomic():
        rule, _created = TitleLoanRule.objects.update_or_create(
            record=record,
            defaults={
                "lendable": lendable,
                "loan_days": loan_days,
                "counts_toward_limit": counts_toward_limit,
                "name": name[:20],
            },
        )
    return rule


def title_loan_rule_of(copy: Copy) -> TitleLoanRule | None:
    """The rule of a copy's title, or None (the reader's LoanPolicy applies). No query for a copy
    read by _lock_copy (it joins the rule)."""
    try:
        return copy.record.loan_rule
    except TitleLoanRule.DoesNotExist:
        return None


def exempt_from_limit(copy_barcode: str) -> bool:
    """Whether the copy with this barcode does not count toward the reader's limit (asked only for
    a reader at the limit, so it costs the desk nothing otherwise)."""
    return Copy.objects.filter(
        barcode=(copy_barcode or "").strip(), record__loan_rule__counts_toward_limit=False
    ).exists()
