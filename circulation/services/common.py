"""What every circulation service shares: the clock, the event log, the acting user, the loan
policy and the reader's state read under a lock."""

import functools
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, DecimalField, IntegerField, JSONField
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Copy, Location, Record
from circulation import exceptions as exc
from circulation.models import (
    CirculationEvent,
    Compensation,
    Hold,
    LibraryCard,
    Loan,
    LoanPolicy,
    Reader,
    SchoolClass,
    TitleLoanRule,
)
from library.prepared import Part, PreparedInsert, PreparedSelect

Action = CirculationEvent.Action


# --- helpers -------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _log(action: str, *, at: datetime, by=None, desk: str = "", reader=None, copy=None, loan=None, detail: str = ""):
    # Every checkout and return logs: the INSERT's SQL is built once (library/prepared.py).
    return _event_insert().save(
        CirculationEvent(
            action=action, at=at, by=by, desk=desk[:40], reader=reader, copy=copy, loan=loan, detail=str(detail)[:300]
        )
    )


@functools.cache
def _event_insert() -> PreparedInsert:
    return PreparedInsert(CirculationEvent)


def _user(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def policy_for(reader: Reader, day: date, policies: list[LoanPolicy] | None = None) -> LoanPolicy:
    """The most specific policy for the reader's kind (and grade, for students).

    The candidates are `policies`, else those reader_state() read with the reader, else a query.
    """
    if policies is None:
        policies = getattr(reader, "kind_policies", None)
    if policies is None:
        policies = list(LoanPolicy.objects.filter(reader_kind=reader.kind))
    grade = reader.school_class.grade_on(day) if reader.school_class_id and reader.school_class else None
    best, best_score = None, -1
    for p in policies:
        if p.reader_kind != reader.kind:
            continue
        if p.grade_from is not None and (grade is None or grade < p.grade_from):
            continue
        if p.grade_to is not None and (grade is None or grade > p.grade_to):
            continue
        score = (p.grade_from is not None) + (p.grade_to is not None)
        if score > best_score:
            best, best_score = p, score
    if best is None:
        raise exc.NoPolicy(
            _("没有适用于“%(kind)s”读者的借阅规则，请先设置借阅规则。") % {"kind": reader.get_kind_display()}
        )
    return best


@functools.cache
def _state_sql() -> dict[str, tuple[str, type]]:
    """The reader-state figures as SQL over the reader row: cheap to build on the desk's hot path."""
    loan, card, comp, hold = (m._meta.db_table for m in (Loan, LibraryCard, Compensation, Hold))
    me = f"{Reader._meta.db_table}.id"
    valid, lost, unpaid = LibraryCard.Status.VALID, LibraryCard.Status.LOST, Compensation.Status.UNPAID
    waiting, ready = Hold.Status.WAITING, Hold.Status.READY
    open_loans = f"SELECT count(*) FROM {loan} WHERE reader_id = {me} AND returned_at IS NULL"
    return {
        # Loans of a title whose rule does not count (a current periodical issue) stay out of the limit.
        "n_open": (open_loans + " AND counts_toward_limit", IntegerField),
        "n_overdue": (open_loans + " AND due_date < %s", IntegerField),
        "has_valid_card": (
            f"EXISTS (SELECT 1 FROM {card} WHERE reader_id = {me} AND status = '{valid}')",
            BooleanField,
        ),
        "has_lost_card": (f"EXISTS (SELECT 1 FROM {card} WHERE reader_id = {me} AND status = '{lost}')", BooleanField),
        "has_unpaid": (f"EXISTS (SELECT 1 FROM {comp} WHERE reader_id = {me} AND status = '{unpaid}')", BooleanField),
        "has_holds": (
            f"EXISTS (SELECT 1 FROM {hold} WHERE reader_id = {me} AND status IN ('{waiting}', '{ready}'))",
            BooleanField,
        ),
        "has_ready_holds": (
            f"EXISTS (SELECT 1 FROM {hold} WHERE reader_id = {me} AND status = '{ready}')",
            BooleanField,
        ),
        # The open loans as the desk's panel shows them ([id, due date, renewals, barcode, title,
        # counts toward the limit, volume label], by due date), so the panel needs no query of its
        # own (selectors.reader_panel).
        "open_loans": (
            "SELECT coalesce(jsonb_agg(jsonb_build_array(l.id, l.due_date, l.renewals, c.barcode, r.title,"
            " l.counts_toward_limit, c.volume_label)"
            f" ORDER BY l.due_date, l.id), '[]'::jsonb) FROM {loan} l"
            f" JOIN {Copy._meta.db_table} c ON c.id = l.copy_id JOIN {Record._meta.db_table} r ON r.id = c.record_id"
            f" WHERE l.reader_id = {me} AND l.returned_at IS NULL",
            JSONField,
        ),
        # The loan policies of the reader's kind, so policy_for() needs no query of its own.
        "kind_policies": (
            f"SELECT coalesce(jsonb_agg(p ORDER BY p.id), '[]'::jsonb) FROM {LoanPolicy._meta.db_table} p "
            f"WHERE p.reader_kind = {Reader._meta.db_table}.kind",
            JSONField,
        ),
    }


@functools.cache
def _policy_decimals() -> dict[str, Decimal]:
    """LoanPolicy's decimal columns and their quantum (built once: this runs on every desk scan)."""
    return {
        f.column: Decimal(1).scaleb(-f.decimal_places)
        for f in LoanPolicy._meta.concrete_fields
        if isinstance(f, DecimalField)
    }


def _policy_from_json(row: dict) -> LoanPolicy:
    """A LoanPolicy from its jsonb row (keyed by column; numbers arrive as floats, so decimals are
    made exact again)."""
    decimals = _policy_decimals()
    values = {
        name: Decimal(str(value)).quantize(decimals[name]) if name in decimals and value is not None else value
        for name, value in row.items()
    }
    return LoanPolicy(**values)


def _with_state(reader: Reader, values) -> Reader:
    """Put the figures of _state_sql() on the reader (read with it, or with another row: a loan)."""
    for name in _state_sql():
        setattr(reader, name, getattr(values, name))
    reader.kind_policies = [_policy_from_json(row) for row in reader.kind_policies]
    return reader


def reader_state(reader_id: int, today: date, *, lock: bool = False) -> Reader | None:
    """The reader (with class) and the figures the loan rules need, in one query; locked when asked.

    The figures are n_open, n_overdue (open loans due before `today`), has_valid_card,
    has_lost_card, has_unpaid, has_holds (waiting or ready), has_ready_holds, open_loans (for the
    desk's panel), and kind_policies
    (the LoanPolicy rows of the reader's kind, for policy_for). They are plain
    SQL subqueries: the ORM's Subquery/Exists equivalents cost three times as much CPU to build,
    and this runs on every desk scan. None when no such reader exists.
    """
    if lock:
        # Lock first, then read the figures in a new statement: under READ COMMITTED a statement
        # that waited for the lock would still count the loans with its old snapshot.
        if not connection.in_atomic_block:
            raise TransactionManagementError("reader_state(lock=True) must run inside a transaction")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Reader._meta.db_table} WHERE id = %s FOR UPDATE", [reader_id])
    # As Reader.objects.select_related("school_class") with the figures as annotations, its SQL
    # built once (library/prepared.py): this runs on every desk scan.
    found = _reader_state_select().fetch([*_state_params(today), reader_id])
    return _with_state(found[0], found[0]) if found else None


@functools.cache
def _reader_state_select() -> PreparedSelect:
    reader, school_class = Reader._meta.db_table, SchoolClass._meta.db_table
    return PreparedSelect(
        [Part(Reader, reader), Part(SchoolClass, school_class, "school_class")],
        f"SELECT {{columns}} FROM {reader} LEFT JOIN {school_class}"
        f" ON {school_class}.id = {reader}.{Reader._meta.get_field('school_class').column} WHERE {reader}.id = %s",
        extra=_state_sql(),
    )


def _lock_open_loan(copy_id: int, today: date) -> Loan | None:
    """The copy's open loan, locked, with its reader (and class) carrying reader_state()'s figures,
    read in the same statement (they refer to the reader's table, which the loan joins)."""
    found = _open_loan_select().fetch([*_state_params(today), copy_id])
    if not found:
        return None
    loan = found[0]
    _with_state(loan.reader, loan)
    return loan


@functools.cache
def _open_loan_select() -> PreparedSelect:
    loan, reader, school_class = (m._meta.db_table for m in (Loan, Reader, SchoolClass))
    return PreparedSelect(
        [Part(Loan, loan), Part(Reader, reader, "reader"), Part(SchoolClass, school_class, "reader.school_class")],
        f"SELECT {{columns}} FROM {loan} LEFT JOIN {reader} ON {reader}.id = {loan}.reader_id"
        f" LEFT JOIN {school_class} ON {school_class}.id = {reader}.school_class_id"
        f" WHERE {loan}.copy_id = %s AND {loan}.returned_at IS NULL ORDER BY {loan}.id LIMIT 1 FOR UPDATE OF {loan}",
        extra=_state_sql(),
        lock=True,
    )


def _state_params(today: date) -> list:
    """The query parameters of _state_sql()'s figures, in order (the day for n_overdue)."""
    return [today for sql, _field in _state_sql().values() for _ in range(sql.count("%s"))]


def reader_blocks(
    reader, policy: LoanPolicy | None, *, card_required: bool = True, count_limit: bool = True
) -> list[str]:
    """Why this reader may not borrow now (empty when they may). Needs reader_state().

    card_required=False (the class borrowing session, where the pupil is picked from the class list
    in front of their teacher) lets a pupil who never had a card borrow; a card reported lost still
    blocks, since somebody else may be using it. count_limit=False: the copy to lend does not count
    toward the limit (its title's TitleLoanRule says so).
    """
    blocks = []
    if not reader.is_active:
        blocks.append(_("读者已离校或停用"))
    if not reader.has_valid_card and (card_required or reader.has_lost_card):
        blocks.append(_("借书证已挂失，不能借书") if reader.has_lost_card else _("没有有效的借书证"))
    if policy is not None:
        if reader.n_overdue and policy.overdue_blocks:
            blocks.append(_("有 %(n)s 册逾期未还") % {"n": reader.n_overdue})
        if reader.has_unpaid and policy.unpaid_blocks:
            blocks.append(_("有未处理的赔偿或逾期费"))
        if count_limit and reader.n_open >= policy.max_items:
            blocks.append(_("已借 %(n)s 册，达到上限 %(max)s 册") % {"n": reader.n_open, "max": policy.max_items})
    return blocks


def _lock_copy(barcode: str, *, reader_id: int | None = None) -> Copy:
    """The copy, locked, with its record and location. With `reader_id`, also `reader_has_title`:
    whether that reader has another copy of the same title on loan (read in the same statement, so
    the checkout's warning costs no query)."""
    barcode = (barcode or "").strip()
    # As Copy.objects.select_for_update(of=("self",)).select_related("record", "location",
    # "record__loan_rule"), with its SQL built once (library/prepared.py): every desk scan of a book
    # locks its copy. record__loan_rule: a title lent by rules of its own (current periodical issues).
    if reader_id is not None:
        found = _lock_copy_select(with_reader=True).fetch([reader_id, barcode])
    else:
        found = _lock_copy_select(with_reader=False).fetch([barcode])
    if not found:
        raise exc.UnknownBarcode(_("条码“%(code)s”不存在，请检查是否扫错。") % {"code": barcode})
    return found[0]


@functools.cache
def _lock_copy_select(*, with_reader: bool) -> PreparedSelect:
    copy, record, location, loan = (m._meta.db_table for m in (Copy, Record, Location, Loan))
    rule = TitleLoanRule._meta.db_table
    extra = {}
    if with_reader:
        extra["reader_has_title"] = (
            f"EXISTS (SELECT 1 FROM {loan} l JOIN {copy} c ON c.id = l.copy_id WHERE l.reader_id = %s"
            f" AND l.returned_at IS NULL AND c.record_id = {copy}.record_id)",
            BooleanField,
        )
    return PreparedSelect(
        [
            # The record's search columns are wide and never needed at the desk.
            Part(Copy, copy),
            Part(Record, record, "record", defer=("search_text", "search_document")),
            Part(Location, location, "location"),
            Part(TitleLoanRule, rule, "record.loan_rule"),
        ],
        f"SELECT {{columns}} FROM {copy} JOIN {record} ON {record}.id = {copy}.record_id"
        f" JOIN {location} ON {location}.id = {copy}.location_id"
        f" LEFT JOIN {rule} ON {rule}.record_id = {record}.id"
        f" WHERE {copy}.barcode = %s FOR UPDATE OF {copy}",
        extra=extra,
        lock=True,
    )


def log_refusal(*, error: exc.CirculationError, reader=None, copy_barcode: str = "", by=None, now=None, desk=""):
    copy = Copy.objects.filter(barcode=(copy_barcode or "").strip()).first() if copy_barcode else None
    _log(Action.REFUSED, at=_now(now), by=_user(by), desk=desk, reader=reader, copy=copy, detail=error.message)
