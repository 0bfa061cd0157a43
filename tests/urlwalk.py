"""Walk every URL pattern of the site as every role: the patterns, their parameters, the role clients.

Shared by the production-configuration walk (tests/production/) and the hostile-input corpus.

- `routes()` lists EVERY pattern from the URL resolver (the admin site included), so a new page is
  walked without anyone adding it to a list.
- `walk_data` (a module-scoped fixture) loads a small demo school once, inside a transaction that is
  rolled back afterwards, and `fill(route, data)` turns a pattern into a URL with real ids from it.
  A pattern whose parameters cannot be filled raises `Unfillable`: teach `fill` about it.
- `role_client(role, data)` is a test client signed in as that role's demo account;
  `send(client, method, url, data)` sends a request over "https" (the production settings redirect
  plain http) and returns the response, a server error included (never raised).
- `ACCESS` (tests/access_table.py) is the one table of who may use each URL; `allowed_roles(route, method)` reads it, and
  raises `Undeclared` for a pattern the table does not name, so a new URL fails the walk until its
  access is written down.
- `db_writes()` counts the rows inserted, updated and deleted so far in the current transaction,
  per table (PostgreSQL's pg_stat_xact_user_tables): compare before and after a request to prove a
  refused request changed nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from library import roles
from tests.access_table import (  # noqa: F401  (the walk's users of the table import it from here)
    ACCESS,
    GROUPS,
    HEAD_TEACHER,
    KIOSK,
    NAMES_AT_DESK,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    STAFF,
    perm,
)

# The demo school's accounts: "teacher" is head teacher of 三年级(2)班, "teacher2" heads no class.
USERNAMES = {
    "assistant": "assistant",
    "teacher": "teacher2",
    "head_teacher": "teacher",
    "librarian": "librarian",
    "admin": "admin",
    "kiosk": "kiosk",  # made by build_walk_data: the demo school has no kiosk account
}
SESSION_TOKEN = "walk0001"  # a 班级借阅 session the desk roles' clients have open


class Unfillable(LookupError):
    """A URL pattern has a parameter the walk does not know how to fill."""


class Undeclared(LookupError):
    """A URL pattern has no entry in ACCESS."""


# --- the patterns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "circulation:desk"; unnamed patterns get their full pattern text
    pattern: str  # the full pattern text, e.g. "circulation/readers/<int:pk>/"
    params: tuple[str, ...]  # the names of its parameters, in order
    callback: object = field(compare=False, repr=False)
    named: bool = True

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


def _pattern_params(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    regex = pattern.regex
    names = list(regex.groupindex)
    if converters:
        names = [n for n in names if n in converters] or names
    return names


def routes() -> list[Route]:
    """Every URL pattern of the site, depth first, with its namespaced name."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespaces: list[str], params: list[str]):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespaces + [p.namespace] if p.namespace else namespaces
                walk(p.url_patterns, prefix + str(p.pattern), ns, params + _pattern_params(p.pattern))
            elif isinstance(p, URLPattern):
                full = prefix + str(p.pattern)
                all_params = tuple(params + _pattern_params(p.pattern))
                if p.name:
                    name = ":".join(namespaces + [p.name])
                    found.append(Route(name, full, all_params, p.callback))
                else:
                    name = ":".join(namespaces + [full])
                    found.append(Route(name, full, all_params, p.callback, named=False))

    walk(get_resolver().url_patterns, "", [], [])
    return found


# --- the data -----------------------------------------------------------------------------------


@dataclass
class WalkData:
    """Ids from the demo school for filling URL parameters (all objects a role may meet)."""

    record: object
    copy: object
    batch: object
    withdrawal: object
    school_class: object  # the head teacher's class
    reader: object  # a pupil in that class, with a card and an open loan
    card: object
    loan: object
    hold: object  # a waiting or ready hold of a pupil (nobody in the walk's cast owns it)
    compensation: object
    policy: object
    term: object
    closed_day: object
    open_day: object
    stocktake: object  # an open stocktake over one location
    kiosk: object  # a SIP2 kiosk account (selfcheck.Kiosk)
    serial: object  # a periodical title with a subscription and its predicted issues
    subscription: object
    issue: object  # a predicted issue, not yet checked in
    pool_file: object  # a file in the source pool (书目数据源) and one of its records
    pool_record: object
    z3950_target: object  # a Z39.50 server at a closed loopback port: 测试连接 is refused at once
    reading: ReadingObjects  # the reading app's list, activity, honours and note
    users: dict[str, User]


@dataclass
class ReadingObjects:
    """The reading app's objects (reading.*), made through its services."""

    reading_list: object  # a recommended list for the head teacher's grade, with one held book
    item: object  # that book on the list
    activity: object  # an activity of the head teacher's class
    participant: object  # the walk's pupil taking part
    honour_round: object  # a draft round of the first term, with the walk's pupil as 读书之星
    honour: object
    published_round: object  # a published round (its certificates and announcement print)
    note: object  # a reading note of the walk's pupil


def build_walk_data() -> WalkData:
    """Load a small demo school into the current (test) database and pick the walk's objects."""
    from django.core.management import call_command

    # pytest-django makes the test database only for runs with a test that asks for `db`.
    assert connection.settings_dict["NAME"].startswith("test_"), "a test using walk_data must also ask for `db`"

    from catalog.models import AcquisitionBatch, Copy, Record, WithdrawalBatch
    from circulation import services
    from circulation.models import (
        ClosedDay,
        Compensation,
        Hold,
        LibraryCard,
        Loan,
        LoanPolicy,
        OpenDay,
        Reader,
        SchoolClass,
        Term,
    )

    call_command(
        "load_demo",
        "--students=40",
        "--teachers=4",
        "--titles=40",
        "--copies=200",
        "--terms=2",
        stdout=StringIO(),
    )
    _make_kiosk_user()
    users = {role: User.objects.get(username=name) for role, name in USERNAMES.items()}
    school_class = SchoolClass.objects.filter(head_teacher=users["head_teacher"]).first()
    reader = Reader.objects.filter(school_class=school_class, kind="student", is_active=True).order_by("pk").first()
    if not LibraryCard.objects.filter(reader=reader, status="valid").exists():
        services.card_issue(reader=reader)
    # Two open loans for that pupil (one of them then reported lost: the compensation pages need one).
    shelf = Copy.objects.filter(status="on_shelf").order_by("pk")
    for copy in shelf[:2]:
        Loan.objects.create(
            copy=copy,
            reader=reader,
            reader_kind=reader.kind,
            school_class=school_class,
            checked_out_at=timezone.now() - timedelta(days=3),
            due_date=timezone.localdate() + timedelta(days=11),
        )
        Copy.objects.filter(pk=copy.pk).update(status="on_loan")
    loans = Loan.objects.filter(reader=reader, returned_at__isnull=True).order_by("-pk")
    lost, loan = loans[0], loans[1]
    compensation = services.compensation_report(copy_barcode=lost.copy.barcode, kind=Compensation.Kind.LOST)
    hold = Hold.objects.filter(reader__user__isnull=True, status__in=["waiting", "ready"]).order_by("pk").first()
    if not OpenDay.objects.exists():
        OpenDay.objects.create(day=timezone.localdate().replace(month=1, day=1), reason="补课")
    services.holds_expire_daily()  # the first request of the day would otherwise write
    stocktake, kiosk, subscription = _new_apps_objects(users["librarian"])
    pool_file = _pool_file(users["librarian"])
    first_term = Term.objects.order_by("pk").first()
    reading = _reading_objects(users["librarian"], reader, school_class, first_term)
    data = WalkData(
        record=Record.objects.order_by("pk").first(),
        copy=Copy.objects.exclude(status="withdrawn")
        .exclude(pk__in=[lost.copy_id, loan.copy_id])
        .order_by("pk")
        .first(),
        batch=AcquisitionBatch.objects.order_by("pk").first(),
        withdrawal=WithdrawalBatch.objects.order_by("pk").first(),
        school_class=school_class,
        reader=reader,
        card=LibraryCard.objects.filter(reader=reader, status="valid").first(),
        loan=loan,
        hold=hold,
        compensation=compensation,
        policy=LoanPolicy.objects.order_by("pk").first(),
        term=first_term,
        closed_day=ClosedDay.objects.order_by("pk").first(),
        open_day=OpenDay.objects.order_by("pk").first(),
        stocktake=stocktake,
        kiosk=kiosk,
        serial=subscription.serial,
        subscription=subscription,
        issue=subscription.issues.order_by("number").first(),
        pool_file=pool_file,
        pool_record=pool_file.records.order_by("number").first(),
        z3950_target=_z3950_target(),
        reading=reading,
        users=users,
    )
    missing = [name for name, value in {**vars(data), **vars(reading)}.items() if value is None]
    assert not missing, f"the demo school has no {missing}"
    # Warm the pages that create their singleton rows on first use, so later requests write nothing.
    client = role_client("admin", data)
    for name in ("dashboard", "circulation:settings", "reports:summary"):
        send(client, "get", reverse(name))
    return data


def _pool_file(librarian):
    """A source-pool file holding the MARC21 export of a few demo records."""
    from catalog import marc
    from catalog.models import Record
    from catalog.sources import pool

    content = marc.export_bytes((rec, []) for rec in Record.objects.order_by("pk")[:5])
    return pool.pool_import(content=content, name="书商配送 MARC", origin="走查数据", by=librarian)


def _make_kiosk_user() -> None:
    """The self-check screen's login (group 自助借还机), with the demo accounts' password."""
    from django.contrib.auth.models import Group

    from library.demo import DEMO_PASSWORD

    user = User(username=USERNAMES["kiosk"], first_name="一楼自助借还机")
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=roles.KIOSK))


def _z3950_target():
    """Port 1 of 127.0.0.1 (tcpmux, which nobody runs): the walk's 测试连接 never waits or leaves the machine."""
    from catalog.models import Z3950Target

    return Z3950Target.objects.create(name="走查服务器", host="127.0.0.1", port=1, database="walk", timeout=1)


def _new_apps_objects(librarian):
    """A stocktake over one location, a kiosk account and a subscribed periodical, made through
    the apps' own services."""
    from decimal import Decimal

    from catalog.models import Location
    from selfcheck.forms import KioskForm
    from selfcheck.services import kiosk_save
    from serials.models import Serial
    from serials.services import subscription_create
    from stocktake.services import stocktake_open

    stocktake = stocktake_open(name="走查盘点", locations=[Location.objects.order_by("pk").first()], by=librarian)
    form = KioskForm(
        {
            "name": "walk-kiosk",
            "encoding": "utf-8",
            "pin_policy": "none",
            "is_active": "on",
            "new_password": "walk-kiosk-2026",
        }
    )
    assert form.is_valid(), form.errors
    kiosk = kiosk_save(form=form)
    serial = Serial.objects.create(title="走查周报", kind="newspaper", frequency="weekly")
    subscription = subscription_create(
        serial=serial, year=timezone.localdate().year, unit_price=Decimal("52.00"), by=librarian
    )
    return stocktake, kiosk, subscription


def _reading_objects(librarian, reader, school_class, term) -> ReadingObjects:
    """A recommended list, an activity with a participant, a draft and a published honour round and
    a reading note, made through the reading app's services."""
    from catalog.models import Record
    from reading import services
    from reading.models import Activity, HonourRound, ReadingList

    today = timezone.localdate()
    record = Record.objects.exclude(location_ids=[]).order_by("pk").first()  # a book the library holds
    reading_list = services.reading_list_save(
        reading_list=ReadingList(
            title="走查推荐书目", stage=school_class.stage, grade=school_class.grade_on(today), featured=True
        ),
        by=librarian,
    )
    item = services.reading_list_add(reading_list=reading_list, record=record, note="走查推荐语", by=librarian)
    activity = services.activity_save(
        activity=Activity(name="走查读书节", start=today - timedelta(days=7), end=today + timedelta(days=7)),
        classes=[school_class],
        by=librarian,
    )
    participant = services.participant_add(activity=activity, reader=reader, by=librarian)
    services.participant_result(participant=participant, prize="first", work_title="走查作品", by=librarian)

    def honour_round(title: str) -> HonourRound:
        return HonourRound.objects.create(term=term, title=title, min_loans=1, created_by=librarian)

    draft = honour_round("走查表彰")
    honour = services.honour_add(honour_round=draft, reader=reader, kind="star", by=librarian)
    published = honour_round("走查已公布表彰")
    services.honour_add(honour_round=published, reader=reader, kind="star", by=librarian)
    services.honours_publish(honour_round=published, by=librarian)
    note = services.reading_note_record(reader=reader, book_title=record.title, written_on=today, by=librarian)
    return ReadingObjects(
        reading_list=reading_list,
        item=item,
        activity=activity,
        participant=participant,
        honour_round=draft,
        honour=honour,
        published_round=published,
        note=note,
    )


@pytest.fixture(scope="module")
def walk_data(django_db_setup, django_db_blocker):
    """The demo school for one test module, rolled back when the module is done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_walk_data()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _walk_clients_once(walk_data, django_db_blocker):
    with django_db_blocker.unblock():
        clients = {role: role_client(role, walk_data) for role in ROLES}
    return clients, {role: {k: m.value for k, m in client.cookies.items()} for role, client in clients.items()}


@pytest.fixture
def walk_clients(_walk_clients_once, db):
    """One signed-in client per role, made once per module (cheap): their sessions belong to
    walk_data's transaction, and each test's own changes (a logout, say) are rolled back, so
    each test starts with the clients' original cookies again."""
    clients, cookies = _walk_clients_once
    for role, client in clients.items():
        client.cookies = SimpleCookie(cookies[role])
    return clients


# Which object a "<int:pk>" after this path segment names.
_SEGMENT_OBJECT = {
    "record": "record",
    "records": "record",
    "copies": "copy",
    "batches": "batch",
    "withdrawals": "withdrawal",
    "reader": "reader",
    "readers": "reader",
    "renew": "loan",
    "pick": "reader",
    "holds": "hold",
    "cards": "card",
    "classes": "school_class",
    "class": "school_class",
    "compensations": "compensation",
    "policies": "policy",
    "terms": "term",
    "stocktake": "stocktake",
    "kiosks": "kiosk",
    "titles": "serial",
    "subscriptions": "subscription",
    "issues": "issue",
    "z3950": "z3950_target",
}


def _param_value(route: Route, param: str, data: WalkData):
    if param == "record_id":
        return data.record.pk
    if param == "token":
        return SESSION_TOKEN
    if param == "kind":
        return "closed"
    if route.namespace == "admin":
        model_admin = getattr(route.callback, "model_admin", None)
        if model_admin is None:  # a ModelAdmin's own extra view (the user's password form)
            model_admin = getattr(getattr(route.callback, "__wrapped__", None), "__self__", None)
            model_admin = model_admin if hasattr(model_admin, "model") else None
        if param in ("object_id", "id") and model_admin is not None:
            obj = model_admin.model._default_manager.order_by("pk").first()
            return obj.pk if obj is not None else 0
        if param == "app_label":
            return re.search(r"\(\?P<app_label>([a-z_]+)", route.pattern).group(1)
        if param == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            return ContentType.objects.get_for_model(type(data.record)).pk
        if param == "object_id":
            return data.record.pk
        if param == "url":
            return "no-such-page/"
    if param == "pk" and route.namespace == "reading":
        return _reading_pk(route, data.reading)
    if param == "pk":
        if route.name == "circulation:day_delete":
            return data.closed_day.pk
        if route.name == "catalog:pool_record":
            return data.pool_record.pk
        if route.name.startswith("catalog:pool_file"):
            return data.pool_file.pk
        segments = [s for s in route.pattern.split("/") if s and not s.startswith("<")]
        before = route.pattern.split("<", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        attr = _SEGMENT_OBJECT.get(before) or next((_SEGMENT_OBJECT[s] for s in segments if s in _SEGMENT_OBJECT), None)
        if attr:
            return getattr(data, attr).pk
    raise Unfillable(f"{route.name} ({route.pattern}): no value for the parameter {param!r}")


# The reading app's "<int:pk>": which of the walk's reading objects the path segment before it names.
_READING_SEGMENT = {
    "lists": "reading_list",
    "items": "item",
    "activities": "activity",
    "participants": "participant",
    "honours": "honour_round",
    "honour-entries": "honour",
    "notes": "note",
}
# Pages that show only a published round (certificates, the announcement): the published one.
_PUBLISHED_ROUND_PAGES = {"reading:honour_certificates", "reading:honour_announcement"}


def _reading_pk(route: Route, reading: ReadingObjects) -> int:
    if route.name in _PUBLISHED_ROUND_PAGES:
        return reading.published_round.pk
    before = route.pattern.split("<", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if before not in _READING_SEGMENT:
        raise Unfillable(f"{route.name} ({route.pattern}): no reading object for {before!r}")
    return getattr(reading, _READING_SEGMENT[before]).pk


def fill(route: Route, data: WalkData) -> str:
    """The route as a URL with its parameters filled from the walk's data."""
    kwargs = {p: _param_value(route, p, data) for p in route.params}
    if route.named:
        return reverse(route.name, kwargs=kwargs or None)
    # Unnamed (the admin's catch-all): substitute into the regex text.
    path = route.pattern
    for p, value in kwargs.items():
        path = re.sub(rf"\(\?P<{p}>[^)]*\)", str(value), path)
    return "/" + path.lstrip("^").replace("$", "").replace("\\", "")


# --- the clients --------------------------------------------------------------------------------


def role_client(role: str, data: WalkData) -> Client:
    """A test client signed in as the role's demo account (anonymous: signed out).

    Server errors come back as 500 responses instead of being raised. The desk roles' sessions
    hold an open 班级借阅 session (SESSION_TOKEN) for the head teacher's class.
    """
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(data.users[role])
        session = client.session
        session["class_sessions"] = {SESSION_TOKEN: data.school_class.pk}
        session.save()
    return client


def send(client: Client, method: str, url: str, data=None, **extra):
    """GET or POST over https (behind the production settings' redirect), errors as responses."""
    return getattr(client, method.lower())(url, data if data is not None else {}, secure=True, **extra)


# --- who may use what ---------------------------------------------------------------------------


# Minimal POST bodies where an empty one would not reach the check under test.
POST_DATA: dict[str, dict] = {
    # on behalf of a pupil: only the desk may reserve for someone else
    "circulation:reserve": {"reader": "{reader_student_number}"},
}


def post_data(route: Route, data: WalkData) -> dict:
    body = POST_DATA.get(route.name, {})
    values = {"reader_student_number": data.reader.student_number or data.reader.name}
    return {k: v.format(**values) for k, v in body.items()}


def allowed_roles(route: Route, method: str) -> frozenset[str]:
    entry = ACCESS.get(route.name)
    if entry is None and route.namespace:
        entry = ACCESS.get(f"{route.namespace}:*")
    if entry is None:
        raise Undeclared(f"{route.name} ({route.pattern}) has no entry in tests/access_table.py ACCESS")
    if isinstance(entry, tuple):
        return entry[0] if method.lower() == "get" else entry[1]
    return entry


# Namespaces whose allowed roles may still be refused some pages: the back office decides per model
# (an administrator may not add a log entry, for example); the walk checks only who is kept out.
MAY_STILL_REFUSE = {"admin"}


def must_not_refuse(route: Route) -> bool:
    return route.namespace not in MAY_STILL_REFUSE


def is_refusal(response, role: str) -> bool:
    """A visitor is sent to a login page; a signed-in role gets 403, or at the back office its login.

    (A 403 for a visitor is not a refusal the walk accepts: it means a login check is missing, and
    the visitor sees "no permission" where they should be asked to log in.)

    A signed-in kiosk is refused by being sent back to its page (selfcheck.middleware) from any page
    outside the ones it may see; inside /selfcheck/ the same redirect is a button's answer."""
    if response.status_code == 403:
        return role != "anonymous"
    if response.status_code == 302:
        location = response["Location"]
        if role == "kiosk" and location == reverse("selfcheck:kiosk"):
            from selfcheck.middleware import ALLOWED_PREFIXES

            return not response.request["PATH_INFO"].startswith(ALLOWED_PREFIXES)
        return location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    return False


def walk_route(route: Route, data: WalkData, clients: dict, counts: dict | None = None) -> list[str]:
    """GET and POST the route as every role; the problems found (500s, access against ACCESS,
    refused requests that wrote rows). `counts` (requests, errors) is added to when given."""
    url = fill(route, data)
    problems = []
    for method in ("get", "post"):
        allowed = allowed_roles(route, method)
        body = post_data(route, data) if method == "post" else {}
        for role in ROLES:
            before = db_writes()
            response = send(clients[role], method, url, body)
            if counts is not None:
                counts["requests"] += 1
            where = f"{method.upper()} {url} as {role}"
            if response.status_code >= 500:
                if counts is not None:
                    counts["errors"] += 1
                problems.append(f"{where}: {response.status_code}")
            elif role not in allowed:
                if not is_refusal(response, role):
                    problems.append(f"{where}: {response.status_code}, expected a refusal")
                changed = changed_tables(before, db_writes())
                if changed:
                    problems.append(f"{where}: refused but wrote {changed}")
            elif must_not_refuse(route) and is_refusal(response, role):
                problems.append(f"{where}: refused, but the access table allows it")
    return problems


# --- what a request changed ---------------------------------------------------------------------

# Tables a refused request may legitimately write: the session store, the login throttle, and the
# reports' change marks (reports.changes: a row per statement on a watched table, even one that
# changed no row, such as the day's chores finding nothing to do; any real write shows its own table).
UNWATCHED_TABLES = {
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "reports_datachange",
}


def db_writes() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per watched table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return {name: n for name, n in cursor.fetchall() if n and name not in UNWATCHED_TABLES}


def changed_tables(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(t for t in after if after[t] != before.get(t, 0))
