"""One SIP2 connection's conversation: a request Message in, a response Message out.

The transport (selfcheck/sip2_server.py) owns the socket; this owns the protocol's state (the
kiosk logged in, the last response for a 97 resend) and maps each message onto selfcheck.services.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from catalog.models import Copy, CopyStatus
from circulation import exceptions as exc
from circulation.models import Hold, Loan
from selfcheck import services
from selfcheck.models import Kiosk
from selfcheck.sip2 import RESPONSE_TO, Message, sip_datetime

log = logging.getLogger("selfcheck.sip2")

# BX: the messages this server supports, in the order of the 3M specification: patron status,
# checkout, checkin, block patron, SC/ACS status, resend, login, patron information, end patron
# session, fee paid, item information, item status update, patron enable, hold, renew, renew all.
SUPPORTED = "YYYNYYYYYNYNNNYY"

# 18 (item information): our copy statuses as SIP2 circulation status codes.
CIRCULATION_STATUS = {
    CopyStatus.ON_SHELF: "03",  # available
    CopyStatus.ON_LOAN: "04",  # charged
    CopyStatus.ON_HOLD: "08",  # waiting on hold shelf
    CopyStatus.REPAIR: "06",  # in process
    CopyStatus.LOST: "12",  # lost
    CopyStatus.WITHDRAWN: "01",  # other
}


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _due(day) -> str:
    return day.isoformat() if day else ""


class Session:
    def __init__(self, *, institution: str = ""):
        self.kiosk: Kiosk | None = None
        self.institution = institution
        self.last_response: Message | None = None

    @property
    def encoding(self) -> str:
        return self.kiosk.encoding if self.kiosk else "utf-8"

    @property
    def desk(self) -> str:
        return self.kiosk.name if self.kiosk else ""

    def handle(self, request: Message) -> Message:
        """The response to one well-formed request (refusals included); never raises a domain error."""
        if request.code == "97":
            return self.last_response or Message("96")
        with override(settings.LANGUAGE_CODE):
            if request.code == "93":
                response = self._login(request)
            elif self.kiosk is None:
                response = refusal(request.code, _("自助借还机尚未登录，请先登录（93）。"), request)
            else:
                response = getattr(self, f"_m{request.code}", self._unsupported)(request)
        response.sequence = request.sequence
        response.checksummed = request.checksummed
        self.last_response = response
        return response

    def _unsupported(self, request: Message) -> Message:
        return refusal(request.code, _("不支持此操作，请到服务台办理。"), request)

    # --- 93 login / 99 status ------------------------------------------------------------

    def _login(self, request: Message) -> Message:
        kiosk = services.kiosk_authenticate(name=request.get("CN"), password=request.get("CO"))
        if kiosk is None:
            log.warning("sip2 login refused for %r", request.get("CN")[:40])
            return Message("94", {"ok": "0"})
        self.kiosk = kiosk
        self.institution = request.get("CP") or self.institution
        log.info("sip2 login: %s", kiosk.name)
        return Message("94", {"ok": "1"})

    def _m99(self, request: Message) -> Message:
        return acs_status(online=True, institution=self.institution, screen=self.kiosk.description)

    # --- patrons -------------------------------------------------------------------------

    def _patron(self, request: Message) -> services.Patron:
        pin = request.get("AD") if any(fid == "AD" for fid, _v in request.fields) else None
        return services.patron_find(card_number=request.get("AA"), pin=pin, kiosk=self.kiosk)

    def _common(self, request: Message, patron: services.Patron) -> list[tuple[str, str]]:
        fields = [("AO", request.get("AO") or self.institution), ("AA", request.get("AA"))]
        fields.append(("AE", patron.reader.name if patron.valid else ""))
        return fields

    def _status_fields(self, request, patron: services.Patron, details: dict | None):
        fields = []
        fields.append(("BL", _yn(patron.valid)))
        if patron.pin_ok is not None or request.get("AD"):
            fields.append(("CQ", _yn(patron.pin_ok is not False and patron.valid)))
        if details is not None:
            fields += [("BH", "CNY"), ("BV", f"{details['fee_total']:.2f}")]
        screen = _("；").join(patron.blocks) if patron.blocks else self._welcome(patron)
        fields.append(("AF", screen))
        return fields

    def _welcome(self, patron: services.Patron) -> str:
        return _("%(name)s 同学你好，还可以借 %(n)s 册。") % {"name": patron.reader.name, "n": patron.may_borrow}

    def _m23(self, request: Message) -> Message:
        patron = self._patron(request)
        details = services.patron_details(patron) if patron.valid else None
        fixed = {"patron_status": patron_status(patron), "language": "019", "transaction_date": _now()}
        return Message("24", fixed, self._common(request, patron) + self._status_fields(request, patron, details))

    def _m63(self, request: Message) -> Message:
        patron = self._patron(request)
        details = services.patron_details(patron) if patron.identified else None
        d = details or {"loans": [], "overdue": [], "ready": [], "waiting": [], "fees": [], "fee_total": 0}
        fixed = {
            "patron_status": patron_status(patron),
            "language": "019",
            "transaction_date": _now(),
            "hold_items_count": f"{len(d['ready']):04d}",
            "overdue_items_count": f"{len(d['overdue']):04d}",
            "charged_items_count": f"{len(d['loans']):04d}",
            "fine_items_count": f"{len(d['fees']):04d}",
            "recall_items_count": "0000",
            "unavailable_holds_count": f"{len(d['waiting']):04d}",
        }
        fields = self._common(request, patron)
        if patron.identified:
            fields.append(("CB", f"{patron.may_borrow + len(d['loans']):04d}"))
        summary = request.fixed.get("summary", "").ljust(10)
        lists = [
            ("AS", [h.copy.barcode if h.copy_id else h.record.title for h in d["ready"]]),
            ("AT", [loan.copy.barcode for loan in d["overdue"]]),
            ("AU", [loan.copy.barcode for loan in d["loans"]]),
            ("AV", [f"{f.get_kind_display()} ¥{f.amount}" for f in d["fees"]]),
            ("BU", []),
            ("CD", [h.record.title for h in d["waiting"]]),
        ]
        start, end = _int(request.get("BP"), 1), _int(request.get("BQ"), 9999)
        for position, (fid, items) in enumerate(lists):
            if summary[position] == "Y":
                fields += [(fid, item) for item in items[max(start, 1) - 1 : end]]
        return Message("64", fixed, fields + self._status_fields(request, patron, details))

    def _m35(self, request: Message) -> Message:
        fields = [("AO", request.get("AO") or self.institution), ("AA", request.get("AA")), ("AF", _("再见！"))]
        return Message("36", {"end_session": "Y", "transaction_date": _now()}, fields)

    # --- items ---------------------------------------------------------------------------

    def _m17(self, request: Message) -> Message:
        barcode = request.get("AB").strip()
        copy = Copy.objects.filter(barcode=barcode).select_related("record", "location").first()
        fixed = {"circulation_status": "01", "security_marker": "00", "fee_type": "01", "transaction_date": _now()}
        if copy is None:
            fields = [
                ("AB", barcode),
                ("AJ", ""),
                ("AF", _("条码“%(code)s”不存在，请检查是否扫错。") % {"code": barcode}),
            ]
            return Message("18", fixed, fields)
        fixed["circulation_status"] = CIRCULATION_STATUS.get(copy.status, "01")
        fixed["security_marker"] = "02"
        queue = Hold.objects.filter(record_id=copy.record_id, status=Hold.Status.WAITING).count()
        fields = [("CF", str(queue))]
        loan = Loan.objects.filter(copy=copy, returned_at__isnull=True).only("due_date").first()
        if loan:
            fields.append(("AH", _due(loan.due_date)))
        fields += [("AB", copy.barcode), ("AJ", copy.record.title), ("AQ", copy.location.name)]
        fields += [("AP", copy.location.name), ("AF", copy.get_status_display())]
        return Message("18", fixed, fields)

    def _m11(self, request: Message) -> Message:
        patron = self._patron(request)
        barcode = request.get("AB").strip()
        fixed = {"ok": "0", "renewal_ok": "N", "magnetic_media": "N", "desensitize": "N", "transaction_date": _now()}
        fields = [("AO", request.get("AO") or self.institution), ("AA", request.get("AA")), ("AB", barcode)]
        try:
            loan = services.kiosk_checkout(patron=patron, barcode=barcode, desk=self.desk)
        except exc.CirculationError as error:
            title = Copy.objects.filter(barcode=barcode).values_list("record__title", flat=True).first() or ""
            return Message("12", fixed, fields + [("AJ", title), ("AH", ""), ("AF", error.message)])
        fixed.update(ok="1", desensitize="Y")
        title = loan.copy.record.title
        screen = _("《%(title)s》借书成功，请在 %(due)s 前归还。") % {"title": title, "due": _due(loan.due_date)}
        return Message("12", fixed, fields + [("AJ", title), ("AH", _due(loan.due_date)), ("AF", screen)])

    def _m09(self, request: Message) -> Message:
        barcode = request.get("AB").strip()
        fixed = {"ok": "0", "resensitize": "N", "magnetic_media": "N", "alert": "N", "transaction_date": _now()}
        fields = [("AO", request.get("AO") or self.institution), ("AB", barcode)]
        try:
            result = services.kiosk_return(barcode=barcode, desk=self.desk)
        except exc.CirculationError as error:
            return Message("10", fixed, fields + [("AQ", ""), ("AJ", ""), ("AF", error.message)])
        copy = result.loan.copy
        fixed.update(ok="1", resensitize="Y", alert=_yn(result.hold is not None))
        fields += [("AQ", copy.location.name), ("AJ", copy.record.title)]
        if result.hold is not None:
            # CL: the sort bin; a sorting machine routes reserved books to the hold shelf.
            fields.append(("CL", "HOLD"))
        fields.append(("AF", services.return_message(result)))
        return Message("10", fixed, fields)

    def _m29(self, request: Message) -> Message:
        patron = self._patron(request)
        barcode = request.get("AB").strip()
        fixed = {"ok": "0", "renewal_ok": "N", "magnetic_media": "N", "desensitize": "N", "transaction_date": _now()}
        fields = [("AO", request.get("AO") or self.institution), ("AA", request.get("AA")), ("AB", barcode)]
        try:
            loan = services.kiosk_renew(patron=patron, barcode=barcode, desk=self.desk)
        except exc.CirculationError as error:
            return Message("30", fixed, fields + [("AJ", ""), ("AH", ""), ("AF", error.message)])
        fixed.update(ok="1", renewal_ok="Y", desensitize="Y")
        title = loan.copy.record.title
        screen = _("《%(title)s》续借成功，新的应还日期 %(due)s。") % {"title": title, "due": _due(loan.due_date)}
        return Message("30", fixed, fields + [("AJ", title), ("AH", _due(loan.due_date)), ("AF", screen)])

    def _m65(self, request: Message) -> Message:
        patron = self._patron(request)
        fixed = {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000", "transaction_date": _now()}
        fields = [("AO", request.get("AO") or self.institution)]
        try:
            renewed, refused = services.kiosk_renew_all(patron=patron, desk=self.desk)
        except exc.CirculationError as error:
            return Message("66", fixed, fields + [("AF", error.message)])
        fixed.update(ok="1", renewed_count=f"{len(renewed):04d}", unrenewed_count=f"{len(refused):04d}")
        fields += [("BM", code) for code in renewed] + [("BN", code) for code, _why in refused]
        screen = _("续借 %(ok)s 册，未能续借 %(no)s 册。") % {"ok": len(renewed), "no": len(refused)}
        screen += "".join(_("%(label)s：%(text)s") % {"label": code, "text": why} for code, why in refused)
        return Message("66", fixed, fields + [("AF", screen)])

    def _m37(self, request: Message) -> Message:
        fields = [("AO", request.get("AO") or self.institution), ("AA", request.get("AA"))]
        fields.append(("AF", _("自助机不能缴费，请到服务台找图书管理员处理。")))
        return Message("38", {"payment_accepted": "N", "transaction_date": _now()}, fields)


def _now() -> str:
    return sip_datetime(timezone.localtime())


def _int(text: str, default: int) -> int:
    return int(text) if text.strip().isdigit() else default


def patron_status(patron: services.Patron) -> str:
    """The 14 Y/space flags of 24 and 64 (charge, renewal, recall, hold privileges denied; card
    reported lost; too many items charged; too many overdue; ...; excessive fines)."""
    flags = [" "] * 14
    if not patron.identified or patron.blocks:
        flags[0] = "Y"
    if not patron.identified:
        flags[1] = flags[3] = "Y"
    if patron.card_lost:
        flags[4] = "Y"
    reader = patron.reader
    if reader is not None and patron.valid:
        if reader.n_overdue:
            flags[6] = "Y"
        if reader.has_unpaid:
            flags[10] = "Y"
        if patron.blocks and patron.may_borrow == 0 and any("上限" in b for b in patron.blocks):
            flags[5] = "Y"
    return "".join(flags)


def acs_status(*, online: bool, institution: str = "", screen: str = "") -> Message:
    fixed = {
        "online_status": _yn(online),
        "checkin_ok": _yn(online),
        "checkout_ok": _yn(online),
        "renewal_policy": _yn(online),
        "status_update_ok": "N",
        "offline_ok": "N",
        "timeout_period": "030",
        "retries_allowed": "003",
        "date_time_sync": _now(),
        "protocol_version": "2.00",
    }
    fields = [("AO", institution), ("AM", _("书香图书馆")), ("BX", SUPPORTED), ("AF", screen)]
    return Message("98", fixed, fields)


def refusal(code: str, screen: str, request: Message | None = None) -> Message:
    """The polite "no" to a request of type `code` that cannot be served (not logged in, malformed,
    the database unavailable): the request's own response type with ok = 0 and a screen message."""
    get = request.get if request is not None else (lambda _fid, default="": default)
    now = _now()
    ao, aa, ab = ("AO", get("AO")), ("AA", get("AA")), ("AB", get("AB"))
    response = RESPONSE_TO.get(code)
    if response == "94":
        return Message("94", {"ok": "0"})
    if response == "98":
        return acs_status(online=False, screen=screen)
    if response == "24":
        return Message(
            "24",
            {"patron_status": "Y" * 4 + " " * 10, "language": "019", "transaction_date": now},
            [ao, aa, ("AE", ""), ("BL", "N"), ("AF", screen)],
        )
    if response == "64":
        fixed = {"patron_status": "Y" * 4 + " " * 10, "language": "019", "transaction_date": now}
        fixed.update(
            {
                name: "0000"
                for name in (
                    "hold_items_count",
                    "overdue_items_count",
                    "charged_items_count",
                    "fine_items_count",
                    "recall_items_count",
                    "unavailable_holds_count",
                )
            }
        )
        return Message("64", fixed, [ao, aa, ("AE", ""), ("BL", "N"), ("AF", screen)])
    if response == "18":
        return Message(
            "18",
            {"circulation_status": "01", "security_marker": "00", "fee_type": "01", "transaction_date": now},
            [ab, ("AJ", ""), ("AF", screen)],
        )
    if response in ("12", "30"):
        fixed = {"ok": "0", "renewal_ok": "N", "magnetic_media": "N", "desensitize": "N", "transaction_date": now}
        return Message(response, fixed, [ao, aa, ab, ("AJ", ""), ("AH", ""), ("AF", screen)])
    if response == "10":
        fixed = {"ok": "0", "resensitize": "N", "magnetic_media": "N", "alert": "N", "transaction_date": now}
        return Message("10", fixed, [ao, ab, ("AQ", ""), ("AJ", ""), ("AF", screen)])
    if response == "66":
        fixed = {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000", "transaction_date": now}
        return Message("66", fixed, [ao, ("AF", screen)])
    if response == "36":
        return Message("36", {"end_session": "N", "transaction_date": now}, [ao, aa, ("AF", screen)])
    if response == "38":
        return Message("38", {"payment_accepted": "N", "transaction_date": now}, [ao, aa, ("AF", screen)])
    # Not a request this server knows: ask for it again (the 3M answer to an unreadable message).
    return Message("96")
