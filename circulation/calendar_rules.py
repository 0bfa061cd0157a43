"""Due-date rules of the school calendar.

A due date never falls on a closed day (it moves to the next open day) and never after the last
day of the term the loan starts in, unless a vacation loan is explicitly allowed. The calendar is
read with a fixed number of queries (settings, term, closed days, open days) whatever the dates.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import CharField, Value

from circulation.models import CirculationSettings, ClosedDay, OpenDay, Term

# How far past the raw due date we look for the next open day (holidays are never this long
# without a term boundary in between; the fallback is the raw date).
SEARCH_DAYS = 62


@dataclass
class Calendar:
    weekends_closed: bool
    closed: set
    open_days: set

    def is_open(self, day: date) -> bool:
        if day in self.closed:
            return False
        if day.weekday() >= 5 and self.weekends_closed:
            return day in self.open_days
        return True

    def next_open(self, day: date, limit: int = SEARCH_DAYS) -> date | None:
        for i in range(limit):
            candidate = day + timedelta(days=i)
            if self.is_open(candidate):
                return candidate
        return None

    def previous_open(self, day: date, not_before: date) -> date | None:
        candidate = day
        while candidate >= not_before:
            if self.is_open(candidate):
                return candidate
            candidate -= timedelta(days=1)
        return None


def load_calendar(start: date, end: date, settings: CirculationSettings | None = None) -> Calendar:
    settings = settings or CirculationSettings.current()
    # One round trip for both lists (this runs on every checkout and renewal).
    closed_q = (
        ClosedDay.objects.filter(day__range=(start, end))
        .annotate(kind=Value("c", output_field=CharField()))
        .values_list("day", "kind")
    )
    open_q = (
        OpenDay.objects.filter(day__range=(start, end))
        .annotate(kind=Value("o", output_field=CharField()))
        .values_list("day", "kind")
    )
    closed, open_days = set(), set()
    for day, kind in closed_q.union(open_q, all=True):
        (closed if kind == "c" else open_days).add(day)
    return Calendar(
        weekends_closed=settings.weekends_closed,
        closed=closed,
        open_days=open_days if settings.weekends_closed else set(),
    )


def term_on(day: date) -> Term | None:
    return Term.objects.filter(start__lte=day, end__gte=day).order_by("start").first()


def due_date_for(
    start: date,
    days: int,
    *,
    allow_vacation: bool = False,
    settings: CirculationSettings | None = None,
    term: Term | None | bool = False,
) -> date:
    """The due date of a loan (or renewal) made on `start` for `days` days.

    `term=False` means "look the term up"; pass a Term (or None) to skip that query.
    """
    raw = start + timedelta(days=days)
    if term is False:
        term = term_on(start)
    cal = load_calendar(start, raw + timedelta(days=SEARCH_DAYS), settings)
    return compute_due(cal, start, days, term.end if term is not None else None, allow_vacation=allow_vacation)


def compute_due(cal: Calendar, start: date, days: int, term_end: date | None, *, allow_vacation: bool = False) -> date:
    """The rule itself, on an already loaded calendar (also used by the demo data builder)."""
    raw = start + timedelta(days=days)
    due = cal.next_open(raw) or raw
    if term_end is not None and not allow_vacation and due > term_end:
        # Back before the vacation: the last open day of the term (not before the loan day).
        due = cal.previous_open(term_end, not_before=start) or term_end
    return due


def hold_expiry(today: date, hold_days: int, settings: CirculationSettings | None = None) -> date:
    """The last day a ready hold waits on the hold shelf: `hold_days` open days after today."""
    cal = load_calendar(today, today + timedelta(days=hold_days + SEARCH_DAYS), settings)
    day, counted = today, 0
    while counted < max(hold_days, 1):
        day += timedelta(days=1)
        if cal.is_open(day):
            counted += 1
        if (day - today).days > hold_days + SEARCH_DAYS:
            break
    return day
