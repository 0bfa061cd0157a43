"""The SIP2 wire format (3M Standard Interchange Protocol 2.00): framing, fields and AY/AZ checksums.

Written from the 3M specification rather than taken from PyPI: the one typed codec there (pysip2
0.1.0, alpha) splits a message on the "|" byte before decoding it, which breaks GB18030, where "|"
(0x7C) is also a valid second byte of a two-byte character; and its server holds one encoding for
all clients, where a school may have one machine speaking UTF-8 and another GB18030.

A message is: a two-digit command, fixed-length fields, then variable fields each made of a
two-letter id, a value and "|"; optionally "AY<sequence digit>AZ<checksum>"; then a carriage
return. Framing and the checksum work on bytes (CR never occurs inside a UTF-8 or GB18030
character); the fields are split after decoding the whole message to text.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

CR = b"\r"

# Fixed fields of every message this server reads or writes: (name, length), in order.
FIXED: dict[str, list[tuple[str, int]]] = {
    # requests from the self-service machine (SC)
    "93": [("uid_algorithm", 1), ("pwd_algorithm", 1)],
    "99": [("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)],
    "23": [("language", 3), ("transaction_date", 18)],
    "63": [("language", 3), ("transaction_date", 18), ("summary", 10)],
    "17": [("transaction_date", 18)],
    "11": [("renewal_policy", 1), ("no_block", 1), ("transaction_date", 18), ("nb_due_date", 18)],
    "09": [("no_block", 1), ("transaction_date", 18), ("return_date", 18)],
    "29": [("third_party_allowed", 1), ("no_block", 1), ("transaction_date", 18), ("nb_due_date", 18)],
    "65": [("transaction_date", 18)],
    "35": [("transaction_date", 18)],
    "37": [("transaction_date", 18), ("fee_type", 2), ("payment_type", 2), ("currency_type", 3)],
    "97": [],
    # responses of the library system (ACS)
    "94": [("ok", 1)],
    "98": [
        ("online_status", 1),
        ("checkin_ok", 1),
        ("checkout_ok", 1),
        ("renewal_policy", 1),
        ("status_update_ok", 1),
        ("offline_ok", 1),
        ("timeout_period", 3),
        ("retries_allowed", 3),
        ("date_time_sync", 18),
        ("protocol_version", 4),
    ],
    "24": [("patron_status", 14), ("language", 3), ("transaction_date", 18)],
    "64": [
        ("patron_status", 14),
        ("language", 3),
        ("transaction_date", 18),
        ("hold_items_count", 4),
        ("overdue_items_count", 4),
        ("charged_items_count", 4),
        ("fine_items_count", 4),
        ("recall_items_count", 4),
        ("unavailable_holds_count", 4),
    ],
    "18": [("circulation_status", 2), ("security_marker", 2), ("fee_type", 2), ("transaction_date", 18)],
    "12": [("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", 18)],
    "10": [("ok", 1), ("resensitize", 1), ("magnetic_media", 1), ("alert", 1), ("transaction_date", 18)],
    "30": [("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", 18)],
    "66": [("ok", 1), ("renewed_count", 4), ("unrenewed_count", 4), ("transaction_date", 18)],
    "36": [("end_session", 1), ("transaction_date", 18)],
    "38": [("payment_accepted", 1), ("transaction_date", 18)],
    "96": [],
}

# The response each request gets (the refusal of a malformed request is of this type too).
RESPONSE_TO = {
    "93": "94",
    "99": "98",
    "23": "24",
    "63": "64",
    "17": "18",
    "11": "12",
    "09": "10",
    "29": "30",
    "65": "66",
    "35": "36",
    "37": "38",
}

_FIELD_ID = re.compile(r"[A-Z][A-Z0-9]")
# The error-detection trailer at the very end of a message: "AY" and one digit (optional), "AZ"
# and four hex digits; in front of it the "|" that closed the last field, or the fixed part.
_TRAILER = re.compile(rb"(?:AY([0-9]))?AZ([0-9A-Fa-f]{4})$")


class SipError(Exception):
    """A message that cannot be read; `code` is its command when that much could be read."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


class ChecksumError(SipError):
    pass


@dataclass
class Message:
    code: str
    fixed: dict[str, str] = field(default_factory=dict)
    # Variable fields in order; a field id may repeat (AS, AU, BM... lists of items).
    fields: list[tuple[str, str]] = field(default_factory=list)
    sequence: int | None = None
    checksummed: bool = False

    def get(self, field_id: str, default: str = "") -> str:
        for fid, value in self.fields:
            if fid == field_id:
                return value
        return default

    def get_all(self, field_id: str) -> list[str]:
        return [value for fid, value in self.fields if fid == field_id]


def checksum(data: bytes) -> str:
    """The AZ value: the 16-bit two's complement of the sum of the bytes, as four hex digits."""
    return f"{(-sum(data)) & 0xFFFF:04X}"


def sip_datetime(moment: datetime) -> str:
    """The 18-character date of SIP2: YYYYMMDD, four spaces for the local time zone, HHMMSS."""
    return moment.strftime("%Y%m%d    %H%M%S")


def _clean(value: str) -> str:
    # A value may not contain the field separator or line ends; 3M leaves the rest to the systems.
    return str(value).replace("|", "/").replace("\r", " ").replace("\n", " ")


def encode(message: Message, encoding: str = "utf-8") -> bytes:
    """The message as bytes with its CR; with AY/AZ when message.sequence is set or checksummed."""
    parts = [message.code]
    for name, length in FIXED.get(message.code, []):
        value = _clean(message.fixed.get(name, ""))
        if len(value) != length:
            raise ValueError(f"{message.code}: fixed field {name} must be {length} characters, got {value!r}")
        parts.append(value)
    for fid, value in message.fields:
        parts.append(f"{fid}{_clean(value)}|")
    data = "".join(parts).encode(encoding, errors="replace")
    if message.sequence is not None or message.checksummed:
        if message.sequence is not None:
            data += f"AY{message.sequence % 10}".encode("ascii")
        data += b"AZ"
        data += checksum(data).encode("ascii")
    return data + CR


def decode(frame: bytes, encoding: str = "utf-8") -> Message:
    """One message (its bytes, with or without the final CR). Raises SipError or ChecksumError."""
    frame = frame.rstrip(b"\r\n")
    code = frame[:2].decode("ascii", errors="replace")
    sequence, checksummed = None, False
    trailer = _TRAILER.search(frame)
    if trailer and trailer.start() >= 2:
        through_az = frame[: trailer.end() - 4]
        if checksum(through_az).upper() != trailer.group(2).decode("ascii").upper():
            raise ChecksumError("checksum mismatch", code)
        sequence = int(trailer.group(1)) if trailer.group(1) is not None else None
        checksummed = True
        frame = frame[: trailer.start()]
    try:
        text = frame.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SipError(f"not valid {encoding}", code) from error
    if len(text) < 2 or not text[:2].isdigit():
        raise SipError("no command code", "")
    code = text[:2]
    if code not in FIXED:
        raise SipError(f"unknown command {code}", code)
    fixed, pos = {}, 2
    for name, length in FIXED[code]:
        value = text[pos : pos + length]
        if len(value) != length:
            raise SipError(f"{code}: message too short for {name}", code)
        fixed[name] = value
        pos += length
    fields = []
    for piece in text[pos:].split("|"):
        if not piece:
            continue
        if len(piece) < 2 or not _FIELD_ID.fullmatch(piece[:2]):
            raise SipError(f"{code}: bad field {piece[:10]!r}", code)
        fields.append((piece[:2], piece[2:]))
    return Message(code=code, fixed=fixed, fields=fields, sequence=sequence, checksummed=checksummed)
