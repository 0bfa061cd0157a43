"""Collection figures: holdings on a day, acquisitions and withdrawals, 馆藏结构."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum, Value, Window
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, CopyStatus, CopyStatusChange, Record, WithdrawalReason
from circulation.models import Compensation, Loan, school_year_of
from reports.models import CollectionTarget, ReportSettings
from reports.periods import Period
from reports.selectors.base import (
    CLC_BASE,
    _record_labels,
    clc_label,
    enrolled_students,
    holdings_standard,
    in_collection,
    ratio,
    school_stage,
    share,
    target_level,
)
from serials.selectors import year_statistics as periodical_statistics


def holdings(day: date, cap: int | None = None) -> dict:
    """Volumes, lendable volumes and value on `day`; with `cap` also titles and the volumes counted
    with duplicates capped (a second, grouped query: only the main period needs them)."""
    held = in_collection(day)
    row = held.aggregate(
        volumes=Count("id"), lendable=Count("id", filter=Q(location__is_lendable=True)), value=Sum("price")
    )
    if cap is not None:
        per_record = held.values("record").annotate(n=Count("id"), capped_n=Least(Count("id"), Value(cap))).order_by()
        grouped = per_record.aggregate(titles=Count("record"), volumes_capped=Sum("capped_n"))
        row["titles"] = grouped["titles"]
        row["volumes_capped"] = grouped["volumes_capped"] or 0
    return row


_COPIES_SQL = """
SELECT COALESCE(SUM(held), 0)::bigint, COALESCE(SUM(lendable), 0)::bigint, SUM(value),
       COUNT(*) FILTER (WHERE held > 0), COALESCE(SUM(LEAST(held, %(cap)s)), 0)::bigint,
       COALESCE(SUM(new), 0)::bigint, COUNT(*) FILTER (WHERE new > 0), SUM(new_spend),
       COALESCE(SUM(year_new), 0)::bigint,
       COALESCE(SUM(before), 0)::bigint, COALESCE(SUM(before_lendable), 0)::bigint, SUM(before_value)
FROM (
    SELECT c.record_id,
           COUNT(*) FILTER (WHERE c.acquired_on <= %(day)s AND NOT withdrawn_by_day) AS held,
           COUNT(*) FILTER (WHERE c.acquired_on <= %(day)s AND NOT withdrawn_by_day AND loc.is_lendable) AS lendable,
           SUM(c.price) FILTER (WHERE c.acquired_on <= %(day)s AND NOT withdrawn_by_day) AS value,
           COUNT(*) FILTER (WHERE c.acquired_on BETWEEN %(start)s AND %(day)s) AS new,
           SUM(c.price) FILTER (WHERE c.acquired_on BETWEEN %(start)s AND %(day)s) AS new_spend,
           COUNT(*) FILTER (WHERE c.acquired_on BETWEEN %(year_start)s AND %(day)s) AS year_new,
           COUNT(*) FILTER (WHERE c.acquired_on <= %(before)s AND NOT withdrawn_by_before) AS before,
           COUNT(*) FILTER (
               WHERE c.acquired_on <= %(before)s AND NOT withdrawn_by_before AND loc.is_lendable) AS before_lendable,
           SUM(c.price) FILTER (WHERE c.acquired_on <= %(before)s AND NOT withdrawn_by_before) AS before_value
      FROM catalog_copy c
      JOIN catalog_location loc ON loc.id = c.location_id,
      LATERAL (SELECT COALESCE(c.withdrawn_on <= %(day)s, false) AS withdrawn_by_day,
                      COALESCE(c.withdrawn_on <= %(before)s, false) AS withdrawn_by_before) w
     GROUP BY c.record_id
) per_record
"""


def copy_figures(period: Period, cap: int, before: date | None) -> dict:
    """holdings(period.end, cap), the period's acquisitions (collection_figures) and holdings(before)
    (the previous period's end, for the comparison) in one grouped pass over the copies."""
    day = period.end
    params = {
        "day": day,
        "start": period.start,
        "year_start": date(school_year_of(day), 8, 1),
        "cap": cap,
        "before": before or day,
    }
    with connection.cursor() as cursor:
        cursor.execute(_COPIES_SQL, params)
        row = cursor.fetchone()
    volumes, lendable, value, titles, capped, new, new_titles, new_spend, year_new, *previous = row
    return {
        "held": {
            "volumes": volumes,
            "lendable": lendable,
            "value": value,
            "titles": titles,
            "volumes_capped": capped,
        },
        "acquired": {"new_volumes": new, "new_titles": new_titles, "new_spend": new_spend},
        "year_new_volumes": year_new,
        "before": dict(zip(("volumes", "lendable", "value"), previous, strict=True)) if before else None,
    }


def collection_figures(
    period: Period,
    students: int,
    students_by_stage: dict[str, int],
    stage: str | None = None,
    *,
    held: dict | None = None,
    settings: ReportSettings | None = None,
    copies: dict | None = None,
) -> dict:
    """`copies`: copy_figures() of the period, when the caller has it (else asked here)."""
    day = period.end
    start, end = period.bounds()
    settings = settings or ReportSettings.current()
    row = dict(held or holdings(day, settings.duplicate_cap))
    row["duplicate_cap"] = settings.duplicate_cap
    copies = copies or copy_figures(period, settings.duplicate_cap, None)
    row.update(copies["acquired"])
    row["year_start"] = date(school_year_of(day), 8, 1)
    row["year_new_volumes"] = copies["year_new_volumes"]
    withdrawn = list(
        Copy.objects.filter(withdrawn_on__gte=period.start, withdrawn_on__lte=day)
        .values("withdrawal_reason")
        .annotate(volumes=Count("id"), value=Sum("price"))
        .order_by("withdrawal_reason")
    )
    reasons = dict(WithdrawalReason.choices)
    row["withdrawals"] = [
        {"reason": reasons.get(w["withdrawal_reason"], _("未注明")), "volumes": w["volumes"], "value": w["value"]}
        for w in withdrawn
    ]
    row["withdrawn_volumes"] = sum(w["volumes"] for w in withdrawn)
    row["withdrawn_value"] = sum((w["value"] or 0) for w in withdrawn)
    # 修补: copies sent to repair in the period, and those mended back (to the shelf or a hold).
    row.update(
        CopyStatusChange.objects.filter(changed_at__gte=start, changed_at__lt=end).aggregate(
            repairs_sent=Count("id", filter=Q(to_status=CopyStatus.REPAIR)),
            repairs_mended=Count(
                "id",
                filter=Q(from_status=CopyStatus.REPAIR, to_status__in=[CopyStatus.ON_SHELF, CopyStatus.ON_HOLD]),
            ),
        )
    )
    # 报刊: the subscriptions of the calendar year the period starts in (a 第一学期 ends in January
    # but reads the papers of the year before), check-ins counted up to the period's end.
    row["periodicals"] = periodical_statistics(period.start.year, min(day, timezone.localdate()))
    damage = Q(kind__in=Compensation.DAMAGE_KINDS)
    fine = Q(kind=Compensation.Kind.OVERDUE)
    paid = Q(status=Compensation.Status.PAID)
    row.update(
        Compensation.objects.filter(reported_at__gte=start, reported_at__lt=end).aggregate(
            compensation_cases=Count("id", filter=damage),
            compensation_amount=Sum("amount", filter=damage),
            compensation_paid=Sum("paid_amount", filter=damage & paid),
            fine_cases=Count("id", filter=fine),
            fine_amount=Sum("amount", filter=fine),
            fine_paid=Sum("paid_amount", filter=fine & paid),
        )
    )
    row["per_student"] = ratio(row["volumes"], students, 1)
    row["per_student_capped"] = ratio(row["volumes_capped"], students, 1)
    row["year_new_per_student"] = ratio(row["year_new_volumes"], students, 2)
    standard = holdings_standard(stage or school_stage(), students_by_stage)
    row["standard"] = standard
    if standard and row["per_student"] is not None:
        row["meets_standard"] = row["per_student"] >= standard["volumes_per_student"]
        row["standard_shortfall"] = max(
            Decimal(0), standard["volumes_per_student"] * students - row["volumes"]
        ).quantize(Decimal(1))
    else:
        row["meets_standard"] = None
        row["standard_shortfall"] = None
    return row


def students_by_stage(day: date) -> dict[str, int]:
    return {
        r["school_class__stage"]: r["n"]
        for r in enrolled_students(day).values("school_class__stage").annotate(n=Count("id")).order_by()
    }


def collection_analysis(day: date, years: int | None = None, limit: int | None = 200) -> dict:
    """馆藏结构 on `day`. The lists (复本过多, 长期未借) are cut at `limit` rows (None: all, for the export)."""
    settings = ReportSettings.current()
    years = years or settings.never_borrowed_years
    held = in_collection(day)
    by_class = {
        r["record__clc_base"]: r
        for r in held.values("record__clc_base")
        .annotate(volumes=Count("id"), titles=Count("record", distinct=True))
        .order_by()
    }
    total_volumes = sum(r["volumes"] for r in by_class.values())
    total_titles = held.aggregate(n=Count("record", distinct=True))["n"]
    classes = []
    for code in CLC_BASE:
        r = by_class.pop(code, {"volumes": 0, "titles": 0})
        classes.append(
            {
                "code": code,
                "name": clc_label(code),
                "titles": r["titles"],
                "volumes": r["volumes"],
                "share": share(r["volumes"], total_volumes),
            }
        )
    unclassified = {
        "volumes": sum(r["volumes"] for r in by_class.values()),
        "titles": sum(r["titles"] for r in by_class.values()),
    }
    if unclassified["volumes"]:
        classes.append(
            {
                "code": "",
                "name": _("未分类"),
                "titles": unclassified["titles"],
                "volumes": unclassified["volumes"],
                "share": share(unclassified["volumes"], total_volumes),
            }
        )
    by_code = {c["code"]: c for c in classes}
    stage = school_stage()
    level = target_level(stage)
    tolerance = Decimal(settings.structure_tolerance) / 100
    divisions = []
    for t in CollectionTarget.objects.filter(level=level).order_by("division"):
        volumes = sum(by_code[ch]["volumes"] for ch in t.classes if ch in by_code)
        titles = sum(by_code[ch]["titles"] for ch in t.classes if ch in by_code)
        actual = share(volumes, total_volumes)
        target = t.percent / 100
        flag = ""
        if actual is not None:
            if actual < target * (1 - tolerance):
                flag = "low"
            elif actual > target * (1 + tolerance):
                flag = "high"
        divisions.append(
            {
                "division": t.division,
                "name": _(t.name),  # a default name is translated, a school's own shown as typed
                "classes": t.classes,
                "titles": titles,
                "volumes": volumes,
                "share": actual,
                "target": target.quantize(Decimal("0.0001")),
                "flag": flag,
            }
        )
    # Age of the collection by year of publication, relative to the chosen date.
    age_rows = {
        r["record__pub_year"]: r["volumes"]
        for r in held.values("record__pub_year").annotate(volumes=Count("id")).order_by()
    }
    buckets = [
        (_("5年以内"), 0, 5),
        (_("6–10年"), 6, 10),
        (_("11–20年"), 11, 20),
        (_("20年以上"), 21, None),
    ]
    ages = []
    for label, low, high in buckets:
        n = sum(
            v
            for y, v in age_rows.items()
            if y is not None and day.year - y >= low and (high is None or day.year - y <= high)
        )
        ages.append({"label": label, "volumes": n, "share": share(n, total_volumes)})
    unknown = age_rows.get(None, 0)
    if unknown:
        ages.append({"label": _("出版年不详"), "volumes": unknown, "share": share(unknown, total_volumes)})
    # 复本过多: titles with more copies in the collection than the cap (grouped over the copies).
    over = list(
        held.values("record")
        .annotate(volumes=Count("id"))
        .filter(volumes__gt=settings.duplicate_cap)
        .order_by("-volumes", "record")
        .values_list("record", "volumes")[:limit]
    )
    records = _record_labels([pk for pk, _n in over])
    duplicates = [
        {
            "pk": pk,
            "title": records[pk]["title"],
            "authors": records[pk]["authors"],
            "call_number": records[pk]["call_number"],
            "volumes": n,
            "excess": n - settings.duplicate_cap,
        }
        for pk, n in over
    ]
    # 剔旧 candidates: titles held since before the cutoff with no loan since the cutoff.
    cutoff = date(day.year - years, day.month, min(day.day, 28))
    cutoff_dt = Period(start=cutoff, end=cutoff, label="", kind="range").bounds()[0]
    day_end = Period(start=day, end=day, label="", kind="range").bounds()[1]
    # NOT EXISTS (an anti-join), never NOT IN: a NOT IN subquery larger than work_mem is re-scanned
    # for every title (minutes on 300,000 loans).
    recently_lent = Exists(
        Loan.objects.filter(copy__record=OuterRef("pk"), checked_out_at__gte=cutoff_dt, checked_out_at__lt=day_end)
    )
    held_before_cutoff = held.filter(acquired_on__lte=cutoff).values("record_id")
    never = Record.objects.filter(pk__in=held_before_cutoff).filter(~recently_lent)
    # One pass: the first `limit` ids and, with COUNT(*) OVER (), how many there are in all.
    first = list(
        never.annotate(total=Window(Count("id"))).order_by("pub_year", "title", "pk").values_list("pk", "total")[:limit]
    )
    never_count = first[0][1] if first else 0
    never_ids = [pk for pk, _total in first]
    held_copy = Q(copies__acquired_on__lte=day) & (
        Q(copies__withdrawn_on__isnull=True) | Q(copies__withdrawn_on__gt=day)
    )
    never_rows = list(
        Record.objects.filter(pk__in=never_ids)
        .annotate(
            volumes=Count("copies", filter=held_copy, distinct=True), last_loan=Max("copies__loans__checked_out_at")
        )
        .order_by("pub_year", "title", "pk")
        .values("pk", "title", "authors", "call_number", "pub_year", "volumes", "last_loan")
    )
    return {
        "day": day,
        "volumes": total_volumes,
        "titles": total_titles,
        "classes": classes,
        "divisions": divisions,
        "level": level,
        "level_label": CollectionTarget.Level(level).label,
        "tolerance": settings.structure_tolerance,
        "ages": ages,
        "duplicates": duplicates,
        "duplicate_cap": settings.duplicate_cap,
        "never": never_rows,
        "never_count": never_count,
        "never_years": years,
        "cutoff": cutoff,
    }
