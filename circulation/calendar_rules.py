"""Due-date rules of the school calendar.

A due date never falls on a closed day (it moves to the next open day) and never after the last
day of the term the loan starts in, unless a vacation loan is explicitly allowed. The calendar is
read in one query (setting, term, closed days, open days) whatever the dates.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

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


def read_calendar(start: date, end: date, *, term_on_day: date | None = None) -> tuple[Calendar, date | None]:
    """The calendar between `start` and `end`, and the last day of the term on `term_on_day`.

    One round trip for the setting, the term, the closed days and the open days: this runs on
    every checkout and renewal. The term's end is None when no term covers that day (or none
    was asked for).
    """
    settings, term, closed_day, open_day = (m._meta.db_table for m in (CirculationSettings, Term, ClosedDay, OpenDay))
    sql = f"(SELECT 's', NULL::date, weekends_closed FROM {settings} ORDER BY id LIMIT 1)"
    params: list = []
    if term_on_day is not None:
        sql += f' UNION ALL (SELECT \'t\', "end", NULL FROM {term} WHERE start <= %s AND "end" >= %s ORDER BY start LIMIT 1)'
        params += [term_on_day, term_on_day]
    sql += (
        f" UNION ALL SELECT 'c', day, NULL FROM {closed_day} WHERE day BETWEEN %s AND %s"
        f" UNION ALL SELECT 'o', day, NULL FROM {open_day} WHERE day BETWEEN %s AND %s"
    )
    params += [start, end, start, end]
    # Without a settings row yet, the model's default applies.
    weekends_closed = CirculationSettings._meta.get_field("weekends_closed").default
    term_end, closed, open_days = None, set(), set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, day, flag in cursor.fetchall():
            if kind == "s":
                weekends_closed = flag
            elif kind == "t":
                term_end = day
            else:
                (closed if kind == "c" else open_days).add(day)
    calendar = Calendar(
        weekends_closed=weekends_closed, closed=closed, open_days=open_days if weekends_closed else set()
    )
    return calendar, term_end


def term_on(day: date) -> Term | None:
    return Term.objects.filter(start__lte=day, end__gte=day).order_by("start").first()


def due_date_for(start: date, days: int, *, allow_vacation: bool = False) -> date:
    """The due date of a loan (or renewal) made on `start` for `days` days (one query)."""
    raw = start + timedelta(days=days)
    cal, term_end = read_calendar(start, raw + timedelta(days=SEARCH_DAYS), term_on_day=start)
    return compute_due(cal, start, days, term_end, allow_vacation=allow_vacation)


def compute_due(cal: Calendar, start: date, days: int, term_end: date | None, *, allow_vacation: bool = False) -> date:
    """The rule itself, on an already loaded calendar (also used by the demo data builder)."""
    raw = start + timedelta(days=days)
    due = cal.next_open(raw) or raw
    if term_end is not None and not allow_vacation and due > term_end:
        # Back before the vacation: the last open day of the term (not before the loan day).
        due = cal.previous_open(term_end, not_before=start) or term_end
    return due


def hold_expiry(today: date, hold_days: int) -> date:
    """The last day a ready hold waits on the hold shelf: `hold_days` open days after today."""
    cal, _ = read_calendar(today, today + timedelta(days=hold_days + SEARCH_DAYS))
    day, counted = today, 0
    while counted < max(hold_days, 1):
        day += timedelta(days=1)
        if cal.is_open(day):
            counted += 1
        if (day - today).days > hold_days + SEARCH_DAYS:
            break
    return day
