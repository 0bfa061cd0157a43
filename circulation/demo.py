"""Demo circulation data: loan policies, calendar, and a believable loan history.

Called by `manage.py load_demo` after library.demo (people) and catalog.demo (copies). The history
is simulated visit by visit in date order, so a copy is never lent twice at the same time; it is
written with bulk_create (300,000 loans build in a few minutes for the benchmark).
"""

import heapq
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from catalog.models import Copy, CopyStatus, CopyStatusChange
from catalog.status import copy_change_status, copy_write_off
from circulation import naming
from circulation.calendar_rules import Calendar, compute_due
from circulation.models import (
    CirculationEvent,
    CirculationSettings,
    ClosedDay,
    Compensation,
    Hold,
    Loan,
    LoanPolicy,
    OpenDay,
    Reader,
    Renewal,
    Term,
    school_year_of,
)
from circulation.services import compensation_amount

POLICIES = [
    # name, kind, max items, loan days, renewals, renewal days, max holds
    ("学生借阅规则", "student", 2, 14, 1, 14, 2),
    ("教师借阅规则", "teacher", 10, 60, 2, 30, 5),
    ("职工借阅规则", "staff", 5, 30, 1, 30, 3),
    ("班级集体借阅规则", "collective", 60, 120, 0, 30, 0),
]

# Moveable holidays the school closes for (approximate days of 端午 and 中秋 by year).
MOVEABLE = {
    2022: [(date(2022, 6, 3), "端午节"), (date(2022, 9, 12), "中秋节")],
    2023: [(date(2023, 6, 22), "端午节"), (date(2023, 6, 23), "端午节"), (date(2023, 9, 29), "中秋节")],
    2024: [(date(2024, 6, 10), "端午节"), (date(2024, 9, 16), "中秋节"), (date(2024, 9, 17), "中秋节")],
    2025: [(date(2025, 6, 2), "端午节"), (date(2025, 10, 8), "中秋节")],
    2026: [(date(2026, 6, 19), "端午节"), (date(2026, 9, 25), "中秋节")],
    2027: [(date(2027, 6, 9), "端午节"), (date(2027, 9, 15), "中秋节")],
}


# A few loans come from a reservation (预约) that was kept for the reader and collected.
HOLD_SHARE = 0.03
# The reading level next to a pupil's own, for the loans that are not at it.
NEIGHBOURS = {
    "lower": ["middle"],
    "middle": ["lower", "upper"],
    "upper": ["middle", "junior"],
    "junior": ["upper", "senior"],
    "senior": ["junior"],
}


def reading_level(stage: str, grade: int | None) -> str | None:
    """The reading level (catalog ReaderLevel) of a pupil's grade: 1–2 低年级, 3–4 中年级, 5–6 高年级."""
    if grade is None:
        return None
    if stage == "primary":
        return "lower" if grade <= 2 else "middle" if grade <= 4 else "upper"
    return "junior" if stage == "junior" else "senior"


def term_dates(school_year: int, number: int) -> tuple[date, date]:
    if number == 1:
        return date(school_year, 9, 1), date(school_year + 1, 1, 20)
    return date(school_year + 1, 2, 20), date(school_year + 1, 7, 10)


def term_name(school_year: int, number: int) -> str:
    return naming.term_name(school_year, number)


def demo_terms(today: date, count: int) -> list[tuple[int, int]]:
    """(school_year, number) of `count` terms ending with the current (or latest started) one."""
    year = school_year_of(today)
    current = (year, 1) if today < date(year + 1, 2, 20) else (year, 2)
    if today < date(year, 9, 1):  # August: the summer after the second term
        current = (year - 1, 2)
    terms = [current]
    while len(terms) < count:
        y, n = terms[-1]
        terms.append((y, 1) if n == 2 else (y - 1, 2))
    return list(reversed(terms))


def closed_days_for(years) -> list[tuple[date, str]]:
    days = []
    for y in sorted(years):
        days.append((date(y, 1, 1), "元旦"))
        days += [(date(y, 4, d), "清明节") for d in (4, 5, 6)]
        days += [(date(y, 5, d), "劳动节") for d in range(1, 6)]
        days += [(date(y, 10, d), "国庆节") for d in range(1, 8)]
        days += MOVEABLE.get(y, [])
    seen, unique = set(), []
    for day, reason in days:
        if day not in seen:
            seen.add(day)
            unique.append((day, reason))
    return unique


def build(ctx) -> None:
    today = ctx.today
    for name, kind, items, days, renewals, renewal_days, holds in POLICIES:
        LoanPolicy.objects.create(
            name=name,
            reader_kind=kind,
            max_items=items,
            loan_days=days,
            max_renewals=renewals,
            renewal_days=renewal_days,
            max_holds=holds,
        )
    settings = CirculationSettings.current()

    term_keys = demo_terms(today, max(ctx.scale.terms, 1))
    terms = []
    for y, n in term_keys:
        start, end = term_dates(y, n)
        terms.append(Term.objects.create(name=term_name(y, n), school_year=y, number=n, start=start, end=end))
    years = set(range(terms[0].start.year, terms[-1].end.year + 2))
    closed = closed_days_for(years)
    ClosedDay.objects.bulk_create([ClosedDay(day=d, reason=r) for d, r in closed])
    # 调休: the Sunday before 国庆 is a working day.
    open_days = []
    for y in sorted(years):
        d = date(y, 9, 30)
        while d.weekday() != 6:
            d -= timedelta(days=1)
        open_days.append(OpenDay(day=d, reason="国庆调休"))
    OpenDay.objects.bulk_create(open_days)
    cal = Calendar(
        weekends_closed=settings.weekends_closed,
        closed={d for d, _r in closed},
        open_days={o.day for o in open_days},
    )

    copies = list(
        Copy.objects.filter(status=CopyStatus.ON_SHELF, withdrawn_on__isnull=True, location__is_lendable=True)
        .order_by("pk")
        .values_list("pk", "record_id", "price", "record__reader_level")
    )
    if not copies:
        ctx.say("  circulation: policies and calendar only (no lendable copies to build a loan history)")
        return
    History(ctx, cal, terms, copies).run()


class History:
    def __init__(self, ctx, cal, terms, copies):
        self.ctx = ctx
        self.rng = ctx.rng
        self.cal = cal
        self.terms = terms
        self.copies = copies
        self.today = ctx.today
        self.busy = [None] * len(copies)  # ordinal day the copy is free again; -1: never (open/lost)
        # Copies by the reading level of their title: pupils borrow mostly at their own level.
        self.pools: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(copies):
            self.pools[row[3] or ""].append(i)
        self.everything = list(range(len(copies)))
        # A primary pupil's "anything": any children's book, not the teachers' or the 高中 shelf.
        self.children = sorted(i for lv in ("lower", "middle", "upper") for i in self.pools.get(lv, []))
        self.fulfilled_holds = []
        staff = [ctx.users.get("librarian"), ctx.users.get("assistant")]
        self.staff = [u for u in staff if u is not None] or [None]
        self.loan_rows = 0
        self.open_copy_ids = []
        self.open_by_reader = defaultdict(int)

    def pool_for(self, level: str | None) -> list[int]:
        """Mostly the reader's own level, sometimes the next one, now and then anything."""
        rng = self.rng
        if level:
            roll = rng.random()
            if roll < 0.8:
                wanted = level
            elif roll < 0.95:
                wanted = rng.choice(NEIGHBOURS.get(level, [level]))
            else:
                wanted = None
            if wanted and self.pools.get(wanted):
                return self.pools[wanted]
            if level in ("lower", "middle", "upper") and self.children:
                return self.children
        return self.everything

    def pick_copy(self, day_ordinal: int, level: str | None = None):
        rng = self.rng
        for _attempt in range(8):
            pool = self.pool_for(level)
            # A tenth of each shelf (the favourites) gets half of the loans.
            popular = max(1, len(pool) // 10)
            i = pool[rng.randrange(popular)] if rng.random() < 0.5 else pool[rng.randrange(len(pool))]
            free = self.busy[i]
            if free is None or (free != -1 and free <= day_ordinal):
                return i
        return None

    def next_open(self, day: date) -> date:
        return self.cal.next_open(day) or day

    def run(self):
        ctx = self.ctx
        readers = list(
            Reader.objects.filter(is_active=True)
            .select_related("school_class")
            .order_by("pk")
            .only("pk", "kind", "school_class__entry_year", "school_class__stage", "school_class__number")
        )
        teacher_user = ctx.users.get("teacher")
        self.teacher_reader = Reader.objects.filter(user=teacher_user).first() if teacher_user else None
        policies = {p.reader_kind: p for p in LoanPolicy.objects.all()}
        refused = []
        for term in self.terms:
            if term.start > self.today:
                continue
            loans, renewals = self.simulate_term(term, readers, policies, refused)
            self.write(loans, renewals)
        CirculationEvent.objects.bulk_create(refused, batch_size=5000)
        Hold.objects.bulk_create(self.fulfilled_holds, batch_size=5000)
        self.finish_open_copies()
        n_comp = self.compensations()
        n_holds = self.holds(readers)
        ctx.say(
            f"  circulation: {len(self.terms)} terms, {self.loan_rows} loans "
            f"({len(self.open_copy_ids)} open), {n_comp} compensations, {n_holds} holds "
            f"(and {len(self.fulfilled_holds)} fulfilled), {len(refused)} refusals"
        )

    def simulate_term(self, term, readers, policies, refused):
        rng, cal, today = self.rng, self.cal, self.today
        last_day = min(term.end, today)
        heap = []
        for r in readers:
            c = r.school_class
            if r.kind == "student" and (c is None or c.entry_year > term.school_year):
                continue  # not at school yet in that term
            if r.kind == "collective":
                if c is not None and c.entry_year <= term.school_year:
                    heapq.heappush(heap, (self.next_open(term.start + timedelta(days=rng.randrange(3, 10))), r.pk, r))
                continue
            if r.kind == "student" and rng.random() < 0.06:
                continue  # a few students never borrow
            if r.kind in ("teacher", "staff") and rng.random() < 0.3:
                continue
            first = self.next_open(term.start + timedelta(days=rng.randrange(0, 10)))
            heapq.heappush(heap, (first, r.pk, r))
        loans, renewals = [], []
        while heap:
            day, _pk, r = heapq.heappop(heap)
            if day > last_day or day > term.end - timedelta(days=3):
                continue
            policy = policies.get(r.kind)
            if policy is None:
                continue
            c = r.school_class
            grade = c.grade_on(day) if c else None
            level = reading_level(c.stage, grade) if c and r.kind in ("student", "collective") else None
            if r.kind == "collective":
                count = rng.randrange(20, 41)  # the class book corner, exchanged about monthly
            elif r.kind == "student":
                count = 1 if rng.random() < 0.15 else 2
            else:
                count = rng.randrange(1, 5)
            if rng.random() < 0.03:
                by = rng.choice(self.staff)
                refused.append(
                    CirculationEvent(
                        action=CirculationEvent.Action.REFUSED,
                        at=self.ctx.aware(day, rng.randrange(8, 16), rng.randrange(60)),
                        by=by,
                        desk="总台",
                        reader_id=r.pk,
                        detail="已达到可借册数上限" if rng.random() < 0.6 else "有逾期未还图书",
                    )
                )
            latest_return = day
            stop = False
            # Pupils bring their books back together at a weekly library lesson.
            lesson_return = day + timedelta(days=rng.choice((7, 7, 7, 7, 7, 14)))
            for _n in range(count):
                i = self.pick_copy(day.toordinal(), level)
                if i is None:
                    continue
                copy_pk = self.copies[i][0]
                at = self.ctx.aware(day, rng.randrange(8, 17), rng.randrange(60))
                if r.kind != "collective" and rng.random() < HOLD_SHARE:
                    self.fulfilled_hold(r, i, day, at, term.start)
                if r.kind == "collective":
                    due = term.end
                    exchange = self.next_open(day + timedelta(days=rng.randrange(28, 36)))
                    ret = exchange if exchange < term.end - timedelta(days=7) else term.end
                    if ret > today:
                        ret = None
                else:
                    due = compute_due(cal, day, policy.loan_days, term.end)
                    roll = rng.random()
                    if roll < 0.04:  # late
                        ret = due + timedelta(days=rng.randrange(1, 20))
                    elif roll < 0.05 and r.kind == "student":  # forgotten for a long time
                        ret = due + timedelta(days=rng.randrange(25, 80))
                    elif r.kind == "student":  # most pupils bring books back at the next weekly library lesson
                        ret = min(lesson_return, due)
                    else:
                        ret = day + timedelta(days=rng.randrange(3, max(4, (due - day).days + 1)))
                    if ret > today:
                        ret = None
                renewal = None
                if r.kind != "collective" and policy.max_renewals and rng.random() < 0.1:
                    renew_day = day + timedelta(days=rng.randrange(5, max(6, (due - day).days + 1)))
                    if renew_day <= today and (ret is None or renew_day < ret):
                        new_due = compute_due(cal, renew_day, policy.renewal_days, term.end)
                        if new_due > due:
                            renewal = (renew_day, due, new_due)
                            due = new_due
                            if ret is not None and ret > due and roll >= 0.05:
                                ret = due
                loan = Loan(
                    copy_id=copy_pk,
                    reader_id=r.pk,
                    reader_kind=r.kind,
                    school_class_id=c.pk if c else None,
                    grade=grade,
                    checked_out_at=at,
                    due_date=due,
                    returned_at=self.ctx.aware(ret, 12, rng.randrange(60)) if ret else None,
                    renewals=1 if renewal else 0,
                    is_collective=r.kind == "collective",
                    checked_out_by=rng.choice(self.staff),
                    returned_by=rng.choice(self.staff) if ret else None,
                    desk="总台",
                )
                if loan.returned_at is not None and loan.returned_at < at:
                    loan.returned_at = at
                loans.append((loan, renewal))
                if ret is None:
                    self.busy[i] = -1
                    self.open_copy_ids.append(copy_pk)
                    self.open_by_reader[r.pk] += 1
                    stop = True
                else:
                    self.busy[i] = ret.toordinal() + 1
                    latest_return = max(latest_return, ret)
            if stop:
                continue
            if r.kind == "collective":
                heapq.heappush(heap, (max(latest_return, day + timedelta(days=7)), r.pk, r))
                continue
            # Pupils usually borrow again at the lesson where they return (the next visit is never the same day).
            gap = rng.choice((0, 0, 0, 0, 0, 7)) if r.kind == "student" else rng.randrange(7, 30)
            next_visit = max(latest_return + timedelta(days=gap), day + timedelta(days=1))
            heapq.heappush(heap, (self.next_open(next_visit), r.pk, r))
        return loans, renewals

    def fulfilled_hold(self, reader, i: int, day: date, at, term_start: date) -> None:
        """The loan came from a reservation: placed a few days before (in the same term), kept on the
        hold shelf, collected."""
        rng = self.rng
        placed = max(term_start, day - timedelta(days=rng.randrange(3, 15)))
        ready = max(placed, day - timedelta(days=rng.randrange(0, 3)))
        ready_at = min(self.ctx.aware(ready, 9), at)
        placed_at = min(self.ctx.aware(placed, 8, rng.randrange(60)), ready_at)
        self.fulfilled_holds.append(
            Hold(
                record_id=self.copies[i][1],
                reader_id=reader.pk,
                status=Hold.Status.FULFILLED,
                placed_at=placed_at,
                copy_id=self.copies[i][0],
                ready_at=ready_at,
                expires_on=day + timedelta(days=3),
                closed_at=at,
            )
        )

    def write(self, loans, _renewals):
        batch = 5000
        for start in range(0, len(loans), batch):
            chunk = loans[start : start + batch]
            Loan.objects.bulk_create([loan for loan, _r in chunk], batch_size=batch)
            renewal_rows = []
            for loan, renewal in chunk:
                if renewal:
                    renew_day, old_due, new_due = renewal
                    renewal_rows.append(
                        Renewal(
                            loan_id=loan.pk,
                            renewed_at=self.ctx.aware(renew_day, 11),
                            old_due_date=old_due,
                            new_due_date=new_due,
                            renewed_by=loan.checked_out_by,
                        )
                    )
            Renewal.objects.bulk_create(renewal_rows, batch_size=batch)
            self.loan_rows += len(chunk)

    def finish_open_copies(self):
        """Open loans: their copies are on loan (status and history written in bulk)."""
        now = timezone.now()
        ids = self.open_copy_ids
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            Copy.objects.filter(pk__in=chunk).update(status=CopyStatus.ON_LOAN)
            CopyStatusChange.objects.bulk_create(
                [
                    CopyStatusChange(
                        copy_id=pk,
                        from_status=CopyStatus.ON_SHELF,
                        to_status=CopyStatus.ON_LOAN,
                        changed_at=now,
                        note="借出",
                    )
                    for pk in chunk
                ]
            )

    def compensations(self) -> int:
        """A few returned loans ended in loss or damage, some paid, some still open."""
        rng = self.rng
        # Only the copy's last loan can end in loss or damage: pick among those.
        later = Loan.objects.filter(copy=OuterRef("copy"), checked_out_at__gt=OuterRef("checked_out_at"))
        candidates = list(
            Loan.objects.filter(returned_at__isnull=False, reader_kind="student")
            .filter(~Exists(later))
            .order_by("-pk")
            .values_list("pk", "copy_id", "reader_id", "returned_at")[:4000]
        )
        if not candidates:
            return 0
        n = max(3, self.loan_rows // 1500)
        rng.shuffle(candidates)
        settings = CirculationSettings.current()
        librarian = self.staff[0]
        used_copies, count = set(), 0
        for loan_pk, copy_pk, reader_pk, returned_at in candidates[: n * 20]:
            if count >= n:
                break
            if copy_pk in used_copies:
                continue
            copy = Copy.objects.select_related("record").get(pk=copy_pk)
            # Only the copy's last loan can end in loss or damage.
            if copy.status != CopyStatus.ON_SHELF or Loan.objects.filter(copy=copy, pk__gt=loan_pk).exists():
                continue
            used_copies.add(copy_pk)
            kind = rng.choice(["lost", "lost", "severe", "soiled", "minor"])
            amount = compensation_amount(copy, kind, settings)
            paid = rng.random() < 0.6
            comp = Compensation(
                copy=copy,
                reader_id=reader_pk,
                loan_id=loan_pk,
                kind=kind,
                amount=amount,
                reported_at=returned_at,
                reported_by=librarian,
            )
            if paid:
                comp.status = Compensation.Status.PAID if rng.random() < 0.8 else Compensation.Status.REPLACED
                comp.paid_amount = amount if comp.status == Compensation.Status.PAID else Decimal("0")
                comp.settled_at = returned_at
            comp.save()
            if paid:
                comp.receipt_number = f"PC{timezone.localdate(returned_at):%Y%m%d}{comp.pk:05d}"
                comp.save(update_fields=["receipt_number"])
            CirculationEvent.objects.create(
                action=CirculationEvent.Action.COMPENSATION,
                at=returned_at,
                by=librarian,
                reader_id=reader_pk,
                copy=copy,
                loan_id=loan_pk,
                detail=f"{comp.get_kind_display()} ¥{amount}",
            )
            if kind == "lost":
                copy_write_off(copy, reason="lost", by=librarian, now=returned_at, note="读者遗失")
            elif kind == "severe":
                copy_write_off(copy, reason="damaged", by=librarian, now=returned_at, note="严重破损")
            elif not paid:
                copy_change_status(copy, CopyStatus.REPAIR, by=librarian, now=returned_at, note="破损修补")
            count += 1
        return count

    def holds(self, readers) -> int:
        """Holds waiting for titles that are all out, and ready holds on the hold shelf."""
        rng = self.rng
        now = timezone.now()
        settings = CirculationSettings.current()
        expires = self.next_open(self.today + timedelta(days=settings.hold_days))
        librarian = self.staff[0]
        teachers = [r for r in readers if r.kind == "teacher"]
        students = [r for r in readers if r.kind == "student"]
        # Ready holds: a shelf copy kept for the reader (the demo teacher always has one).
        shelf = list(
            Copy.objects.filter(status=CopyStatus.ON_SHELF, location__is_lendable=True, withdrawn_on__isnull=True)
            .order_by("pk")
            .values_list("pk", "record_id")[:5000]
        )
        rng.shuffle(shelf)
        ready_readers = ([self.teacher_reader] if self.teacher_reader else []) + rng.sample(
            teachers + students, min(6, len(teachers) + len(students))
        )
        count, used_records, holders = 0, set(), set()
        for reader in ready_readers:
            if reader.pk in holders or not shelf:
                continue
            copy_pk, record_pk = shelf.pop()
            while record_pk in used_records and shelf:
                copy_pk, record_pk = shelf.pop()
            if record_pk in used_records:
                break
            used_records.add(record_pk)
            holders.add(reader.pk)
            copy = Copy.objects.get(pk=copy_pk)
            placed = now - timedelta(days=rng.randrange(5, 20))
            Hold.objects.create(
                record_id=record_pk,
                reader=reader,
                status=Hold.Status.READY,
                placed_at=placed,
                copy=copy,
                ready_at=now - timedelta(hours=rng.randrange(2, 30)),
                expires_on=expires,
                placed_by=librarian,
            )
            copy_change_status(copy, CopyStatus.ON_HOLD, by=librarian, now=now, note="预约保留")
            count += 1
        # Waiting holds: titles whose every lendable copy is out.
        out_records = (
            set(Copy.objects.filter(pk__in=self.open_copy_ids[:3000]).values_list("record_id", flat=True))
            - used_records
        )
        with_shelf = set(
            Copy.objects.filter(record_id__in=out_records, status=CopyStatus.ON_SHELF).values_list(
                "record_id", flat=True
            )
        )
        waiting_records = sorted(out_records - with_shelf)[:40]
        waiters = teachers[:] + students[:200]
        for record_pk in waiting_records:
            for reader in rng.sample(waiters, min(rng.randrange(1, 4), len(waiters))):
                if Hold.objects.filter(reader=reader, status__in=["waiting", "ready"]).count() >= 2:
                    continue
                if Hold.objects.filter(reader=reader, record_id=record_pk, status__in=["waiting", "ready"]).exists():
                    continue
                Hold.objects.create(
                    record_id=record_pk,
                    reader=reader,
                    placed_at=now - timedelta(days=rng.randrange(1, 20), minutes=rng.randrange(600)),
                    placed_by=librarian,
                )
                count += 1
        return count
