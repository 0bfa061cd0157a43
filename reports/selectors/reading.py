"""Reading promotion in the reports (reads only): the period's reading activities and published
honours for the semester summary, and a pupil's reading notes for the reading record.

Kept apart from the summary's figures (reports.selectors.summary and its cache): these are a few
small queries over the reading app's tables, computed for every request.
"""

from django.db.models import Count, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reading.models import Activity, Honour, HonourRound, ReadingNote
from reports.periods import Period

HONOUR_KINDS = [Honour.Kind.STAR, Honour.Kind.ACTIVE, Honour.Kind.CLASS]


def reading_activities(period: Period) -> list[dict]:
    """The activities held (at least partly) in the period, oldest first, with their participants
    and prizes (获奖: any prize level) counted."""
    rows = (
        Activity.objects.filter(start__lte=period.end, end__gte=period.start)
        .annotate(
            n_participants=Count("participants", distinct=True),
            n_prizes=Count("participants", filter=~Q(participants__prize=""), distinct=True),
        )
        .order_by("start", "pk")
    )
    return [
        {
            "name": a.name,
            "kind": a.get_kind_display(),
            "start": a.start,
            "end": a.end,
            "participants": a.n_participants,
            "prizes": a.n_prizes,
        }
        for a in rows
    ]


def published_honours(period: Period, *, with_names: bool) -> list[dict]:
    """The published honour rounds of the terms that overlap the period: counts per honour (读书之星,
    读书积极分子, 先进班级) and, only when `with_names` (pages for staff), the pupils and classes."""
    rounds = list(
        HonourRound.objects.filter(
            status=HonourRound.Status.PUBLISHED, term__start__lte=period.end, term__end__gte=period.start
        )
        .select_related("term")
        .order_by("term__start", "published_on", "pk")
    )
    counts: dict[int, dict[str, int]] = {}
    for row in Honour.objects.filter(round__in=rounds).values("round_id", "kind").annotate(n=Count("pk")).order_by():
        counts.setdefault(row["round_id"], {})[row["kind"]] = row["n"]
    names: dict[int, list[dict]] = {}
    if with_names and rounds:
        order = {kind: i for i, kind in enumerate(HONOUR_KINDS)}
        entries = Honour.objects.filter(round__in=rounds).select_related("reader", "school_class")
        for h in sorted(entries, key=lambda h: (h.round_id, order.get(h.kind, 9), h.school_class_id, h.pk)):
            names.setdefault(h.round_id, []).append(
                {
                    "kind": h.get_kind_display(),
                    "class_name": h.school_class.name_on(period.end),
                    "name": h.reader.name if h.reader_id else "",
                }
            )
    return [
        {
            "title": r.title,
            "term": r.term.label,
            "published_on": r.published_on,
            "counts": [(kind.value, kind.label, counts.get(r.pk, {}).get(kind.value, 0)) for kind in HONOUR_KINDS],
            "total": sum(counts.get(r.pk, {}).values()),
            "names": names.get(r.pk, []),
        }
        for r in rounds
    ]


def reading_promotion(period: Period, *, with_names: bool) -> dict:
    """The summary's 阅读推广 section: activities and published honours of the period."""
    return {
        "activities": reading_activities(period),
        "honours": published_honours(period, with_names=with_names),
    }


def reading_promotion_text(reading: dict) -> str:
    """Sentences for the draft 工作总结 (counts only: the draft is copied into documents)."""
    parts = []
    activities = reading["activities"]
    if activities:
        named = _("、").join(_("“%(name)s”") % {"name": a["name"]} for a in activities)
        parts.append(
            _("本期开展读书活动%(n)s项（%(names)s），参加%(participants)s人次，获奖%(prizes)s人次。")
            % {
                "n": len(activities),
                "names": named,
                "participants": sum(a["participants"] for a in activities),
                "prizes": sum(a["prizes"] for a in activities),
            }
        )
    units = {
        Honour.Kind.STAR.value: _("读书之星%(n)s名"),
        Honour.Kind.ACTIVE.value: _("读书积极分子%(n)s名"),
        Honour.Kind.CLASS.value: _("先进班级%(n)s个"),
    }
    for r in reading["honours"]:
        counts = _("、").join(units[kind] % {"n": n} for kind, _label, n in r["counts"] if n)
        if counts:
            parts.append(_("%(title)s共表彰%(counts)s。") % {"title": r["title"], "counts": counts})
        else:
            parts.append(_("%(title)s已公布，无人获表彰。") % {"title": r["title"]})
    gap = "" if (get_language() or "zh-hans").startswith("zh") else " "
    return gap.join(parts)


def with_reading(text: str, reading: dict) -> str:
    """The draft 工作总结 with the reading promotion sentences after the figures."""
    extra = reading_promotion_text(reading)
    if not extra:
        return text
    gap = "" if (get_language() or "zh-hans").startswith("zh") else " "
    return f"{text}{gap}{extra}" if text else extra


def reading_notes(reader, period: Period) -> dict:
    """A reader's reading notes (读书笔记) written in the period, oldest first."""
    notes = list(
        ReadingNote.objects.filter(reader=reader, written_on__gte=period.start, written_on__lte=period.end)
        .select_related("record")
        .order_by("written_on", "pk")
    )
    return {"notes": notes, "count": len(notes)}
