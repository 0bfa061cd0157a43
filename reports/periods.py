"""Report periods: a term (学期), a school year (学年) or any from/to range, inclusive, Asia/Shanghai."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from circulation.models import Term, school_year_of
from library.params import clean_text, parse_date, parse_int


class PeriodError(ValueError):
    """Bad period parameters; the message is shown to the user."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str
    kind: str  # "term", "year" or "range"
    term_id: int | None = None
    school_year: int | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, day after end 00:00) in local time, for index-friendly datetime filters."""
        return (
            timezone.make_aware(datetime.combine(self.start, time.min)),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min)),
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query(self) -> str:
        """The GET parameters that select this period again (links, exports)."""
        if self.kind == "term":
            return f"term={self.term_id}"
        if self.kind == "year":
            return f"year={self.school_year}"
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def year_label(school_year: int) -> str:
    return _("%(start)s-%(end)s学年") % {"start": school_year, "end": school_year + 1}


def term_period(term: Term) -> Period:
    return Period(start=term.start, end=term.end, label=term.label, kind="term", term_id=term.pk)


def year_period(school_year: int) -> Period:
    """The school year: from its first term's start to its last term's end; 8-01 .. 7-31 without terms."""
    terms = list(Term.objects.filter(school_year=school_year).order_by("start"))
    if terms:
        start, end = terms[0].start, max(t.end for t in terms)
    else:
        start, end = date(school_year, 8, 1), date(school_year + 1, 7, 31)
    return Period(start=start, end=end, label=year_label(school_year), kind="year", school_year=school_year)


def range_period(start: date, end: date) -> Period:
    label = _("%(start)s至%(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    return Period(start=start, end=end, label=label, kind="range")


def default_period(today: date) -> Period:
    """The current term; else the latest term that started before today; else this school year."""
    term = Term.objects.filter(start__lte=today, end__gte=today).first()
    if term is None:
        term = Term.objects.filter(start__lte=today).order_by("-start").first()
    if term is not None:
        return term_period(term)
    return year_period(school_year_of(today))


def _parse_day(raw: str, what: str) -> date:
    day = parse_date(raw)
    if day is None:
        raise PeriodError(
            _("%(what)s“%(raw)s”不是有效日期，请使用 2025-09-01 这样的格式。")
            % {"what": what, "raw": clean_text(raw, 40)}
        )
    return day


def parse_period(params, today: date) -> Period:
    """The period chosen by GET parameters: term=<id>, year=<start year> or from=&to= (ISO dates)."""
    term_raw = (params.get("term") or "").strip()
    year_raw = (params.get("year") or "").strip()
    from_raw = (params.get("from") or "").strip()
    to_raw = (params.get("to") or "").strip()
    if term_raw:
        term_id = parse_int(term_raw, min_value=1)
        term = Term.objects.filter(pk=term_id).first() if term_id else None
        if term is None:
            raise PeriodError(_("所选学期不存在。"))
        return term_period(term)
    if year_raw:
        year = parse_int(year_raw, min_value=2000, max_value=2100)
        if year is None:
            raise PeriodError(_("学年应为起始年份，例如 2025。"))
        return year_period(year)
    if from_raw or to_raw:
        if not (from_raw and to_raw):
            raise PeriodError(_("请同时填写开始日期和结束日期。"))
        start = _parse_day(from_raw, _("开始日期"))
        end = _parse_day(to_raw, _("结束日期"))
        if start > end:
            raise PeriodError(_("开始日期不能晚于结束日期。"))
        if (end - start).days > 366 * 3:
            raise PeriodError(_("统计区间最长为三年。"))
        return range_period(start, end)
    return default_period(today)


def previous_period(period: Period) -> Period | None:
    """The period to compare with: the previous term, the previous school year, or the range before."""
    if period.kind == "term":
        term = Term.objects.filter(start__lt=period.start).order_by("-start").first()
        return term_period(term) if term else None
    if period.kind == "year":
        return year_period(period.school_year - 1)
    length = timedelta(days=period.days)
    return range_period(period.start - length, period.start - timedelta(days=1))


def term_choices() -> list[Term]:
    return list(Term.objects.order_by("-start"))
