"""The kept figures as JSON (reports.models.SummaryCache.figures): plain data, no pickle.

A Summary holds dataclasses (the period, class and grade rows), dates, datetimes and Decimals.
JSON has none of them, so each is written as a small tagged object and read back as the same type:
a page or workbook rendered from the kept figures is the one rendered from the computed figures.

    Decimal("9.27")           -> {"$": "decimal", "v": "9.27"}
    date(2026, 1, 20)         -> {"$": "date", "v": "2026-01-20"}
    ClassRow(id=3, ...)       -> {"$": "ClassRow", "v": {"id": 3, ...}}
    {("primary", 3): 12}      -> {"$": "map", "v": [[{"$": "tuple", "v": ["primary", 3]}, 12]]}

A value of any other type raises TypeError rather than being kept in a form that reads back wrong:
a new dataclass in the Summary goes into DATACLASSES below (tests/reports/test_summary_cache.py checks
that the page and the workbook are the same from kept figures).
"""

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from django.utils.functional import Promise

from reports.periods import Period
from reports.selectors.classes import ClassRow, GradeRow
from reports.selectors.summary import Summary

# Only these dataclasses are read back (by name): the kept JSON never names a class to import.
DATACLASSES = {cls.__name__: cls for cls in (Summary, Period, ClassRow, GradeRow)}

TAG = "$"


def encode(value):
    """`value` as JSON-ready plain data (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {TAG: "float", "v": repr(value)}  # repr round-trips exactly (also inf and nan)
    if isinstance(value, Decimal):
        return {TAG: "decimal", "v": str(value)}
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, Promise):  # a lazy translation: the key holds the language it was made in
        return str(value)
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {TAG: "tuple", "v": [encode(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and TAG not in value:
            return {k: encode(v) for k, v in value.items()}
        return {TAG: "map", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and DATACLASSES.get(type(value).__name__) is type(value):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {TAG: type(value).__name__, "v": fields}
    raise TypeError(f"cannot keep a {type(value).__name__} in the summary cache")


def decode(data):
    """The value `encode` wrote, with its types."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    tag = data.get(TAG)
    if tag is None:
        return {k: decode(v) for k, v in data.items()}
    v = data["v"]
    if tag == "decimal":
        return Decimal(v)
    if tag == "float":
        return float(v)
    if tag == "datetime":
        return datetime.fromisoformat(v)
    if tag == "date":
        return date.fromisoformat(v)
    if tag == "tuple":
        return tuple(decode(x) for x in v)
    if tag == "map":
        return {decode(k): decode(x) for k, x in v}
    cls = DATACLASSES.get(tag)
    if cls is None:
        raise ValueError(f"unknown tag in the summary cache: {tag}")
    return cls(**{name: decode(x) for name, x in v.items()})
