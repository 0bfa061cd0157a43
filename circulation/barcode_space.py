"""Library card numbers and copy barcodes live in one space: the desk reads a scanned code as a
card first, so a card number must never equal a copy barcode (and the catalogue checks the
other direction through catalog.barcode_rules, filled in by CirculationConfig.ready()).
The database enforces both directions (migration 0006_barcode_not_card_number); these are
the friendly checks in front of it."""

from django.utils.translation import gettext as _

from catalog.models import Copy
from circulation import exceptions as exc
from circulation.models import LibraryCard, Reader


def card_numbers_among(codes: list[str]) -> set[str]:
    return set(LibraryCard.objects.filter(number__in=codes).values_list("number", flat=True))


def card_number_for(reader: Reader, number: str = "") -> str:
    """The number for a new card: the one the librarian typed, checked, or a generated one."""
    number = (number or "").strip()
    if not number:
        return new_card_number(reader)
    if Copy.objects.filter(barcode=number).exists():
        raise exc.CardError(
            _("证号“%(n)s”是一本书的登记号：流通台扫描时会把它当作借书证，这本书就借不出去了。请换一个证号。")
            % {"n": number}
        )
    return number


def new_card_number(reader: Reader) -> str:
    """D + the reader's id (D0000123), with -2, -3 … when that is a card number or a barcode."""
    base = f"D{reader.pk:07d}"
    candidate, n = base, 1
    while LibraryCard.objects.filter(number=candidate).exists() or Copy.objects.filter(barcode=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
