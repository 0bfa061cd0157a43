"""Readers and cards (办证率, participation), 读书之星 and a reader's 借阅记录."""

from django.utils.translation import gettext as _

from circulation.models import AnonymousBorrower, Reader, ReaderKind, school_year_of
from circulation.naming import class_name, grade_name
from reports.periods import Period
from reports.selectors.base import STAFF_KINDS, STAGE_ORDER, loans_in, share
from reports.selectors.period_pass import PeriodPass


def reader_figures(period: Period, figures: PeriodPass | None = None) -> dict:
    """Enrolled students and staff at the end of the period, how many held a valid card (办证率) and
    how many of them borrowed in the period (participation numerators)."""
    figures = figures or PeriodPass(period)
    row = dict.fromkeys(
        ("students", "students_carded", "students_borrowed", "students_carded_borrowed", "staff", "staff_carded"),
        0,
    )
    row["staff_carded_borrowed"] = 0
    for r in figures.enrolment:  # grouped by kind and class: a few dozen rows
        if r["kind"] == ReaderKind.STUDENT:
            row["students"] += r["n"]
            row["students_carded"] += r["carded_n"]
            row["students_borrowed"] += r["borrowed_n"]
            row["students_carded_borrowed"] += r["carded_borrowed_n"]
        elif r["kind"] in STAFF_KINDS:
            row["staff"] += r["n"]
            row["staff_carded"] += r["carded_n"]
            row["staff_carded_borrowed"] += r["carded_borrowed_n"]
    # Borrowers whose loans were anonymised are no longer found from the reader: add them back.
    for b in figures.anonymous_borrowed():
        if not b["enrolled"]:
            continue
        if b["kind"] == ReaderKind.STUDENT:
            row["students_borrowed"] += 1
            row["students_carded_borrowed"] += b["carded"]
        elif b["kind"] in STAFF_KINDS:
            row["staff_carded_borrowed"] += b["carded"]
    row["student_card_rate"] = share(row["students_carded"], row["students"])
    row["staff_card_rate"] = share(row["staff_carded"], row["staff"])
    row.update(figures.loans["cards"])
    return row


def class_enrolment(period: Period, figures: PeriodPass | None = None) -> dict[int, dict]:
    """Per class, at the end of the period: students enrolled, with a valid card, with no loan in the period."""
    figures = figures or PeriodPass(period)
    by_class = {
        r["school_class"]: {
            "school_class": r["school_class"],
            "students": r["n"],
            "carded": r["carded_n"],
            "no_loan": r["n"] - r["borrowed_n"],
        }
        for r in figures.enrolment
        if r["kind"] == ReaderKind.STUDENT
    }
    for b in figures.anonymous_borrowed():  # anonymised borrowers borrowed, though no loan names them
        if b["enrolled"] and b["kind"] == ReaderKind.STUDENT and b["school_class"] in by_class:
            by_class[b["school_class"]]["no_loan"] -= 1
    return by_class


def top_readers(period: Period, limit: int = 10, figures: PeriodPass | None = None) -> list[dict]:
    """读书之星: students with the most loans in the period (ties share a rank).

    Ranked in the period's pass over loans grouped by borrower only (narrow rows): the first
    `limit` ranks, at most 3 × limit + 1 rows; names and classes are fetched after.
    """
    if figures is None or figures.limits["stars"] != limit:
        figures = PeriodPass(period, stars=limit)
    ranked = figures.loans["stars"]
    readers = _reader_labels([r["borrower"] for r in ranked])
    stars = [
        _star(
            {
                "rank": r["rank"],
                "reader": r["borrower"],
                "loans": r["loans"],
                **{f"reader__{k}": v for k, v in readers[r["borrower"]].items()},
            },
            period,
        )
        for r in ranked
    ]
    stars.sort(key=lambda s: (s["rank"], s["student_number"] or "", s["reader_id"] or 0))
    # Ties share a rank; a long tie on the last place is cut at three times the limit.
    return stars[: limit * 3]


def _reader_labels(ids: list[int]) -> dict[int, dict]:
    """Name, 学号 and class per borrower id; an anonymised borrower (negative id) is shown without a
    name, in the class they were in."""
    rows = Reader.objects.filter(pk__in=[i for i in ids if i > 0]).values(
        "pk", "name", "student_number", "school_class__stage", "school_class__entry_year", "school_class__number"
    )
    labels = {r.pop("pk"): r for r in rows}
    negative = [i for i in ids if i < 0]
    anonymous = AnonymousBorrower.objects.filter(pk__in=negative).values(
        "pk", "school_class__stage", "school_class__entry_year", "school_class__number"
    )
    for r in anonymous if negative else []:
        labels[r.pop("pk")] = {"name": _("（已匿名）"), "student_number": None, **r}
    return labels


def top_readers_by_grade(period: Period, limit: int = 3, figures: PeriodPass | None = None) -> list[dict]:
    """读书之星 per grade at checkout: RANK() partitioned by stage and grade over the grouped loans
    (in the period's pass: Django puts a partitioned window over an aggregate into GROUP BY)."""
    if figures is None or figures.limits["grade_stars"] != limit:
        figures = PeriodPass(period, grade_stars=limit)
    ranked = [(r["stage"], r["grade"], r["borrower"], r["loans"], r["rank"]) for r in figures.loans["grade_stars"]]
    readers = _reader_labels([row[2] for row in ranked])
    out = []
    for stage, grade, reader_id, loans, rank in ranked:
        r = readers[reader_id]
        star = _star(
            {
                "rank": rank,
                "reader": reader_id,
                "reader__name": r["name"],
                "reader__student_number": r["student_number"],
                "reader__school_class__stage": r["school_class__stage"],
                "reader__school_class__entry_year": r["school_class__entry_year"],
                "reader__school_class__number": r["school_class__number"],
                "loans": loans,
            },
            period,
        )
        star.update(grade_name=grade_name(stage, grade), stage=stage, grade=grade)
        out.append(star)
    out.sort(key=lambda s: (STAGE_ORDER.get(s["stage"], 9), s["grade"], s["rank"], s["student_number"] or ""))
    # Ties share a rank; a long tie is cut at three times the limit per grade.
    shown: dict[tuple, int] = {}
    kept = []
    for star in out:
        key = (star["stage"], star["grade"])
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= limit * 3:
            kept.append(star)
    return kept


def _star(r: dict, period: Period) -> dict:
    entry = r["reader__school_class__entry_year"]
    klass = (
        class_name(
            r["reader__school_class__stage"],
            school_year_of(period.end) - entry + 1,
            r["reader__school_class__number"],
        )
        if entry
        else ""
    )
    return {
        "rank": r["rank"],
        "reader_id": r["reader"] if r["reader"] > 0 else None,  # None: anonymised, no page to link
        "name": r["reader__name"],
        "student_number": r["reader__student_number"],
        "class_name": klass,
        "loans": r["loans"],
    }


def reading_record(reader: Reader, period: Period) -> dict:
    """A reader's loans in the period (借阅记录), oldest first."""
    loans = list(
        loans_in(period)
        .filter(reader=reader)
        .select_related("copy__record", "school_class")
        .order_by("checked_out_at", "pk")
    )
    return {
        "loans": loans,
        "count": len(loans),
        "titles": len({loan.copy.record_id for loan in loans}),
        "renewals": sum(loan.renewals for loan in loans),
    }
