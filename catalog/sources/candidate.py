"""One answer of a bibliographic source to a lookup."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    # "local" (this school's catalogue), "pool" (书目数据源) or "z3950".
    source: str
    # What the cataloguer reads as the origin: 本馆书目, the pool file's name, the Z39.50 target's name.
    label: str
    # The bibliographic fields, keyed as in catalog.marc's rows; text values, "" when unknown.
    fields: dict = field(default_factory=dict)
    # The local Record's id (source "local") or the pool record's id (source "pool").
    record_id: int | None = None
    # The raw record as received (ISO 2709 bytes) where there is one, to keep or show.
    marc: bytes = b""
