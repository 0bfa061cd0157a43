"""Queries shared by the circulation pages (each with the joins its template needs)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Copy, Record
from circulation import privacy, services
from circulation.exceptions import NoPolicy
from circulation.models import Compensation, Hold, LibraryCard, Loan, LoanPolicy, Reader, SchoolClass


@dataclass
class ReaderPanel:
    reader: Reader
    policy: LoanPolicy | None
    loans: list
    ready_holds: list
    unpaid: list
    blocks: list = field(default_factory=list)
    today: date | None = None


def reader_panel(
    reader_id: int,
    today: date | None = None,
    *,
    state: Reader | None = None,
    policy: LoanPolicy | None = None,
    lent: Loan | None = None,
    returned: Loan | None = None,
) -> ReaderPanel | None:
    """Everything the desk shows about a reader: one to three queries whatever their history.

    The reader's state (services.reader_state) carries their open loans, so the panel reads only
    the holds and compensation, when the state says there are any. `state` and `policy` may come
    from a checkout or return that just read them under its lock: then `lent` is the loan just made
    (not yet in that state) or `returned` the loan just closed (still in it). None when no such
    reader exists.
    """
    today = today or timezone.localdate()
    reader = state if state is not None else services.reader_state(reader_id, today)
    if reader is None:
        return None
    if policy is None:
        try:
            policy = services.policy_for(reader, today)
        except NoPolicy:
            policy = None
    loans = [_loan_from_row(row, reader_id) for row in reader.open_loans]
    if returned is not None:
        loans = [loan for loan in loans if loan.pk != returned.pk]
    if lent is not None and all(loan.pk != lent.pk for loan in loans):
        loans.append(lent)
        loans.sort(key=lambda loan: (loan.due_date, loan.pk))
    for loan in loans:
        loan.overdue_days = max((today - loan.due_date).days, 0)
        loan.can_renew = (
            policy is not None
            and loan.renewals < policy.max_renewals
            and not (loan.overdue_days and policy.overdue_blocks)
        )
    reader.n_open = sum(1 for loan in loans if loan.counts_toward_limit)
    reader.n_overdue = sum(1 for loan in loans if loan.overdue_days)
    ready = []
    if reader.has_ready_holds:
        ready = list(
            Hold.objects.filter(reader_id=reader_id, status=Hold.Status.READY)
            .select_related("record", "copy")
            .only("expires_on", "reader_id", "record__title", "copy__barcode")
        )
    unpaid = []
    if reader.has_unpaid:
        unpaid = list(Compensation.objects.filter(reader_id=reader_id, status=Compensation.Status.UNPAID))
    blocks = services.reader_blocks(reader, policy)
    if policy is None:
        blocks.append(str(NoPolicy()))
    return ReaderPanel(
        reader=reader, policy=policy, loans=loans, ready_holds=ready, unpaid=unpaid, blocks=blocks, today=today
    )


def _loan_from_row(row, reader_id: int) -> Loan:
    """A loan as the panel shows it, from reader_state()'s open_loans row (display only)."""
    pk, due, renewals, barcode, title, counts, volume_label = row
    loan = Loan(
        pk=pk, reader_id=reader_id, due_date=date.fromisoformat(due), renewals=renewals, counts_toward_limit=counts
    )
    loan.copy = Copy(barcode=barcode, volume_label=volume_label, record=Record(title=title))
    return loan


def recently_expired_holds(today: date, days: int = 7) -> list:
    """Holds that expired in the last `days` days, each with `now_for`: the ready hold its copy passed
    to (the next reader in the queue), or None when the copy went back to the shelf. The librarian
    takes these books off the hold shelf, or puts a new slip in them."""
    since = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    expired = list(
        Hold.objects.filter(status=Hold.Status.EXPIRED, closed_at__gte=since, copy__isnull=False)
        .select_related("record", "copy", "reader__school_class")
        .order_by("-closed_at", "-pk")
    )
    passed_on = {
        h.copy_id: h
        for h in Hold.objects.filter(status=Hold.Status.READY, copy_id__in=[h.copy_id for h in expired]).select_related(
            "reader"
        )
    }
    for hold in expired:
        hold.now_for = passed_on.get(hold.copy_id)
    return expired


def find_readers(query: str, limit: int = 20):
    """Readers by card number, 学号, name or pinyin (full or initials)."""
    return search_readers(query)[:limit]


def search_readers(query: str):
    """find_readers() without the limit: a queryset that can still be filtered (by class, kind)."""
    query = (query or "").strip()
    if not query:
        return Reader.objects.none()
    q = Q(student_number=query) | Q(name__contains=query) | Q(cards__number=query)
    if query.isascii():
        q |= Q(name_pinyin__icontains=query.lower())
    return (
        Reader.objects.filter(q)
        .select_related("school_class")
        .distinct()
        .order_by("-is_active", "kind", "student_number", "name")
    )


def identify_code(code: str) -> str | None:
    """What a scanned code is: "card" (a library card number), "copy" (a copy barcode) or None.

    One query for the desk's most frequent scan, a book; a card wins if a number is both.
    """
    card, copy = LibraryCard._meta.db_table, Copy._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'card' FROM {card} WHERE number = %s UNION ALL SELECT 'copy' FROM {copy} WHERE barcode = %s "
            "ORDER BY 1 LIMIT 1",
            [code, code],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def card_by_number(number: str):
    return LibraryCard.objects.select_related("reader").filter(number=(number or "").strip()).first()


def class_coverage(day: date):
    """办证率 per active class: students with a valid card / active students."""
    rows = (
        SchoolClass.objects.filter(is_active=True)
        .select_related("head_teacher")
        .annotate(
            students=Count("readers", filter=Q(readers__kind="student", readers__is_active=True), distinct=True),
            with_card=Count(
                "readers",
                filter=Q(readers__kind="student", readers__is_active=True, readers__cards__status="valid"),
                distinct=True,
            ),
        )
    )
    result = []
    for c in rows:
        c.name = c.name_on(day)
        c.grade = c.grade_on(day)
        c.rate = round(100 * c.with_card / c.students, 1) if c.students else None
        result.append(c)
    result.sort(key=lambda c: (c.stage, c.grade, c.number))
    return result


def overdue_loans(today: date, school_class: SchoolClass | None = None, classes=None, *, viewer=None):
    """The overdue loans with their readers' names. With `viewer`, only for someone who may see them
    (see circulation.privacy): a librarian, or the head teacher of every class asked for; anyone
    else gets PermissionDenied (a student assistant gets overdue_counts_by_class instead)."""
    if viewer is not None and not privacy.sees_reader_names(viewer):
        asked = [school_class] if school_class is not None else list(classes or [])
        if not asked or not all(privacy.may_see_class(viewer, c) for c in asked):
            raise PermissionDenied
    qs = (
        Loan.objects.filter(returned_at__isnull=True, due_date__lt=today)
        .select_related("reader__school_class", "copy__record")
        .order_by("reader__school_class__stage", "-reader__school_class__entry_year", "reader__school_class__number")
    )
    if school_class is not None:
        qs = qs.filter(reader__school_class=school_class)
    if classes is not None:
        qs = qs.filter(reader__school_class__in=classes)
    rows = list(qs.order_by("reader__student_number", "reader__name", "due_date"))
    for loan in rows:
        loan.overdue_days = (today - loan.due_date).days
    return rows


def copy_due_dates(copy_ids) -> dict[int, date]:
    """{copy id: due date} of the open loans of these copies (the catalogue's record page asks
    through catalog.hooks.due_dates)."""
    return dict(Loan.objects.filter(copy_id__in=copy_ids, returned_at__isnull=True).values_list("copy_id", "due_date"))


def overdue_counts_by_class(today: date) -> list[dict]:
    """Overdue books as counts per class, with no reader named: what a student assistant sees.

    Each row: school_class (None for teachers and staff), name, loans, readers."""
    rows = (
        Loan.objects.filter(returned_at__isnull=True, due_date__lt=today)
        .values("reader__school_class")
        .annotate(loans=Count("id"), readers=Count("reader", distinct=True))
        .order_by()
    )
    classes = SchoolClass.objects.in_bulk([r["reader__school_class"] for r in rows if r["reader__school_class"]])
    out = []
    for r in rows:
        c = classes.get(r["reader__school_class"])
        out.append(
            {"school_class": c, "name": c.name_on(today) if c else None, "loans": r["loans"], "readers": r["readers"]}
        )
    stages = list(SchoolClass.Stage.values)
    out.sort(
        key=lambda r: (
            (stages.index(r["school_class"].stage), -r["school_class"].entry_year, r["school_class"].number)
            if r["school_class"]
            else (len(stages), 0, 0)
        )
    )
    return out


# Stages in school order for sorting readers (小学, 初中, 高中; readers without a class last).
_STAGE_RANK = Case(
    When(school_class__stage="primary", then=Value(0)),
    When(school_class__stage="junior", then=Value(1)),
    When(school_class__stage="senior", then=Value(2)),
    default=Value(9),
    output_field=IntegerField(),
)


def _count_of(loans) -> Coalesce:
    counted = loans.order_by().values("reader").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_desk_columns(readers, today: date):
    """Readers with their valid card number, loans on hand and overdue loans (one query, subqueries
    so that a search joined over cards is not multiplied)."""
    valid_card = LibraryCard.objects.filter(reader=OuterRef("pk"), status=LibraryCard.Status.VALID).values("number")[:1]
    open_loans = Loan.objects.filter(reader=OuterRef("pk"), returned_at__isnull=True)
    return readers.annotate(
        card_number=Subquery(valid_card),
        on_loan=_count_of(open_loans),
        overdue=_count_of(open_loans.filter(due_date__lt=today)),
    )


def in_class_order(readers):
    """Students by stage, grade (entry year, newest last), class number and 学号; staff after them."""
    return readers.annotate(stage_rank=_STAGE_RANK).order_by(
        "stage_rank",
        "-school_class__entry_year",
        "school_class__number",
        "kind",
        "student_number",
        "name",
        "pk",
    )
