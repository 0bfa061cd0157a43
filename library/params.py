"""Reading numbers, ids, dates, money and text from request parameters, one way for every view.

Whatever a browser, a scanner or an attacker sends, these helpers give a view either a value it
can hand to the database or a clear answer, never a server error:

- numbers are ASCII digits only (`str.isdigit()` accepts '²' and '١'; `int('²')` then fails) and
  bounded (a page or id past 64 bits overflows PostgreSQL's bigint);
- text loses the characters PostgreSQL rejects (NUL) and lone surrogates, and is bounded in length;
- money is a finite decimal that fits its column (no NaN, no Infinity, no 1E+999).

Lenient readers (`int_param`, `id_param`, `page_param`, `date_param`, `text_param`) return the
default for a missing or malformed value: right for filters, pages and searches. Strict readers
(`parse_decimal`, `parse_text`) raise `BadParameter` with a Chinese message to show the user: right
for values that are written to the database.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# PostgreSQL's bigint (and Django's BigAutoField): ids and counts beyond it can only be wrong.
BIGINT_MAX = 2**63 - 1
# A page number far past the last page is shown as the last page; past this it is not a page.
PAGE_MAX = 1_000_000
# Characters a UTF-8 PostgreSQL database refuses (NUL) and lone surrogates (not encodable).
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


class BadParameter(ValueError):
    """A request value that cannot be used; the message (Chinese) is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def has_forbidden_chars(value: str) -> bool:
    return bool(FORBIDDEN.search(value))


def clean_text(value: str, max_length: int | None = None) -> str:
    """The value without NUL and lone surrogates, trimmed, cut to `max_length` characters."""
    value = FORBIDDEN.sub("", value or "").strip()
    return value[:max_length] if max_length is not None else value


def text_param(params, name: str, default: str = "", *, max_length: int = 200) -> str:
    """A search term, code or choice: cleaned (see clean_text) and bounded; never raises."""
    raw = params.get(name)
    if not isinstance(raw, str):
        return default
    return clean_text(raw, max_length)


def parse_text(raw: str | None, *, max_length: int, label: str) -> str:
    """Text to be stored: trimmed; refused (BadParameter) if it holds NUL or is too long."""
    value = (raw or "").strip()
    if has_forbidden_chars(value):
        raise BadParameter(_("“%(label)s”含有无法保存的字符（如空字符），请重新输入。") % {"label": label})
    if len(value) > max_length:
        raise BadParameter(_("“%(label)s”最多 %(n)s 个字。") % {"label": label, "n": max_length})
    return value


def parse_code(raw, *, max_length: int = 100) -> str:
    """A scanned or typed code (card number, barcode, 学号): trimmed; refused (BadParameter) if it
    holds characters no code has or is longer than any code. Not stripped: a cleaned-up code could
    match a real barcode and lend or return a book nobody scanned."""
    value = (raw or "").strip() if isinstance(raw, str) else ""
    if has_forbidden_chars(value) or len(value) > max_length:
        raise BadParameter(
            _("无法识别“%(code)s”：其中有条码不会含有的字符，或者太长。请重新扫描。") % {"code": clean_text(value, 40)}
        )
    return value


def parse_int(raw, *, min_value: int | None = None, max_value: int = BIGINT_MAX) -> int | None:
    """ASCII digits within the bounds → int; anything else (signs, '²', 20 digits) → None."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    if (min_value is not None and value < min_value) or value > max_value:
        return None
    return value


def int_param(params, name: str, default=None, *, min_value: int | None = 0, max_value: int = BIGINT_MAX):
    value = parse_int(params.get(name), min_value=min_value, max_value=max_value)
    return default if value is None else value


def id_param(params, name: str) -> int | None:
    """A primary key: 1 … 2⁶³−1, else None."""
    return parse_int(params.get(name), min_value=1)


def id_list(values) -> list[int]:
    """The valid ids among several values (e.g. request.GET.getlist("copy")), at most 10,000."""
    ids = (parse_int(v, min_value=1) for v in list(values)[:10_000])
    return [pk for pk in ids if pk is not None]


def page_param(params, name: str = "page") -> int:
    """A page number: 1 … PAGE_MAX, else 1 (a Paginator shows the last page for a number past it)."""
    return int_param(params, name, 1, min_value=1, max_value=PAGE_MAX)


def parse_date(raw) -> date | None:
    """An ISO date (2025-09-01) → date; anything else → None."""
    if not isinstance(raw, str) or not ISO_DATE.fullmatch(raw.strip()):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def date_param(params, name: str, default=None):
    value = parse_date(params.get(name))
    return default if value is None else value


def parse_decimal(
    raw, *, max_digits: int, decimal_places: int, min_value: Decimal | None = Decimal("0"), label: str
) -> Decimal | None:
    """Money typed by a user → a finite Decimal that fits a DecimalField(max_digits, decimal_places);
    empty → None; anything else raises BadParameter with a message naming the field."""
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not text:
        return None
    if len(text) > 40 or has_forbidden_chars(text):
        raise BadParameter(_("“%(label)s”不是有效的数字。") % {"label": label})
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise BadParameter(_("“%(label)s”不是有效的数字。") % {"label": label})
    quantum = Decimal(1).scaleb(-decimal_places)
    if value.as_tuple().exponent < -decimal_places:
        raise BadParameter(_("“%(label)s”最多 %(n)s 位小数。") % {"label": label, "n": decimal_places})
    limit = Decimal(10) ** (max_digits - decimal_places)
    if abs(value) >= limit:
        raise BadParameter(_("“%(label)s”太大了。") % {"label": label})
    if min_value is not None and value < min_value:
        raise BadParameter(_("“%(label)s”不能小于 %(min)s。") % {"label": label, "min": min_value})
    return value.quantize(quantum)


def decimal_for_field(raw, field, *, label: str | None = None) -> Decimal | None:
    """parse_decimal with the limits of a model DecimalField (e.g. Compensation._meta.get_field(...))."""
    return parse_decimal(
        raw,
        max_digits=field.max_digits,
        decimal_places=field.decimal_places,
        label=label or str(field.verbose_name),
    )


def text_for_field(raw, field, *, label: str | None = None) -> str:
    """parse_text with the max_length of a model CharField."""
    return parse_text(raw, max_length=field.max_length, label=label or str(field.verbose_name))
