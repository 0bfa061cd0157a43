"""The hostile-input corpus: every form field and query parameter of every URL gets hostile values.

The URLs come from the resolver (tests/urlwalk.py, shared with the production walk), so a new page
is covered without being listed. For each URL the walk signs in as a role that may use it (the
librarian where it can, else the administrator or the head teacher, the self-check pages as the kiosk;
anonymous as well for public pages) and:

- GETs it with every query parameter the view reads (found in its module's source and in the project
  modules it takes functions from; every app of the project's in INSTALLED_APPS, found by
  tests/security/project.py, so a new app is covered) or its GET forms name, each parameter getting
  every class of hostile value at least once;
- GETs it with hostile path parameters (a 20-digit id; NUL and 10,000 characters for text);
- for each POST form found on the page (<form method=post>, hx-post), sends the form with every
  field hostile (rotated through the classes), then each field hostile alone with the others at
  their shown values;
- POSTs every wrong content type and broken body of BROKEN_BODIES (JSON, plain text, multipart with
  a broken part, multipart without a boundary, a broken urlencoded body) to every URL that takes POST.

Each request runs in a savepoint rolled back afterwards, so every request meets the same school.
Nothing may answer 500, and a refused request (4xx, an error message, a form shown with errors)
must write no row (PostgreSQL's per-transaction write counters, tests/urlwalk.py db_writes).
"""

import inspect
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib import messages
from django.db import transaction
from django.urls import Resolver404, resolve

from tests import urlwalk
from tests.urlwalk import walk_data  # noqa: F401  (the module-scoped demo school)

from .project import is_project_module

HOSTILE = [
    ("long", "字" * 10_000),
    ("nul", "a\x00b"),
    ("emoji", "📚🧒🏻👩‍🏫"),
    # Not encodable as UTF-8: sent as %ED%A0%80 (see _encode); Django decodes it to U+FFFD.
    ("surrogate", "x\ud800y"),
    ("sql", "' OR 1=1; DROP TABLE circulation_reader; --"),
    ("html", '"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;'),
    ("huge", "99999999999999999999"),
    ("negative", "-1"),
    ("unicode_digits", "²³"),
    ("nan", "NaN"),
    ("infinity", "-Infinity"),
    ("bad_date", "2025-02-30"),
    ("format", "%s%n{0}{{x}} \t\r\n"),
]
HOSTILE_PATH_INT = ["99999999999999999999", "0"]
HOSTILE_PATH_STR = ["a%00b", "字" * 300, "..%2F..%2Fetc%2Fpasswd"]

BROKEN_BODIES = [
    ("application/json", b'{"code": "\\u0000", "reader": 1e999}'),
    ("text/plain", "\x00" * 10 + "字" * 100),
    ("multipart/form-data; boundary=XyZ", b'--XyZ\r\nContent-Disposition: form-data; name="a\r\n\r\nbroken'),
    ("multipart/form-data", b"no boundary at all"),
    ("application/x-www-form-urlencoded", b"%ZZ=%E0%A4%A&&==&code=%ED%A0%80"),
]

# Pages whose forms only show in a state reached by a query: the form after the ISBN step, the
# desk with a reader chosen (renew, report lost or damaged), the desk's compensation form, the
# reading app's pages with a reader or a book found.
FORM_STATES = {
    "catalog:record_new": lambda d: "isbn=",
    "circulation:desk": lambda d: f"reader={d.reader.pk}",
    "circulation:desk_compensation": lambda d: f"barcode={d.loan.copy.barcode}&reader={d.reader.pk}",
    "catalog:weeding": lambda d: f"q={d.record.title[:4]}",
    # the reading app's "add" forms show beside a reader (or a book) found by a search
    "reading:activity": lambda d: f"q={d.reader.name}",
    "reading:honour_round": lambda d: f"q={d.reader.name}",
    "reading:notes": lambda d: f"q={d.reader.name}",
    "reading:list_edit": lambda d: f"q={d.record.title[:4]}",
}

# Parameters every view may meet in a link (kept out of the per-view source scan's reach).
COMMON_QUERY = ["page", "q", "next"]
# Roles to walk as, in order of preference (see the module docstring).
PREFERRED = ["librarian", "admin", "head_teacher", "teacher", "assistant", "kiosk"]
# A refused request may write to these: the desk's log records refused checkouts by design.
REFUSAL_LOG = {"circulation_circulationevent"}
# A page saying "refused" (besides a 4xx or an error message): a form shown with its errors, the
# desk's answer in its error tone. (Not any red on the page: the reader panel shows debts in red.)
ERROR_MARKERS = ("errorlist", "is-invalid", "invalid-feedback", 'data-tone="error"')

from .conftest import CORPUS_COUNTS as COUNTS  # noqa: E402  (printed at the end of the run)

ROUTES = urlwalk.routes()


# --- finding what to send -----------------------------------------------------------------------


class FormParser(HTMLParser):
    """The forms of a page: action, method and fields (name → the value the page shows)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            method = "post" if (a.get("method") or "").lower() == "post" or "hx-post" in a else "get"
            action = a.get("hx-post") or a.get("hx-get") or a.get("action") or ""
            self._form = {
                "method": method,
                "action": action,
                "fields": {},
                "multipart": "multipart" in (a.get("enctype") or ""),
            }
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                if kind == "file":
                    self._form["multipart"] = True
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].setdefault(a["name"], "")
                return
            self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"][a["name"]] = None
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            if fields.get(self._select) is None or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


PARAM_READ = re.compile(
    r"""(?:GET|POST|params|data|request\.GET|request\.POST)(?:\.get|\.getlist|\[)\(?\s*["']([A-Za-z_][\w-]*)["']"""
    r"""|_param\(\s*(?:request\.GET|request\.POST|params|data)\s*,\s*["']([A-Za-z_][\w-]*)["']"""
)


def query_params_read(route) -> set[str]:
    """The parameter names the view's module reads (request.GET.get("x"), text_param(..., "x") ...),
    itself or in the project modules it takes functions from (reports.views → reports.periods'
    parse_period). Every app of the project's in INSTALLED_APPS counts (tests/security/project.py)."""
    module = inspect.getmodule(inspect.unwrap(route.callback))
    if module is None or not is_project_module(module.__name__):
        return set(COMMON_QUERY)
    sources = {module.__name__: inspect.getsource(module)}
    for obj in vars(module).values():
        helper = inspect.getmodule(obj) if inspect.isfunction(obj) else None
        if helper is not None and is_project_module(helper.__name__) and helper.__name__ not in sources:
            sources[helper.__name__] = inspect.getsource(helper)
    names = {a or b for source in sources.values() for a, b in PARAM_READ.findall(source)}
    return names | set(COMMON_QUERY)


def own_params(route) -> set[str]:
    """The parameter names the view function reads, itself or through the helpers of its module it
    calls (desk → _reader_id_from_post, summary → _period_or_error → parse_period ...)."""
    callback = inspect.unwrap(route.callback)
    module = inspect.getmodule(callback)
    try:
        source = inspect.getsource(callback)
    except (OSError, TypeError):
        return set()
    helpers = {n: f for n, f in vars(module).items() if inspect.isfunction(f) and f is not callback}
    seen = set()
    for _depth in range(3):
        for name, helper in helpers.items():
            if name not in seen and re.search(rf"\b{name}\(", source):
                seen.add(name)
                try:
                    source += inspect.getsource(helper)
                except (OSError, TypeError):
                    pass
    names = {a or b for a, b in PARAM_READ.findall(source)}
    if "page_param(" in source or ".get_page(" in source:
        names.add("page")
    return names


def walk_role(route, method: str) -> list[str]:
    allowed = urlwalk.allowed_roles(route, method)
    roles = [next((r for r in PREFERRED if r in allowed), None)]
    if "anonymous" in allowed:
        roles.append("anonymous")
    return [r for r in roles if r]


def hostile(i: int) -> tuple[str, str]:
    return HOSTILE[i % len(HOSTILE)]


def _encode(data: dict) -> str:
    return urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass")


# --- sending and judging ------------------------------------------------------------------------


class Judge:
    def __init__(self):
        self.problems: list[str] = []

    def send(self, client, method: str, url: str, *, body=None, content_type=None, what: str = ""):
        """One request in a savepoint that is rolled back; records a 500 or a refused request that wrote."""
        with transaction.atomic():
            before = urlwalk.db_writes()
            started = time.monotonic()
            if method == "get":
                response = client.get(url, secure=True)
            else:
                response = client.post(
                    url,
                    body if body is not None else "",
                    content_type=content_type or "application/x-www-form-urlencoded",
                    secure=True,
                )
            changed = urlwalk.changed_tables(before, urlwalk.db_writes())
            refused = self._refused(response)
            if changed and refused and set(changed) <= REFUSAL_LOG:
                from circulation.models import CirculationEvent

                last = CirculationEvent.objects.order_by("-pk").first()
                if last is not None and last.action == CirculationEvent.Action.REFUSED:
                    changed = []
            transaction.set_rollback(True)
        COUNTS["requests"] += 1
        label = f"{method.upper()} {url[:160]!r} {what}"
        if response.status_code >= 500:
            self.problems.append(f"{label}: {response.status_code}")
        elif refused and changed:
            self.problems.append(f"{label}: refused ({response.status_code}) but wrote {changed}")
        if time.monotonic() - started > 5:
            self.problems.append(f"{label}: took {time.monotonic() - started:.1f} s")
        return response

    @staticmethod
    def _refused(response) -> bool:
        if response.status_code >= 400:
            return True
        storage = getattr(response.wsgi_request, "_messages", None)
        if storage is not None and any(m.level >= messages.ERROR for m in getattr(storage, "_queued_messages", [])):
            return True
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            text = response.content.decode(errors="replace")
            return any(marker in text for marker in ERROR_MARKERS)
        return False


def _target(url: str, action: str) -> str:
    """Where a form sends to: its action (a path on this site), else the page itself."""
    if not action:
        return url
    parts = urlsplit(action)
    if not parts.path.startswith("/") or parts.netloc:
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _route_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    model_admin = getattr(match.func, "model_admin", None)
    if model_admin is not None:
        # The back office's add and change pages show the same form: walked once per model.
        return f"admin:{model_admin.model._meta.label_lower}"
    return match.view_name


def is_project(route) -> bool:
    return route.namespace != "admin"


def walk_route(route, data, clients: dict, judge: Judge):
    url = urlwalk.fill(route, data)
    COUNTS["urls"] += 1
    roles = walk_role(route, "get")
    # Every class for our views and the back office's lists; its other pages read no query of ours.
    # (A view that reads no query parameter gets two rounds, for the parameters any link may carry.)
    rotations = len(HOSTILE) if route.name.endswith("_changelist") else 1
    if is_project(route):
        rotations = len(HOSTILE) if own_params(route) else 2
    for role in roles:
        client = clients[role]
        pages = [judge.send(client, "get", url, what=f"as {role}")]
        if route.name in FORM_STATES:
            state = FORM_STATES[route.name](data)
            pages.append(judge.send(client, "get", f"{url}?{state}", what=f"as {role}"))
        forms = []
        for page in pages:
            if page.status_code == 200 and "html" in page.get("Content-Type", ""):
                parser = FormParser()
                parser.feed(page.content.decode(errors="replace"))
                forms += parser.forms
        # Query parameters: each one gets every class of value (rotated), then (our views) each alone.
        get_fields = {n for f in forms if f["method"] == "get" for n in f["fields"]}
        if get_fields:
            rotations = max(rotations, len(HOSTILE) if is_project(route) or route.name.endswith("_changelist") else 1)
        names = sorted(query_params_read(route) | get_fields)
        base = url.split("?")[0]
        for k in range(rotations):
            query = {n: hostile(k + j)[1] for j, n in enumerate(names)}
            judge.send(client, "get", f"{base}?{_encode(query)}", what=f"as {role}, every parameter hostile")
        if is_project(route) and role != "anonymous":
            # Alone (the others absent), the parameters this view itself reads.
            for j, n in enumerate(sorted(own_params(route) & set(names))):
                kind, value = hostile(j + 3)
                judge.send(client, "get", f"{base}?{_encode({n: value})}", what=f"as {role}, {n}={kind}")
        if role == "anonymous":
            continue
        for form in forms:
            if form["method"] != "post":
                continue
            target = _target(url, form["action"])
            key = (_route_name(target), tuple(sorted(form["fields"])))
            if key[0] in SKIP_FORMS or key in SEEN_FORMS:
                continue  # the same form on another page (the navigation bar's) is walked once
            SEEN_FORMS.add(key)
            walk_form(client, target, form, judge, role, singles=is_project(route))
            POSTED.add(_route_name(target))
    if not roles:
        return
    client = clients[roles[0]]
    if route.params:
        for bad_url in hostile_paths(route, url, data):
            judge.send(client, "get", bad_url, what="hostile path")
    # Wrong content types and broken bodies: every URL that takes POST gets every one of them.
    post_roles = walk_role(route, "post")
    if post_roles:
        client = clients[post_roles[0]]
        for content_type, body in BROKEN_BODIES:
            judge.send(client, "post", url, body=body, content_type=content_type, what=f"body {content_type}")


def walk_form(client, action: str, form: dict, judge: Judge, role: str, *, singles: bool):
    COUNTS["forms"] += 1
    fields = {n: ("" if v is None else v) for n, v in form["fields"].items()}
    names = [n for n in fields if n != "csrfmiddlewaretoken"]
    for k in range(len(HOSTILE)):
        body = {**fields, **{n: hostile(k + j)[1] for j, n in enumerate(names)}}
        judge.send(client, "post", action, body=_encode(body), what=f"as {role}, every field hostile")
    if singles:
        for j, n in enumerate(names):
            kind, value = hostile(j)
            judge.send(client, "post", action, body=_encode({**fields, n: value}), what=f"as {role}, {n}={kind}")
    if form["multipart"]:
        # The form sent as multipart (as the browser does), with a broken file part.
        judge.send(
            client,
            "post",
            action,
            body=b'--B\r\nContent-Disposition: form-data; name="file"; filename="x.xlsx"\r\n\r\nPK\x03\x04broken\r\n--B--\r\n',
            content_type="multipart/form-data; boundary=B",
            what=f"as {role}, broken upload",
        )


def hostile_paths(route, url: str, data) -> list[str]:
    """The URL with each path parameter replaced by hostile values (ids past 64 bits, NUL, long text)."""
    found = []
    for p in route.params:
        value = str(urlwalk._param_value(route, p, data))
        bad_values = HOSTILE_PATH_INT if f"<int:{p}>" in route.pattern else HOSTILE_PATH_STR
        if not is_project(route):
            bad_values = bad_values[:1]
        found += [url.replace(f"/{value}/", f"/{bad}/", 1) for bad in bad_values]
    return found


# Forms walked elsewhere: signing out would end the walk's session.
SKIP_FORMS = {"logout", "admin:logout"}
SEEN_FORMS: set = set()
POSTED: set = set()


@pytest.fixture(scope="module")
def clients(walk_data, django_db_blocker):  # noqa: F811
    """One signed-in client per role for the whole walk (signed in once, in the demo school's
    transaction; every request's own writes, session changes included, are rolled back)."""
    with django_db_blocker.unblock():
        return {role: urlwalk.role_client(role, walk_data) for role in urlwalk.ROLES}


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_no_hostile_value_reaches_a_server_error(route, walk_data, clients, db):  # noqa: F811
    if route.name in SKIP_FORMS:
        pytest.skip("signs the walk's client out (the production walk covers it)")
    judge = Judge()
    try:
        walk_route(route, walk_data, clients, judge)
    except urlwalk.Unfillable as exc:
        pytest.skip(str(exc))
    assert not judge.problems, "\n".join(judge.problems[:50])


def _route(name):
    return next(r for r in ROUTES if r.name == name)


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("reports:summary", {"term", "year", "from", "to"}),  # through reports.periods.parse_period
        ("serials:claims", {"source", "year"}),
        ("reading:popular", {"stage", "grade"}),
        ("stocktake:scan", {"barcode", "location"}),
        ("selfcheck:scan", {"barcode", "mode"}),
    ],
)
def test_the_query_scan_reaches_the_parameters_of_every_app(name, reads):
    assert reads <= query_params_read(_route(name))
