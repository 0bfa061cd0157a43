"""Writes of the reading app: the daily borrowing rankings and the recommended lists."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Record
from circulation.models import Loan, Term
from reading.exceptions import AlreadyOnList, AlreadyTakingPart
from reading.models import Activity, Participant, PopularBook, RankingState, ReadingList, ReadingListItem

RANKING_SIZE = 12


def shelves_changed() -> None:
    """Forget the cached front-page shelves (after the commit, so no one caches the old rows again)."""
    keys = [shelf_cache_key(code) for code, _name in settings.LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(keys))


def shelf_cache_key(language: str) -> str:
    return f"reading:shelves:{language}"


def ranking_period(today: date) -> tuple[date, date, str]:
    """This term (学期) if today is in one; else the last term that ended; else the last 120 days."""
    term = Term.objects.filter(start__lte=today, end__gte=today).first()
    if term is None:
        term = Term.objects.filter(end__lt=today).order_by("-end").first()
    if term is not None:
        return term.start, min(term.end, today), term.name
    start = today - timedelta(days=120)
    return start, today, _("近 120 天")


def rankings_refresh(*, now: datetime | None = None) -> int:
    """Recompute the term's most-borrowed books, of the whole school and of each grade.

    Counts loans (册次) whose checkout falls in the period; a book borrowed by a single class
    still counts, but the table names books only. Returns the number of places written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end, label = ranking_period(today)
    tz = timezone.get_current_timezone()
    start_at = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    end_at = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    loans = Loan.objects.filter(checked_out_at__gte=start_at, checked_out_at__lt=end_at)
    rows: list[PopularBook] = []
    overall = loans.values(record_id=F("copy__record_id")).annotate(n=Count("pk")).order_by("-n", "record_id")
    rows += [
        PopularBook(stage="", grade=None, rank=i, record_id=row["record_id"], loans=row["n"])
        for i, row in enumerate(overall[:RANKING_SIZE], start=1)
    ]
    per_grade = (
        loans.filter(reader_kind="student", grade__isnull=False, school_class__isnull=False)
        .values("grade", stage=F("school_class__stage"), record_id=F("copy__record_id"))
        .annotate(n=Count("pk"))
        .order_by("stage", "grade", "-n", "record_id")
    )
    counts: dict[tuple[str, int], int] = {}
    for row in per_grade:
        key = (row["stage"], row["grade"])
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= RANKING_SIZE:
            rows.append(
                PopularBook(
                    stage=row["stage"], grade=row["grade"], rank=counts[key], record_id=row["record_id"], loans=row["n"]
                )
            )
    with transaction.atomic():
        state = RankingState.current()
        state = RankingState.objects.select_for_update().get(pk=state.pk)
        PopularBook.objects.all().delete()
        PopularBook.objects.bulk_create(rows)
        state.computed_on = today
        state.computed_at = now
        state.period_start, state.period_end, state.period_label = start, end, label
        state.save()
        shelves_changed()
    return len(rows)


def rankings_refresh_daily(*, now: datetime | None = None) -> int | None:
    """Refresh the rankings once a day, whoever comes first (the daily chores of
    circulation.middleware); None if they were already computed today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    state = RankingState.current()
    claimed = (
        RankingState.objects.filter(pk=state.pk)
        .filter(Q(computed_on__isnull=True) | Q(computed_on__lt=today))
        .update(computed_on=today)
    )
    if not claimed:
        return None
    try:
        return rankings_refresh(now=now)
    except Exception:
        RankingState.objects.filter(pk=state.pk).update(computed_on=state.computed_on)  # try again later
        raise


def reading_list_save(*, reading_list: ReadingList, by=None) -> ReadingList:
    with transaction.atomic():
        if reading_list.pk is None:
            reading_list.created_by = by
        if not reading_list.stage:
            reading_list.grade = None
        reading_list.save()
        shelves_changed()
    return reading_list


def reading_list_add(*, reading_list: ReadingList, record: Record, note: str = "", by=None) -> ReadingListItem:
    """Put a catalogue record on a list (at its end)."""
    with transaction.atomic():
        reading_list = ReadingList.objects.select_for_update().get(pk=reading_list.pk)
        if reading_list.items.filter(record=record).exists():
            raise AlreadyOnList(_("《%(title)s》已在这份书目中。") % {"title": record.title})
        last = reading_list.items.aggregate(m=Max("position"))["m"] or 0
        item = ReadingListItem.objects.create(
            reading_list=reading_list,
            record=record,
            title=record.title,
            authors=record.authors,
            isbn=record.isbn,
            note=note.strip(),
            position=last + 1,
        )
        reading_list.save(update_fields=["updated_at"])
        shelves_changed()
    return item


def reading_list_item_note(*, item: ReadingListItem, note: str, by=None) -> ReadingListItem:
    with transaction.atomic():
        item.note = note.strip()
        item.save(update_fields=["note"])
        shelves_changed()
    return item


def reading_list_item_remove(*, item: ReadingListItem, by=None) -> None:
    with transaction.atomic():
        item.delete()
        shelves_changed()


def reading_lists_import(*, title: str, kind: str, rows, featured: bool = False, by=None) -> list[ReadingList]:
    """Make one list per grade found in the imported rows (rows without a grade make one list),
    each book matched to the catalogue or kept as a title the library lacks (the wish-list)."""
    from circulation.naming import grade_name

    groups: dict[tuple[str, int | None], list] = {}
    for row in rows:
        groups.setdefault((row.stage, row.grade), []).append(row)
    made = []
    with transaction.atomic():
        for (stage, grade), group in groups.items():
            name = title if len(groups) == 1 or not stage else f"{title} · {grade_name(stage, grade)}"
            reading_list = ReadingList.objects.create(
                title=name[:120], kind=kind, stage=stage, grade=grade, featured=featured, created_by=by
            )
            seen: set[int] = set()
            items = []
            for position, row in enumerate(group, start=1):
                record = row.record
                if record is not None:
                    if record.pk in seen:
                        continue  # the same book twice in one grade's list
                    seen.add(record.pk)
                items.append(
                    ReadingListItem(
                        reading_list=reading_list,
                        record=record,
                        title=row.title,
                        authors=row.authors,
                        isbn=row.isbn,
                        note=row.note,
                        position=position,
                    )
                )
            ReadingListItem.objects.bulk_create(items)
            made.append(reading_list)
        shelves_changed()
    return made


# --- 读书活动 ---------------------------------------------------------------------------------


def activity_save(*, activity: Activity, classes=None, by=None) -> Activity:
    with transaction.atomic():
        if activity.pk is None:
            activity.created_by = by
        activity.save()
        if classes is not None:
            activity.classes.set(classes)
    return activity


def participant_add(*, activity: Activity, reader, by=None) -> Participant:
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.participants.filter(reader=reader).exists():
            raise AlreadyTakingPart(_("%(name)s 已在参加者名单中。") % {"name": reader.name})
        return Participant.objects.create(activity=activity, reader=reader)


def participant_result(
    *, participant: Participant, prize: str, work_title: str, attachment: tuple[bytes, str] | None = None, by=None
) -> Participant:
    """Record a participant's result; a new attachment replaces the old file (removed after commit)."""
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        participant.prize = prize
        participant.work_title = work_title.strip()
        fields = ["prize", "work_title"]
        if attachment is not None:
            content, ext = attachment
            old = participant.attachment.name if participant.attachment else ""
            participant.attachment.save(
                f"{participant.activity_id}-{participant.pk}.{ext}", ContentFile(content), save=False
            )
            fields.append("attachment")
            if old and old != participant.attachment.name:
                storage = participant.attachment.storage
                transaction.on_commit(lambda: storage.delete(old))
        participant.save(update_fields=fields)
    return participant


def participant_remove(*, participant: Participant, by=None) -> None:
    with transaction.atomic():
        name = participant.attachment.name if participant.attachment else ""
        storage = participant.attachment.storage
        participant.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
