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
from circulation.models import Loan, Reader, SchoolClass, Term
from reading.exceptions import AlreadyOnList, AlreadyTakingPart, HonoursPublished, ReadingError
from reading.models import (
    Activity,
    Honour,
    HonourRound,
    Participant,
    PopularBook,
    RankingState,
    ReadingList,
    ReadingListItem,
    ReadingNote,
    Stage,
)

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


def rankings_refresh_chore() -> bool:
    """The daily chore (library.daily): nothing is left for the next request."""
    rankings_refresh_daily()
    return False


def rankings_refresh_daily(*, now: datetime | None = None) -> int | None:
    """Refresh the rankings once a day, whoever comes first (the daily chores of
    library.daily); None if they were already computed today."""
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


# --- 表彰: 读书之星, 读书积极分子, 先进班级 ------------------------------------------------------------


def _term_bounds(term) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(term.start, datetime.min.time(), tzinfo=tz),
        datetime.combine(term.end + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )


def _locked_draft(honour_round: HonourRound) -> HonourRound:
    honour_round = HonourRound.objects.select_for_update().get(pk=honour_round.pk)
    if honour_round.status != HonourRound.Status.DRAFT:
        raise HonoursPublished(_("表彰已公布，不能再修改。"))
    return honour_round


def honours_propose(*, honour_round: HonourRound, by=None, now: datetime | None = None) -> int:
    """Propose the term's honours by the round's rules, replacing the earlier proposal.

    读书之星 then 读书积极分子: the pupils of each class (scope 按年级: of each grade, all its classes
    together) with the highest score, the books borrowed in the term (counted in the class they were
    in at checkout) plus `notes_weight` for each reading note of the term, with a score of at least
    `min_loans`; a pupil with a loan of the term
    returned late, or still out past its due date, is left out when `overdue_disqualifies`.
    先进班级: the classes with the most loans per pupil now in the class."""
    today = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        honour_round = _locked_draft(honour_round)
        start, end = _term_bounds(honour_round.term)
        loans = Loan.objects.filter(
            checked_out_at__gte=start,
            checked_out_at__lt=end,
            reader__isnull=False,
            reader_kind="student",
            school_class__isnull=False,
        )
        late: set[int] = set()
        if honour_round.overdue_disqualifies:
            late = set(
                loans.filter(
                    Q(returned_at__isnull=False, returned_at__date__gt=F("due_date"))
                    | Q(returned_at__isnull=True, due_date__lt=today)
                ).values_list("reader_id", flat=True)
            )
        # Each pupil's loans of the term, in the class of the (latest) checkout, and reading notes.
        pupils_seen: dict[int, dict] = {}
        for row in loans.values("reader_id", "school_class_id").annotate(n=Count("pk")).order_by("reader_id", "n"):
            entry = pupils_seen.setdefault(row["reader_id"], {"class": row["school_class_id"], "loans": 0, "notes": 0})
            entry["loans"] += row["n"]
            entry["class"] = row["school_class_id"]  # the class most of the loans were made in
        if honour_round.notes_weight:
            notes = (
                ReadingNote.objects.filter(
                    written_on__gte=honour_round.term.start,
                    written_on__lte=honour_round.term.end,
                    reader__kind="student",
                    reader__school_class__isnull=False,
                )
                .values("reader_id", "reader__school_class_id")
                .annotate(n=Count("pk"))
            )
            for row in notes:
                entry = pupils_seen.setdefault(
                    row["reader_id"], {"class": row["reader__school_class_id"], "loans": 0, "notes": 0}
                )
                entry["notes"] = row["n"]

        def score(entry: dict) -> int:
            return entry["loans"] + honour_round.notes_weight * entry["notes"]

        group_of = _honour_groups(honour_round, {entry["class"] for entry in pupils_seen.values()})
        ranked_pupils = sorted(pupils_seen.items(), key=lambda kv: (group_of[kv[1]["class"]], -score(kv[1]), kv[0]))
        honours: list[Honour] = []
        taken: dict = {}
        for reader_id, entry in ranked_pupils:
            if reader_id in late or score(entry) < honour_round.min_loans:
                continue
            group = group_of[entry["class"]]
            place = taken.get(group, 0)
            if place < honour_round.stars_per_class:
                kind = Honour.Kind.STAR
            elif place < honour_round.stars_per_class + honour_round.active_per_class:
                kind = Honour.Kind.ACTIVE
            else:
                continue
            taken[group] = place + 1
            honours.append(
                Honour(
                    round=honour_round,
                    kind=kind,
                    reader_id=reader_id,
                    school_class_id=entry["class"],
                    loans=entry["loans"],
                    notes=entry["notes"],
                )
            )
        per_class = dict(loans.values("school_class_id").annotate(n=Count("pk")).values_list("school_class_id", "n"))
        pupils = dict(
            Reader.objects.filter(school_class_id__in=per_class, kind="student", is_active=True)
            .values("school_class_id")
            .annotate(n=Count("pk"))
            .values_list("school_class_id", "n")
        )
        ranked = sorted((pk for pk in per_class if pupils.get(pk)), key=lambda pk: (-per_class[pk] / pupils[pk], pk))[
            : honour_round.classes_count
        ]
        honours += [
            Honour(round=honour_round, kind=Honour.Kind.CLASS, school_class_id=pk, loans=per_class[pk]) for pk in ranked
        ]
        honour_round.honours.all().delete()
        Honour.objects.bulk_create(honours)
    return len(honours)


def _honour_groups(honour_round: HonourRound, class_ids: set[int]) -> dict[int, tuple]:
    """The group each class's pupils compete in: the class itself, or (scope 按年级) the class's
    grade at the end of the term, (stage order, grade), so that 三年级 pupils of all classes compete."""
    if honour_round.scope != HonourRound.Scope.GRADE:
        return {pk: ("class", pk) for pk in class_ids}
    stages = {s: i for i, s in enumerate(Stage.values)}
    return {
        c.pk: ("grade", stages.get(c.stage, 9), c.grade_on(honour_round.term.end))
        for c in SchoolClass.objects.filter(pk__in=class_ids).only("pk", "stage", "entry_year")
    }


def honour_add(*, honour_round: HonourRound, reader: Reader, kind: str, by=None) -> Honour:
    with transaction.atomic():
        honour_round = _locked_draft(honour_round)
        if reader.school_class_id is None:
            raise ReadingError(_("%(name)s 没有班级。") % {"name": reader.name})
        if honour_round.honours.filter(reader=reader).exists():
            raise ReadingError(_("%(name)s 已在表彰名单中。") % {"name": reader.name})
        start, end = _term_bounds(honour_round.term)
        loans = Loan.objects.filter(reader=reader, checked_out_at__gte=start, checked_out_at__lt=end).count()
        return Honour.objects.create(
            round=honour_round, kind=kind, reader=reader, school_class_id=reader.school_class_id, loans=loans
        )


def honour_remove(*, honour: Honour, by=None) -> None:
    with transaction.atomic():
        _locked_draft(honour.round)
        honour.delete()


def honours_publish(*, honour_round: HonourRound, by=None, now: datetime | None = None) -> HonourRound:
    with transaction.atomic():
        honour_round = _locked_draft(honour_round)
        honour_round.status = HonourRound.Status.PUBLISHED
        honour_round.published_on = timezone.localdate(now or timezone.now())
        honour_round.save(update_fields=["status", "published_on"])
    return honour_round


# --- 读书笔记 -------------------------------------------------------------------------------------


def reading_note_record(*, reader: Reader, book_title: str, written_on, note: str = "", by=None) -> ReadingNote:
    """Record a pupil's reading note; the book is linked to the catalogue when its title is unambiguous."""
    from reading.importing import match_record

    book_title = book_title.strip()
    with transaction.atomic():
        return ReadingNote.objects.create(
            reader=reader,
            record=match_record(isbn="", title=book_title, authors=""),
            book_title=book_title,
            written_on=written_on,
            note=note.strip(),
            recorded_by=by,
        )


def reading_note_remove(*, note: ReadingNote, by=None) -> None:
    with transaction.atomic():
        note.delete()
