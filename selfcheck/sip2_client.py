"""A small blocking SIP2 client: what the tests and bench/sip2_bench.py use to talk to the server
as a self-service machine would."""

import socket

from django.utils import timezone

from selfcheck.sip2 import Message, decode, encode, sip_datetime


class SipClient:
    def __init__(self, host: str, port: int, *, encoding: str = "utf-8", timeout: float = 10, checksums: bool = True):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.encoding = encoding
        self.checksums = checksums
        self.sequence = 0
        self._buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read(self) -> Message:
        """The next response (raises ConnectionError when the server closed the connection)."""
        while b"\r" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self._buffer += chunk
        frame, self._buffer = self._buffer.split(b"\r", 1)
        return decode(frame, self.encoding)

    def call(self, code: str, fixed: dict | None = None, fields: list | None = None) -> Message:
        message = Message(code, fixed or {}, fields or [])
        if self.checksums:
            message.sequence = self.sequence
            self.sequence = (self.sequence + 1) % 10
        self.send_raw(encode(message, self.encoding))
        return self.read()

    # --- the requests a self-service machine sends ---------------------------------------

    @staticmethod
    def now() -> str:
        return sip_datetime(timezone.localtime())

    def login(self, name: str, password: str) -> Message:
        return self.call("93", {"uid_algorithm": "0", "pwd_algorithm": "0"}, [("CN", name), ("CO", password)])

    def status(self) -> Message:
        return self.call("99", {"status_code": "0", "max_print_width": "080", "protocol_version": "2.00"})

    def patron_status(self, card: str, pin: str | None = None) -> Message:
        fields = [("AO", ""), ("AA", card), ("AC", "")] + ([("AD", pin)] if pin is not None else [])
        return self.call("23", {"language": "019", "transaction_date": self.now()}, fields)

    def patron_information(self, card: str, summary: str = " " * 10, pin: str | None = None) -> Message:
        fields = [("AO", ""), ("AA", card)] + ([("AD", pin)] if pin is not None else [])
        return self.call("63", {"language": "019", "transaction_date": self.now(), "summary": summary}, fields)

    def item_information(self, barcode: str) -> Message:
        return self.call("17", {"transaction_date": self.now()}, [("AO", ""), ("AB", barcode)])

    def checkout(self, card: str, barcode: str, pin: str | None = None) -> Message:
        fixed = {"renewal_policy": "N", "no_block": "N", "transaction_date": self.now(), "nb_due_date": " " * 18}
        fields = [("AO", ""), ("AA", card), ("AB", barcode), ("AC", "")] + ([("AD", pin)] if pin is not None else [])
        return self.call("11", fixed, fields)

    def checkin(self, barcode: str) -> Message:
        now = self.now()
        fixed = {"no_block": "N", "transaction_date": now, "return_date": now}
        return self.call("09", fixed, [("AP", ""), ("AO", ""), ("AB", barcode), ("AC", "")])

    def renew(self, card: str, barcode: str) -> Message:
        fixed = {"third_party_allowed": "N", "no_block": "N", "transaction_date": self.now(), "nb_due_date": " " * 18}
        return self.call("29", fixed, [("AO", ""), ("AA", card), ("AB", barcode)])

    def renew_all(self, card: str) -> Message:
        return self.call("65", {"transaction_date": self.now()}, [("AO", ""), ("AA", card)])

    def end_session(self, card: str) -> Message:
        return self.call("35", {"transaction_date": self.now()}, [("AO", ""), ("AA", card)])

    def fee_paid(self, card: str, amount: str) -> Message:
        fixed = {"transaction_date": self.now(), "fee_type": "01", "payment_type": "00", "currency_type": "CNY"}
        return self.call("37", fixed, [("BV", amount), ("AO", ""), ("AA", card)])
