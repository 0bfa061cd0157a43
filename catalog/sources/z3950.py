"""Z39.50 copy cataloguing: search the school's configured targets, answer with Candidates.

The protocol is Index Data's YAZ (Debian's `libyaz5`), called through its ZOOM C API with ctypes;
the records come back as ISO 2709 bytes and are read with pymarc in the target's configured
encoding. Every target is searched in its own thread, so the slowest one sets the wait, not the sum.
Nothing here raises to the caller: a target that cannot be reached, times out or refuses the
search becomes a Chinese message in `Z3950Result.errors`.
"""

import ctypes
import ctypes.util
import math
import threading
import time
import warnings
from dataclasses import dataclass, field
from io import BytesIO

from django.utils.translation import gettext as _
from pymarc import MARCReader

from catalog.marc import cnmarc_row, flavour_of, marc21_row
from catalog.sources.candidate import Candidate

# Records fetched per target and search: enough for a title search to offer a choice.
MAX_RECORDS = 10
# Search timeout when neither the caller nor the target says.
DEFAULT_TIMEOUT = 10

# ZOOM's own error codes (yaz/zoom.h).
_ZOOM_ERROR_CONNECT = 10000
_ZOOM_ERROR_CONNECTION_LOST = 10004
_ZOOM_ERROR_INIT = 10005
_ZOOM_ERROR_TIMEOUT = 10007
# The name YAZ's character conversion knows each target encoding by (UTF-8 needs none).
_RPN_CHARSETS = {"gb18030": "GB18030", "marc-8": "marc8"}
# Bib-1 diagnostics a target answers with (https://www.loc.gov/z3950/agency/defns/bib1diag.html).
_BIB1_NO_DATABASE = {109, 235}
_BIB1_UNSUPPORTED_ATTRIBUTE = {113, 114, 116, 117, 118, 121, 123, 124}
_BIB1_ACCESS = {1010, 1011, 1012, 1013, 1014, 1015, 1016, 1017}


# --- The YAZ library -----------------------------------------------------------------------------

_yaz = None
_yaz_error = ""
_yaz_lock = threading.Lock()


def _load_yaz():
    """The ZOOM functions of libyaz5, loaded once; None (and _yaz_error said) when not installed."""
    global _yaz, _yaz_error
    with _yaz_lock:
        if _yaz is not None or _yaz_error:
            return _yaz
        lib = None
        for name in ("libyaz.so.5", ctypes.util.find_library("yaz")):
            if not name:
                continue
            try:
                lib = ctypes.CDLL(name)
                break
            except OSError:
                continue
        if lib is None:
            _yaz_error = "missing"
            return None
        p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        signatures = {
            "ZOOM_connection_create": (p, [p]),
            "ZOOM_connection_option_set": (None, [p, s, s]),
            "ZOOM_connection_connect": (None, [p, s, i]),
            "ZOOM_connection_search_pqf": (p, [p, s]),
            "ZOOM_connection_error": (i, [p, ctypes.POINTER(s), ctypes.POINTER(s)]),
            "ZOOM_connection_destroy": (None, [p]),
            "ZOOM_resultset_size": (ctypes.c_size_t, [p]),
            "ZOOM_resultset_record": (p, [p, ctypes.c_size_t]),
            "ZOOM_resultset_destroy": (None, [p]),
            "ZOOM_record_get": (ctypes.c_void_p, [p, s, ctypes.POINTER(i)]),
        }
        try:
            for fname, (restype, argtypes) in signatures.items():
                fn = getattr(lib, fname)
                fn.restype = restype
                fn.argtypes = argtypes
        except AttributeError:
            _yaz_error = "missing"
            return None
        _yaz = lib
        return _yaz


def yaz_available() -> bool:
    return _load_yaz() is not None


def yaz_missing_message() -> str:
    return _("未安装 YAZ 库（Debian 软件包 libyaz5），无法检索 Z39.50 服务器。请运行 make run 或让管理员安装 libyaz5。")


# --- Results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetError:
    target: str
    message: str

    def __str__(self) -> str:
        return _("%(label)s：%(text)s") % {"label": self.target, "text": self.message}


@dataclass
class Z3950Result:
    candidates: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    # Hits each target reported (before MAX_RECORDS), by target name; absent for a failed target.
    hits: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _TargetSpec:
    """What a search thread needs of a target (model instances stay in the request's thread)."""

    name: str
    host: str
    port: int
    database: str
    syntax: str
    encoding: str
    timeout: int
    user: str = ""
    password: str = ""


@dataclass
class _Outcome:
    hits: int = 0
    records: list = field(default_factory=list)  # raw ISO 2709 bytes
    error: tuple | None = None  # (kind, detail)


def _spec(target, timeout) -> _TargetSpec:
    seconds = timeout if timeout is not None else (getattr(target, "timeout", None) or DEFAULT_TIMEOUT)
    return _TargetSpec(
        name=target.name,
        host=target.host,
        port=int(target.port),
        database=target.database,
        syntax=target.syntax,
        encoding=target.encoding,
        timeout=max(1, math.ceil(float(seconds))),
        user=getattr(target, "user", "") or "",
        password=getattr(target, "password", "") or "",
    )


# --- Queries ---------------------------------------------------------------------------------------


def _pqf_term(text: str) -> str:
    # No NUL (C strings) and no lone surrogates (not UTF-8) reach YAZ.
    text = "".join(ch for ch in str(text) if ch != "\x00" and not "\ud800" <= ch <= "\udfff")
    text = " ".join(text.split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_query(*, isbn: str = "", title: str = "", author: str = "") -> str:
    """The PQF query: Bib-1 use attributes 7 (ISBN), 4 (title), 1003 (author), ANDed."""
    parts = []
    isbn = "".join(ch for ch in str(isbn) if ch.isdigit() or ch in "Xx").upper()
    if isbn:
        parts.append(f"@attr 1=7 {_pqf_term(isbn)}")
    if _pqf_term(title) != '""':
        parts.append(f"@attr 1=4 {_pqf_term(title)}")
    if _pqf_term(author) != '""':
        parts.append(f"@attr 1=1003 {_pqf_term(author)}")
    if not parts:
        return ""
    return "@and " * (len(parts) - 1) + " ".join(parts)


def _isbn_variants(isbn: str) -> list[str]:
    """An ISBN as typed, and its other form (ISBN-10 ↔ ISBN-13 978): catalogues hold either."""
    digits = "".join(ch for ch in str(isbn) if ch.isdigit() or ch in "Xx").upper()
    out = [digits] if digits else []
    if len(digits) == 13 and digits.startswith("978"):
        core = digits[3:12]
        total = sum((10 - i) * int(d) for i, d in enumerate(core))
        check = (11 - total % 11) % 11
        out.append(core + ("X" if check == 10 else str(check)))
    elif len(digits) == 10 and digits[:9].isdigit():
        core = "978" + digits[:9]
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core))
        out.append(core + str((10 - total % 10) % 10))
    return out


# --- One target --------------------------------------------------------------------------------------


def _search_one(spec: _TargetSpec, queries: list[str], outcome: _Outcome) -> None:
    """Runs in its own thread; fills `outcome`. ctypes releases the GIL during the YAZ calls."""
    yaz = _load_yaz()
    conn = yaz.ZOOM_connection_create(None)
    try:

        def opt(key, value):
            yaz.ZOOM_connection_option_set(conn, key.encode(), str(value).encode())

        opt("timeout", spec.timeout)
        opt("databaseName", spec.database)
        opt("preferredRecordSyntax", "usmarc" if spec.syntax == "marc21" else "unimarc")
        opt("elementSetName", "F")
        opt("count", MAX_RECORDS)
        opt("implementationName", "shuxiang")
        # Query terms travel in the target's own character set (YAZ converts them from UTF-8).
        if spec.encoding in _RPN_CHARSETS:
            opt("rpnCharset", _RPN_CHARSETS[spec.encoding])
        if spec.user:
            opt("user", spec.user)
        if spec.password:
            opt("password", spec.password)
        yaz.ZOOM_connection_connect(conn, spec.host.encode("idna"), spec.port)
        if _error(yaz, conn, outcome):
            return
        seen = set()
        for query in queries:
            rs = yaz.ZOOM_connection_search_pqf(conn, query.encode("utf-8"))
            try:
                if _error(yaz, conn, outcome):
                    return
                size = yaz.ZOOM_resultset_size(rs)
                outcome.hits += size
                for pos in range(min(size, MAX_RECORDS)):
                    rec = yaz.ZOOM_resultset_record(rs, pos)
                    if not rec:
                        if _error(yaz, conn, outcome):
                            return
                        continue
                    length = ctypes.c_int(0)
                    ptr = yaz.ZOOM_record_get(rec, b"raw", ctypes.byref(length))
                    if ptr and length.value > 0:
                        data = ctypes.string_at(ptr, length.value)
                        if data not in seen:
                            seen.add(data)
                            outcome.records.append(data)
            finally:
                if rs:
                    yaz.ZOOM_resultset_destroy(rs)
            if outcome.records:
                break
    except Exception as exc:  # a bug or an odd library must not reach the cataloguer as a 500
        outcome.error = ("internal", str(exc))
    finally:
        yaz.ZOOM_connection_destroy(conn)


def _error(yaz, conn, outcome: _Outcome) -> bool:
    msg, addinfo = ctypes.c_char_p(), ctypes.c_char_p()
    code = yaz.ZOOM_connection_error(conn, ctypes.byref(msg), ctypes.byref(addinfo))
    if not code:
        return False
    detail = " ".join(v.decode("utf-8", "replace") for v in (msg.value, addinfo.value) if v).strip()
    if code == _ZOOM_ERROR_TIMEOUT:
        kind = "timeout"
    elif code in (_ZOOM_ERROR_CONNECT,):
        kind = "connect"
    elif code in (_ZOOM_ERROR_CONNECTION_LOST, _ZOOM_ERROR_INIT):
        kind = "lost"
    elif code in _BIB1_NO_DATABASE:
        kind = "database"
    elif code in _BIB1_UNSUPPORTED_ATTRIBUTE:
        kind = "attribute"
    elif code in _BIB1_ACCESS:
        kind = "access"
    else:
        kind = "other"
    outcome.error = (kind, f"{code} {detail}".strip())
    return True


def _message(kind: str, detail: str, spec: _TargetSpec) -> str:
    where = f"{spec.host}:{spec.port}"
    if kind == "timeout":
        return _("连接超时（%(s)s 秒内没有回答），请稍后再试或加大超时。") % {"s": spec.timeout}
    if kind == "connect":
        return _("无法连接 %(where)s：服务器没有开机、地址或端口不对，或网络不通。") % {"where": where}
    if kind == "lost":
        return _("%(where)s 断开了连接（可能不是 Z39.50 服务器，或用户名、密码不对）。") % {"where": where}
    if kind == "database":
        return _("服务器上没有名为“%(db)s”的数据库，请核对数据库名。") % {"db": spec.database}
    if kind == "attribute":
        return _("服务器不支持这种检索（%(detail)s）。") % {"detail": detail}
    if kind == "access":
        return _("服务器拒绝访问，请核对用户名和密码（%(detail)s）。") % {"detail": detail}
    if kind == "decode":
        return _("收到的记录无法解析：%(detail)s") % {"detail": detail}
    return _("检索出错（%(detail)s）。") % {"detail": detail}


# --- Records -----------------------------------------------------------------------------------------


def record_fields(data: bytes, *, syntax: str, encoding: str):
    """The pymarc Record and the `fields` dict of one raw ISO 2709 record, read in `encoding`."""
    if encoding == "utf-8":
        reader_args = {"force_utf8": True, "utf8_handling": "replace"}
    else:
        # The target's configured encoding wins over leader/09 (servers set it carelessly).
        if len(data) >= 24 and data[9:10] == b"a":
            data = data[:9] + b" " + data[10:]
        # pymarc reads "iso8859-1" as MARC-8 (its MARC-8 to Unicode conversion).
        reader_args = {"file_encoding": "iso8859-1" if encoding == "marc-8" else encoding}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = MARCReader(BytesIO(data), to_unicode=True, permissive=True, **reader_args)
        record = next(iter(reader), None)
        if record is None:
            raise ValueError(str(reader.current_exception or "ISO 2709"))
    kind = flavour_of(record) or ("marc21" if syntax == "marc21" else "cnmarc")
    row = cnmarc_row(record) if kind == "cnmarc" else marc21_row(record)
    return record, row


# --- The search --------------------------------------------------------------------------------------


def search_targets(
    *, isbn: str = "", title: str = "", author: str = "", targets=None, timeout: float | None = None
) -> Z3950Result:
    """Search every target (default: the enabled Z3950Target rows, in their order) at once.

    `targets` may be any objects with the Z3950Target attributes (e.g. an unsaved instance, to test
    a setting before saving it). `timeout` (seconds) overrides each target's own."""
    result = Z3950Result()
    if targets is None:
        from catalog.models import Z3950Target

        targets = list(Z3950Target.objects.filter(enabled=True).order_by("position", "name"))
    else:
        targets = list(targets)
    if not targets:
        return result
    rest = build_query(title=title, author=author)
    if str(isbn).strip():
        queries = []
        for variant in _isbn_variants(isbn):
            q = build_query(isbn=variant)
            queries.append(f"@and {q} {rest}" if rest else q)
    else:
        queries = [rest] if rest else []
    if not queries:
        result.errors.append(TargetError("Z39.50", _("请输入 ISBN、题名或著者。")))
        return result
    if not yaz_available():
        result.errors.append(TargetError("Z39.50", yaz_missing_message()))
        return result

    specs = [_spec(t, timeout) for t in targets]
    outcomes = [_Outcome() for _ in specs]
    threads = [
        threading.Thread(target=_search_one, args=(s, queries, o), name=f"z3950-{s.name}", daemon=True)
        for s, o in zip(specs, outcomes, strict=True)
    ]
    for t in threads:
        t.start()
    # YAZ's timeout holds per network wait (connect, init, search, present); a target that answers
    # each of them slowly is left behind after twice its timeout (its daemon thread ends on YAZ's own).
    started = time.monotonic()
    for spec, thread in zip(specs, threads, strict=True):
        thread.join(max(0.0, started + spec.timeout * 2 + 1 - time.monotonic()))

    for spec, thread, outcome in zip(specs, threads, outcomes, strict=True):
        if thread.is_alive():
            result.errors.append(TargetError(spec.name, _message("timeout", "", spec)))
            continue
        if outcome.error:
            result.errors.append(TargetError(spec.name, _message(*outcome.error, spec)))
            continue
        result.hits[spec.name] = outcome.hits
        for data in outcome.records:
            try:
                _record, row = record_fields(data, syntax=spec.syntax, encoding=spec.encoding)
            except Exception as exc:  # one broken record must not hide the others
                result.errors.append(TargetError(spec.name, _message("decode", str(exc), spec)))
                continue
            result.candidates.append(Candidate(source="z3950", label=spec.name, fields=row, marc=data))
    return result
