"""Due-date rules of the school calendar.

A due date never falls on a closed day (it moves to the next open day) and never after the last
day of the term the loan starts in, unless a vacation loan is explicitly allowed; a vacation loan
that would fall due inside the holiday falls due on the first open day of the next term instead
(the library is closed between terms). The calendar is read in one query (setting, term, next
term, closed days, open days) whatever the dates.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from circulation.models import CirculationSettings, ClosedDay, OpenDay, Term

# How far past the raw due date we look for the next open day (holidays are never this long
# without a term boundary in between; the fallback is the raw date).
SEARCH_DAYS = 62
# How much further a vacation loan's calendar is read: the longest holiday between two terms.
VACATION_DAYS = 92


@dataclass
class Calendar:
    weekends_closed: bool
    closed: set
    open_days: set
    next_term_start: date | None = None

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


def read_calendar(
    start: date, end: date, *, term_on_day: date | None = None, next_term: bool = False
) -> tuple[Calendar, date | None]:
    """The calendar between `start` and `end`, and the last day of the term on `term_on_day`.

    One round trip for the setting, the term, the closed days and the open days: this runs on
    every checkout and renewal. The term's end is None when no term covers that day (or none
    was asked for). With `next_term`, the calendar's `next_term_start` is the first day of the
    term after that one (None when none is set up yet).
    """
    settings, term, closed_day, open_day = (m._meta.db_table for m in (CirculationSettings, Term, ClosedDay, OpenDay))
    sql = f"(SELECT 's', NULL::date, weekends_closed FROM {settings} ORDER BY id LIMIT 1)"
    params: list = []
    if term_on_day is not None:
        sql += f' UNION ALL (SELECT \'t\', "end", NULL FROM {term} WHERE start <= %s AND "end" >= %s ORDER BY start LIMIT 1)'
        params += [term_on_day, term_on_day]
        if next_term:
            sql += (
                f" UNION ALL (SELECT 'n', start, NULL FROM {term} WHERE start > (SELECT \"end\" FROM {term}"
                ' WHERE start <= %s AND "end" >= %s ORDER BY start LIMIT 1) ORDER BY start LIMIT 1)'
            )
            params += [term_on_day, term_on_day]
    sql += (
        f" UNION ALL SELECT 'c', day, NULL FROM {closed_day} WHERE day BETWEEN %s AND %s"
        f" UNION ALL SELECT 'o', day, NULL FROM {open_day} WHERE day BETWEEN %s AND %s"
    )
    params += [start, end, start, end]
    # Without a settings row yet, the model's default applies.
    weekends_closed = CirculationSettings._meta.get_field("weekends_closed").default
    term_end, next_start, closed, open_days = None, None, set(), set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, day, flag in cursor.fetchall():
            if kind == "s":
                weekends_closed = flag
            elif kind == "t":
                term_end = day
            elif kind == "n":
                next_start = day
            else:
                (closed if kind == "c" else open_days).add(day)
    calendar = Calendar(
        weekends_closed=weekends_closed, closed=closed, open_days=open_days if weekends_closed else set()
    )
    calendar.next_term_start = next_start
    return calendar, term_end


def term_on(day: date) -> Term | None:
    return Term.objects.filter(start__lte=day, end__gte=day).order_by("start").first()


def due_date_for(start: date, days: int, *, allow_vacation: bool = False) -> date:
    """The due date of a loan (or renewal) made on `start` for `days` days (one query)."""
    raw = start + timedelta(days=days)
    # A vacation loan may move to the next term's first open day: read the calendar far enough
    # (a summer holiday is about two months).
    end = raw + timedelta(days=SEARCH_DAYS + (VACATION_DAYS if allow_vacation else 0))
    cal, term_end = read_calendar(start, end, term_on_day=start, next_term=allow_vacation)
    return compute_due(cal, start, days, term_end, allow_vacation=allow_vacation)


def compute_due(cal: Calendar, start: date, days: int, term_end: date | None, *, allow_vacation: bool = False) -> date:
    """The rule itself, on an already loaded calendar (also used by the demo data builder)."""
    raw = start + timedelta(days=days)
    due = cal.next_open(raw) or raw
    if term_end is not None and not allow_vacation and due > term_end:
        # Back before the vacation: the last open day of the term (not before the loan day).
        due = cal.previous_open(term_end, not_before=start) or term_end
    elif term_end is not None and due > term_end:
        # A vacation loan due inside the holiday: the library is closed until the next term, so
        # the book falls due on its first open day (with no next term set up yet, the rule above
        # for closed days is all we can apply).
        next_start = cal.next_term_start
        if next_start is not None and due < next_start:
            due = cal.next_open(next_start, limit=SEARCH_DAYS + VACATION_DAYS) or next_start
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
