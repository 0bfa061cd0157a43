"""Read-side queries of the periodicals: the year's list with check-in figures, the claim list,
the statistics against the 规程's recommended number of titles."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from library.models import School
from reports.models import HoldingsStandard
from serials.models import Issue, Subscription


@dataclass
class SubscriptionRow:
    subscription: Subscription
    expected: int  # issues expected by today (after their grace days)
    received: int
    late: int
    missing: int
    bound: int

    @property
    def rate(self) -> Decimal | None:
        return (Decimal(self.received) / self.expected).quantize(Decimal("0.001")) if self.expected else None


def year_rows(year: int, today: date) -> list[SubscriptionRow]:
    """Every subscription of the year with its check-in figures (two queries)."""
    subs = list(Subscription.objects.filter(year=year).select_related("serial").order_by("serial__title"))
    issues = Issue.objects.filter(subscription__in=subs).only(
        "subscription_id", "expected_on", "received_on", "bound_volume_id"
    )
    by_sub: dict[int, list] = {}
    for issue in issues:
        by_sub.setdefault(issue.subscription_id, []).append(issue)
    rows = []
    for sub in subs:
        grace = sub.serial.grace_days
        states = [i.state(today, grace) for i in by_sub.get(sub.pk, [])]
        due = [i for i in by_sub.get(sub.pk, []) if i.received_on or today > i.due_by(grace)]
        rows.append(
            SubscriptionRow(
                subscription=sub,
                expected=len(due),
                received=states.count("received") + states.count("late"),
                late=states.count("late"),
                missing=states.count("missing"),
                bound=sum(1 for i in by_sub.get(sub.pk, []) if i.bound_volume_id),
            )
        )
    return rows


def year_statistics(year: int, today: date) -> dict:
    rows = year_rows(year, today)
    expected = sum(r.expected for r in rows)
    received = sum(r.received for r in rows)
    figures = {
        "titles": len(rows),
        "newspapers": sum(1 for r in rows if r.subscription.serial.kind == "newspaper"),
        "copies": sum(r.subscription.copies for r in rows),
        "spend": sum((r.subscription.total for r in rows), Decimal("0")),
        "expected": expected,
        "received": received,
        "missing": sum(r.missing for r in rows),
        "rate": (Decimal(received) / expected).quantize(Decimal("0.001")) if expected else None,
        "standard": None,
    }
    school = School.objects.order_by("pk").first()
    if school is not None:
        # The 规程 (附件1) recommends a number of 报刊 titles per school type, kept as data in the
        # reports app's standards table. A 九年一贯制 school keeps one library: the 初中 number applies.
        school_type = "junior" if school.stage == School.Stage.NINE_YEAR else school.stage
        row = HoldingsStandard.objects.filter(school_type=school_type).first()
        if row is not None:
            figures["standard"] = {"titles": row.periodical_titles, "label": row.get_school_type_display()}
            figures["shortfall"] = max(0, row.periodical_titles - len(rows))
    return figures


def missing_issues(today: date):
    """Issues past their grace days and not received, for the claim list (催缺), by source."""
    issues = (
        Issue.objects.filter(received_on__isnull=True, expected_on__lt=today)
        .select_related("subscription__serial")
        .order_by("subscription__source", "subscription__source_name", "subscription__serial__title", "number")
    )
    return [i for i in issues if i.state(today, i.subscription.serial.grace_days) == "missing"]
