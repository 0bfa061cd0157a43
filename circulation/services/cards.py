"""Library cards: issue, 挂失, 补办 and cancel."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from circulation import barcode_space
from circulation import exceptions as exc
from circulation.models import (
    LibraryCard,
    Reader,
)
from circulation.services.common import Action, _log, _now, _user

# --- cards -----------------------------------------------------------------------------------


def _lock_reader(reader: Reader) -> Reader:
    return Reader.objects.select_for_update().get(pk=reader.pk)


def card_issue(*, reader: Reader, by=None, now: datetime | None = None, number: str = "") -> LibraryCard:
    now = _now(now)
    with transaction.atomic():
        reader = _lock_reader(reader)
        if not reader.is_active:
            raise exc.CardError(_("读者已停用，不能办证。"))
        if reader.cards.filter(status=LibraryCard.Status.VALID).exists():
            raise exc.CardError(_("%(name)s 已有有效借书证。") % {"name": reader.name})
        number = barcode_space.card_number_for(reader, number)
        if LibraryCard.objects.filter(number=number).exists():
            raise exc.CardError(_("证号“%(n)s”已被使用。") % {"n": number})
        card = LibraryCard.objects.create(reader=reader, number=number, issued_at=now, issued_by=_user(by))
        _log(Action.CARD_ISSUED, at=now, by=_user(by), reader=reader, detail=number)
        return card


def _lock_card(card: LibraryCard) -> LibraryCard:
    return LibraryCard.objects.select_for_update(of=("self",)).select_related("reader").get(pk=card.pk)


def card_report_lost(*, card: LibraryCard, by=None, now: datetime | None = None) -> LibraryCard:
    """挂失: the card stops working at once."""
    now = _now(now)
    with transaction.atomic():
        _lock_reader(card.reader)
        card = _lock_card(card)
        if card.status != LibraryCard.Status.VALID:
            raise exc.CardError(_("只有有效的借书证才能挂失。"))
        card.status = LibraryCard.Status.LOST
        card.ended_at = now
        card.save(update_fields=["status", "ended_at"])
        _log(Action.CARD_LOST, at=now, by=_user(by), reader=card.reader, detail=card.number)
        return card


def card_reissue(*, card: LibraryCard, by=None, now: datetime | None = None) -> LibraryCard:
    """补办: the old card (lost or still valid) is replaced by a new number; history stays."""
    now = _now(now)
    with transaction.atomic():
        reader = _lock_reader(card.reader)
        card = _lock_card(card)
        if card.status not in (LibraryCard.Status.VALID, LibraryCard.Status.LOST):
            raise exc.CardError(_("该借书证已补办或注销，不能再补办。"))
        if card.status == LibraryCard.Status.VALID:
            card.ended_at = now
        card.status = LibraryCard.Status.REPLACED
        card.save(update_fields=["status", "ended_at"])
        new = LibraryCard.objects.create(
            reader=reader, number=barcode_space.new_card_number(reader), issued_at=now, issued_by=_user(by)
        )
        _log(Action.CARD_REPLACED, at=now, by=_user(by), reader=reader, detail=f"{card.number} → {new.number}")
        return new


def card_cancel(*, card: LibraryCard, by=None, now: datetime | None = None) -> LibraryCard:
    now = _now(now)
    with transaction.atomic():
        _lock_reader(card.reader)
        card = _lock_card(card)
        if card.status not in (LibraryCard.Status.VALID, LibraryCard.Status.LOST):
            raise exc.CardError(_("该借书证已停用。"))
        card.status = LibraryCard.Status.CANCELLED
        card.ended_at = card.ended_at or now
        card.save(update_fields=["status", "ended_at"])
        _log(Action.CARD_CANCELLED, at=now, by=_user(by), reader=card.reader, detail=card.number)
        return card
