"""Reading-history retention: returned loans lose the reader's name after the retention period.

A pupil's reading is sensitive personal information; the statistics of past terms must not change.
So loans are anonymised per (reader, school year), and only when every loan of that reader in that
school year is back and past retention: they all get one new AnonymousBorrower (a random negative
id, no name, no link to the reader) that keeps the reader type, class and grade the loans were
made under, and what the reports ask of a borrower at a period's end (enrolled? carded?). Counting
distinct borrowers over COALESCE(reader_id, anonymous_borrower_id) then gives the same figures.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from circulation.enrolment import enrolled_readers, valid_card_on
from circulation.models import (
    AnonymousBorrower,
    CirculationEvent,
    CirculationSettings,
    Compensation,
    Loan,
    Reader,
    ReaderKind,
    Term,
    school_year_of,
)
from circulation.naming import class_name
from circulation.services.common import _now

# The groups of loans by (reader, school year of the checkout, local time), with whether all are
# back and the last return. The school year starts on 8-01, as circulation.models.school_year_of.
_GROUPS_SQL = """
    SELECT reader_id, school_year, bool_and(returned_at IS NOT NULL), max(returned_at), count(*)
    FROM (
        SELECT reader_id, returned_at,
               (extract(year FROM local_day) - CASE WHEN extract(month FROM local_day) < 8 THEN 1 ELSE 0 END)::int
                   AS school_year
        FROM (SELECT reader_id, returned_at, (checked_out_at AT TIME ZONE %s)::date AS local_day
              FROM circulation_loan
              WHERE reader_id IS NOT NULL AND reader_kind <> %s) l
    ) y
    GROUP BY reader_id, school_year
"""


@dataclass
class AnonymiseResult:
    groups: int = 0
    loans: int = 0
    events: int = 0
    # (reader id, school year, loans) of each group, for the command's --dry-run listing.
    detail: list = field(default_factory=list)
    # Groups left for the next run (the daily self-run does a few at a time).
    remaining: int = 0


def _eligible(settings: CirculationSettings, today: date) -> list[tuple[int, int, int]]:
    """(reader id, school year, loans) of the groups whose loans are all back and past retention."""
    this_year = school_year_of(today)
    with connection.cursor() as cur:
        cur.execute(_GROUPS_SQL, [timezone.get_current_timezone_name(), ReaderKind.COLLECTIVE.value])
        groups = [(r, y, last, n) for r, y, all_back, last, n in cur.fetchall() if all_back]
    if not groups:
        return []
    if settings.history_rule == CirculationSettings.HistoryRule.UNTIL_LEFT:
        left = set(
            Reader.objects.filter(pk__in={g[0] for g in groups})
            .filter(Q(is_active=False) | Q(left_on__isnull=False, left_on__lte=today))
            .values_list("pk", flat=True)
        )
        chosen = [(r, y, n) for r, y, _last, n in groups if r in left]
    else:
        years = settings.history_years
        chosen = [
            (r, y, n) for r, y, last, n in groups if school_year_of(timezone.localdate(last)) + years <= this_year
        ]
    # A debt still open keeps the loans named: the reader must be able to settle it.
    owing = set(
        Compensation.objects.filter(status=Compensation.Status.UNPAID, reader_id__in={g[0] for g in chosen})
        .values_list("reader_id", flat=True)
        .distinct()
    )
    return [g for g in chosen if g[0] not in owing]


def _fact_days(school_year: int) -> list[date]:
    """The period ends the reports may ask about for this school year: its terms' ends, the year's
    end (the last term's end) and 7-31 (the year's end when it has no terms)."""
    days = set(Term.objects.filter(school_year=school_year).values_list("end", flat=True))
    days.add(date(school_year + 1, 7, 31))
    return sorted(days)


def _facts(reader_ids: list[int], school_year: int) -> dict[int, dict[str, list[bool]]]:
    """Per reader, {day: [enrolled on that day, held a valid card at its end]}, computed with the
    reports' own enrolled_readers() and valid_card_on(): one query per day for all the readers."""
    facts: dict[int, dict[str, list[bool]]] = {r: {} for r in reader_ids}
    for day in _fact_days(school_year):
        carded = dict(
            enrolled_readers(day)
            .filter(pk__in=reader_ids)
            .annotate(carded=valid_card_on(day))
            .values_list("pk", "carded")
        )
        for r in reader_ids:
            facts[r][day.isoformat()] = [r in carded, bool(carded.get(r))]
    return facts


def _new_id(rng: random.SystemRandom) -> int:
    while True:
        candidate = -rng.randint(1, 2**40)
        if not AnonymousBorrower.objects.filter(pk=candidate).exists():
            return candidate


def _school_year_bounds(school_year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime(school_year, 8, 1, tzinfo=tz),
        datetime(school_year + 1, 8, 1, tzinfo=tz),
    )


def loans_anonymise(*, now: datetime | None = None, dry_run: bool = False, limit: int | None = None) -> AnonymiseResult:
    """Detach the returned loans past retention from their readers (see the module's docstring).

    Each (reader, school year) is done in its own short transaction, in random order (so the ids
    say nothing about who came first), under the reader's row lock, which checkout takes too.
    """
    now = _now(now)
    today = timezone.localdate(now)
    settings = CirculationSettings.current()
    groups = _eligible(settings, today)
    rng = random.SystemRandom()
    rng.shuffle(groups)
    result = AnonymiseResult()
    if limit is not None:
        groups, result.remaining = groups[:limit], max(len(groups) - limit, 0)
    if dry_run:
        result.groups, result.loans, result.detail = len(groups), sum(n for _r, _y, n in groups), groups
        return result
    facts: dict[tuple[int, int], dict] = {}
    for year in {y for _r, y, _n in groups}:
        facts.update({(r, year): f for r, f in _facts([r for r, y, _n in groups if y == year], year).items()})
    for reader_id, school_year, _n in groups:
        start, end = _school_year_bounds(school_year)
        with transaction.atomic():
            reader = Reader.objects.select_for_update().filter(pk=reader_id).first()
            loans = Loan.objects.filter(reader_id=reader_id, checked_out_at__gte=start, checked_out_at__lt=end)
            rows = list(loans.values_list("pk", "returned_at"))
            ids = [pk for pk, returned in rows if returned is not None]
            if reader is None or not ids or len(ids) < len(rows):
                continue  # a new loan of that year appeared meanwhile (or the reader is gone): next time
            borrower = AnonymousBorrower.objects.create(
                id=_new_id(rng),
                school_year=school_year,
                reader_kind=reader.kind,
                school_class_id=reader.school_class_id,
                facts=facts[(reader_id, school_year)],
            )
            Loan.objects.filter(pk__in=ids).update(reader=None, anonymous_borrower=borrower)
            # A compensation stays a financial record of the reader (who paid what for which copy),
            # but no longer points at the loan.
            Compensation.objects.filter(loan_id__in=ids).update(loan=None)
            result.events += _scrub_events(ids)
            result.groups += 1
            result.loans += len(ids)
            result.detail.append((reader_id, school_year, len(ids)))
    return result


def _scrub_events(loan_ids: list[int]) -> int:
    """The log keeps the action, time, desk and loan of an anonymised loan's rows, but no reader,
    no copy and no detail (titles, names, fines); the detail says the class the loan was made in.
    One UPDATE per class and grade of the loans (usually one)."""
    with connection.cursor() as cur:
        # Allowed by the log's append-only trigger for this transaction only (migration 0006).
        cur.execute("SET LOCAL circulation.anonymising = 'on'")
    n = 0
    loans = Loan.objects.filter(pk__in=loan_ids)
    made_in = loans.values_list("school_class", "school_class__stage", "school_class__number", "grade").distinct()
    # The log is written in the school's language, whoever's request runs this.
    with translation.override(django_settings.LANGUAGE_CODE):
        for class_id, stage, number, grade in made_in.order_by():
            if class_id is not None and grade:
                detail = _("已匿名 · %(c)s") % {"c": class_name(stage, grade, number)}
            else:
                detail = _("已匿名")
            these = loans.filter(school_class=class_id, grade=grade).values("pk")
            n += CirculationEvent.objects.filter(loan_id__in=these).update(reader=None, copy=None, detail=detail)
    return n  # SET LOCAL ends with the transaction


# Readers' school years the daily self-run anonymises per request (about 10 queries, 25 ms each).
DAILY_LIMIT = 25


def loans_anonymise_daily(now: datetime | None = None) -> AnonymiseResult | None:
    """Anonymise once a day, whoever comes first (as services.holds_expire_daily): the result, or
    None if already done today. At most DAILY_LIMIT groups per call; with more left the day is
    not claimed, so the next signed-in request goes on (see library.daily)."""
    now = _now(now)
    today = timezone.localdate(now)
    unclaimed = Q(history_checked_on__isnull=True) | Q(history_checked_on__lt=today)
    claimed = CirculationSettings.objects.filter(unclaimed).update(history_checked_on=today)
    if not claimed and not CirculationSettings.objects.exists():
        CirculationSettings.current()
        claimed = CirculationSettings.objects.filter(unclaimed).update(history_checked_on=today)
    if not claimed:
        return None
    try:
        result = loans_anonymise(now=now, limit=DAILY_LIMIT)
    except Exception:
        CirculationSettings.objects.filter(history_checked_on=today).update(history_checked_on=None)
        raise
    if result.remaining:
        # More to do (e.g. the first run after installing): give the day back so that the next
        # request does the next few, instead of one request doing thousands.
        CirculationSettings.objects.filter(history_checked_on=today).update(history_checked_on=None)
    return result
