"""Uploaded files that wait between an import's preview and its confirmation.

They hold pupils' and the collection's data, so they live in a private folder under
settings.DATA_DIR (folders 0700, files 0600; never in the shared temporary folder, never served),
are removed as soon as the import is confirmed or cancelled, and any left behind (a preview
nobody confirmed) are removed after a day: on every upload, and by the daily chore of the first
signed-in request of the day (library.daily).
"""

import logging
import os
import re
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"[0-9a-f]{64}")


def folder() -> Path:
    """The private upload folder, created (0700, and its DATA_DIR parent too) when missing."""
    base = Path(settings.DATA_DIR)
    path = base / "uploads"
    for directory in (base, path):
        if not directory.is_dir():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)  # mkdir's mode is narrowed by the umask, never widened
    os.chmod(path, 0o700)
    return path


def _path(token: str) -> Path | None:
    return folder() / f"{token}.bin" if _TOKEN.fullmatch(token or "") else None


def save(token: str, content: bytes) -> None:
    """Keep `content` under `token` (a SHA-256 hex digest), readable by this account only."""
    path = _path(token)
    if path is None:
        raise ValueError("upload token must be a SHA-256 hex digest")
    purge_stale()
    partial = path.with_suffix(".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(content)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)  # a reader never sees half a file


def load(token: str) -> bytes | None:
    path = _path(token)
    if path is None or not path.is_file():
        return None
    return path.read_bytes()


def remove(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def purge_stale(*, now: float | None = None, max_age: int = MAX_AGE_SECONDS) -> int:
    """Remove uploads older than `max_age` seconds; returns how many were removed."""
    now = time.time() if now is None else now
    removed = 0
    base = Path(settings.DATA_DIR) / "uploads"
    if not base.is_dir():
        return 0
    for path in base.iterdir():
        try:
            if path.is_file() and now - path.stat().st_mtime > max_age:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed by another process meanwhile
            continue
    if removed:
        logger.info("removed %s unconfirmed upload(s) older than a day", removed)
    return removed


def purge_stale_daily() -> bool:
    """The daily chore (library.daily): import files nobody confirmed or cancelled."""
    purge_stale()
    return False
