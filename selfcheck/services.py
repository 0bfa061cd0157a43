"""What a self-service machine may do, on the desk's own rules: find the patron by card, lend,
take back and renew through circulation's services (so every limit, hold and block applies and
each action is logged with the machine's name as the desk)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circulation import exceptions as exc
from circulation.models import Compensation, Hold, LibraryCard, Loan, Reader
from circulation.services import loan_checkout, loan_renew, loan_return, policy_for, reader_blocks, reader_state
from selfcheck.models import Kiosk


def kiosk_authenticate(*, name: str, password: str, now: datetime | None = None) -> Kiosk | None:
    """The active kiosk with this name and password, else None."""
    kiosk = Kiosk.objects.filter(name=name.strip(), is_active=True).first()
    if kiosk is None or not kiosk.check_password(password):
        return None
    Kiosk.objects.filter(pk=kiosk.pk).update(last_login_at=now or timezone.now())
    return kiosk


@dataclass
class Patron:
    """A reader found by the card they presented, and what they may do now."""

    reader: Reader | None
    card: LibraryCard | None
    pin_ok: bool | None  # None when no PIN was asked or given
    blocks: list[str]  # why they may not borrow now, in Chinese (empty: they may)
    may_borrow: int = 0
    card_lost: bool = False

    @property
    def valid(self) -> bool:
        return self.reader is not None and self.card is not None and self.card.status == LibraryCard.Status.VALID

    @property
    def identified(self) -> bool:
        """A valid card and, where the kiosk asks for one, the right PIN."""
        return self.valid and self.pin_ok is not False


def patron_find(*, card_number: str, pin: str | None, kiosk: Kiosk | None, today=None) -> Patron:
    """The patron behind a card number (AA), with their blocks; lost and cancelled cards refused."""
    today = today or timezone.localdate()
    number = (card_number or "").strip()
    card = LibraryCard.objects.filter(number=number).first() if number else None
    if card is None:
        return Patron(reader=None, card=None, pin_ok=None, blocks=[_("借书证号不存在")])
    reader = reader_state(card.reader_id, today)
    if card.status != LibraryCard.Status.VALID:
        why = {
            LibraryCard.Status.LOST: _("此借书证已挂失，不能使用"),
            LibraryCard.Status.REPLACED: _("此借书证已补办新证，旧证不能使用"),
            LibraryCard.Status.CANCELLED: _("此借书证已注销，不能使用"),
        }.get(card.status, _("借书证无效"))
        return Patron(
            reader=reader, card=card, pin_ok=None, blocks=[why], card_lost=card.status == LibraryCard.Status.LOST
        )
    pin_ok = _check_pin(reader, pin, kiosk)
    try:
        policy = policy_for(reader, today)
    except exc.NoPolicy as error:
        policy, blocks = None, [error.message]
    else:
        blocks = []
    blocks += reader_blocks(reader, policy)
    if pin_ok is False:
        blocks.insert(0, _("密码错误"))
    may_borrow = max(policy.max_items - reader.n_open, 0) if policy and not blocks else 0
    return Patron(reader=reader, card=card, pin_ok=pin_ok, blocks=blocks, may_borrow=may_borrow)


def _check_pin(reader: Reader, pin: str | None, kiosk: Kiosk | None) -> bool | None:
    """Where the kiosk asks for a PIN, a reader with a login account gives its password; pupils
    without an account need none (most schools do not give them one)."""
    if kiosk is None or kiosk.pin_policy == Kiosk.PinPolicy.NONE or reader.user_id is None:
        return None
    return bool(pin) and reader.user.check_password(pin)


def patron_details(patron: Patron, today=None) -> dict:
    """Open loans, overdue loans, holds ready and waiting, unpaid fees of an identified patron."""
    today = today or timezone.localdate()
    reader = patron.reader
    loans = list(
        Loan.objects.filter(reader=reader, returned_at__isnull=True)
        .select_related("copy__record")
        .order_by("due_date", "pk")
    )
    holds = list(
        Hold.objects.filter(reader=reader, status__in=[Hold.Status.WAITING, Hold.Status.READY])
        .select_related("record", "copy")
        .order_by("placed_at")
    )
    fees = list(Compensation.objects.filter(reader=reader, status=Compensation.Status.UNPAID).order_by("reported_at"))
    return {
        "loans": loans,
        "overdue": [loan for loan in loans if loan.due_date < today],
        "ready": [h for h in holds if h.status == Hold.Status.READY],
        "waiting": [h for h in holds if h.status == Hold.Status.WAITING],
        "fees": fees,
        "fee_total": sum((f.amount for f in fees), start=0),
    }


def kiosk_checkout(*, patron: Patron, barcode: str, desk: str, by=None, now: datetime | None = None) -> Loan:
    """Lend a copy at a kiosk. A loan the desk would ask the librarian to confirm (the same title
    already on loan, a book above the pupil's level, a reference copy) is refused here: nobody at
    the machine can confirm it."""
    if not patron.identified:
        raise exc.CardProblem(_("；").join(patron.blocks) or _("借书证无效"))
    try:
        return loan_checkout(reader=patron.reader.pk, copy_barcode=barcode, by=by, now=now, desk=desk)
    except exc.NeedsConfirmation as warning:
        raise exc.CopyNotAvailable(
            _("%(why)s，请到服务台找图书管理员办理。") % {"why": _("；").join(warning.warnings)}
        ) from None


def kiosk_return(*, barcode: str, desk: str, by=None, now: datetime | None = None):
    return loan_return(copy_barcode=barcode, by=by, now=now, desk=desk)


def return_message(result) -> str:
    """What the pupil reads after a return: overdue days, the fine, and where a reserved book goes.
    The name of the reader who reserved it is not shown (the next pupil in line may be reading)."""
    parts = [_("《%(title)s》已归还。") % {"title": result.loan.copy.record.title}]
    if result.overdue_days:
        parts.append(_("逾期 %(n)s 天。") % {"n": result.overdue_days})
    if result.fine is not None:
        parts.append(_("逾期费 ¥%(amount)s，请到服务台处理。") % {"amount": result.fine.amount})
    if result.hold is not None:
        parts.append(_("此书已有读者预约，请放到预约书架（交给图书管理员）。"))
    return "".join(parts)


def kiosk_renew(*, patron: Patron, barcode: str, desk: str, by=None, now: datetime | None = None) -> Loan:
    if not patron.identified:
        raise exc.CardProblem(_("；").join(patron.blocks) or _("借书证无效"))
    loan = (
        Loan.objects.filter(reader=patron.reader, copy__barcode=(barcode or "").strip(), returned_at__isnull=True)
        .only("pk")
        .first()
    )
    if loan is None:
        raise exc.RenewalRefused(_("条码“%(code)s”不是该读者借的书。") % {"code": barcode})
    return loan_renew(loan=loan, by=by, now=now, desk=desk)


def kiosk_renew_all(*, patron: Patron, desk: str, by=None, now: datetime | None = None):
    """Renew every open loan; returns (renewed barcodes, [(barcode, why)] refused)."""
    if not patron.identified:
        raise exc.CardProblem(_("；").join(patron.blocks) or _("借书证无效"))
    renewed, refused = [], []
    for loan in Loan.objects.filter(reader=patron.reader, returned_at__isnull=True).select_related("copy"):
        try:
            with transaction.atomic():
                loan_renew(loan=loan, by=by, now=now, desk=desk)
            renewed.append(loan.copy.barcode)
        except exc.CirculationError as error:
            refused.append((loan.copy.barcode, error.message))
    return renewed, refused


def kiosk_save(*, form) -> Kiosk:
    """Save a valid KioskForm; a new password (if typed) is stored hashed with Django's hashers."""
    kiosk = form.save(commit=False)
    if form.cleaned_data.get("new_password"):
        kiosk.set_password(form.cleaned_data["new_password"])
    kiosk.save()
    return kiosk
