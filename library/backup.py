"""Backups of the configured database (pg_dump custom format) and of the uploaded files.

A backup is a set of files in the backup folder, all named after one timestamp:

    library-20261130-020000.dump            pg_dump --format=custom of DATABASE_URL
    library-20261130-020000.dump.sha256     its SHA-256, in `sha256sum -c` format
    library-20261130-020000-media.tar.gz    MEDIA_ROOT (uploaded covers), when there is any
    library-20261130-020000-media.tar.gz.sha256

Every file is written with mode 0600 (the dump holds children's data) and appears under its
final name only when complete. Used by the `backup` and `restore` management commands.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

PG_LIB = Path("/usr/lib/postgresql")  # Debian: one bin/ folder per installed major version
PREFIX = "library-"
SAFETY_PREFIX = "before-restore-"
NAME_RE = re.compile(r"^(library|before-restore)-(\d{8}-\d{6})(?:-(\d+))?\.dump$")


class BackupError(Exception):
    """A backup or restore could not be done; the message says why (in Chinese)."""


@dataclass
class Backup:
    dump: Path

    @property
    def checksum(self) -> Path:
        return checksum_path(self.dump)

    @property
    def media(self) -> Path:
        return self.dump.with_name(self.dump.name.removesuffix(".dump") + "-media.tar.gz")

    def files(self) -> list[Path]:
        return [p for p in (self.dump, self.checksum, self.media, checksum_path(self.media)) if p.exists()]

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.files())

    @property
    def created(self) -> datetime:
        return datetime.fromtimestamp(self.dump.stat().st_mtime, tz=timezone.get_current_timezone())


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def backup_dir(override: str | os.PathLike | None = None) -> Path:
    return Path(override or settings.BACKUP_DIR).expanduser().resolve()


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


# --- the PostgreSQL client programs ----------------------------------------------------------


def _major(version_text: str) -> int:
    match = re.search(r"\b(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise BackupError(_("无法识别 PostgreSQL 程序的版本：%(text)s") % {"text": version_text})
    return int(match.group(1))


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def client_program(name: str, server: int) -> Path:
    """The pg_dump/pg_restore/psql to use for a server of major version `server`.

    pg_dump refuses (or silently mis-dumps with) a server newer than itself, so the program of
    the server's own version is preferred: Debian installs each version in
    /usr/lib/postgresql/<major>/bin (as scripts/pg.sh finds them); PATH comes next. An older
    client is refused, a newer one is accepted."""
    candidates = [Path(p) / name for p in sorted(PG_LIB.glob("*/bin"))]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    found: list[tuple[int, Path]] = []
    for path in candidates:
        if not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        found.append((_major(out.stdout), path))
    if not found:
        raise BackupError(
            _("找不到 %(name)s：请安装 PostgreSQL 客户端（sudo apt-get install postgresql-client）。") % {"name": name}
        )
    usable = sorted((major, path) for major, path in found if major >= server)
    if not usable:
        newest = max(major for major, _path in found)
        raise BackupError(
            _("%(name)s 的版本（%(client)s）低于数据库服务器的版本（%(server)s），请安装相同版本的客户端。")
            % {"name": name, "client": newest, "server": server}
        )
    return usable[0][1]


def libpq_env(db: dict | None = None) -> dict[str, str]:
    """The environment for the client programs: the connection of the configured database,
    with the password in PGPASSWORD rather than on a command line other users can see."""
    db = db or settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def database_label(db: dict | None = None) -> str:
    db = db or settings.DATABASES["default"]
    return f"{db.get('NAME')}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"


# --- files ----------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _private_file(path: Path):
    """Open a new file that only the owner can read (0600 whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def _write_checksum(path: Path) -> None:
    target = checksum_path(path)
    tmp = target.with_name(target.name + ".partial")
    with _private_file(tmp) as fh:
        fh.write(f"{sha256_of(path)}  {path.name}\n".encode())
    tmp.replace(target)


def verify_checksum(path: Path) -> None:
    sums = checksum_path(path)
    if not sums.exists():
        raise BackupError(_("缺少校验文件 %(sums)s，不能确认备份完整。") % {"sums": sums.name})
    expected = sums.read_text(encoding="utf-8").split()[:1]
    if not expected or expected[0].lower() != sha256_of(path):
        raise BackupError(
            _("备份文件 %(file)s 的 SHA-256 校验不符：文件已损坏或被改动，不能用来恢复。") % {"file": path.name}
        )


def list_backups(directory: Path) -> list[Backup]:
    if not directory.is_dir():
        return []
    dumps = [p for p in directory.iterdir() if NAME_RE.match(p.name)]
    return [Backup(p) for p in sorted(dumps, key=lambda p: (NAME_RE.match(p.name).group(2), p.name))]


def _new_name(directory: Path, prefix: str, now: datetime) -> Path:
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    path, n = directory / f"{prefix}{stamp}.dump", 1
    while path.exists() or Backup(path).media.exists():
        n += 1
        path = directory / f"{prefix}{stamp}-{n}.dump"
    return path


# --- backup ---------------------------------------------------------------------------------


def make_backup(directory: Path, *, prefix: str = PREFIX, media: bool = True, now: datetime | None = None) -> Backup:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    pg_dump = client_program("pg_dump", server_major())
    backup = Backup(_new_name(directory, prefix, now or timezone.now()))
    partial = backup.dump.with_name(backup.dump.name + ".partial")
    try:
        with _private_file(partial) as out:
            result = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges"],
                stdout=out,
                stderr=subprocess.PIPE,
                env=libpq_env(),
                check=False,
            )
        if result.returncode != 0:
            raise BackupError(_("pg_dump 失败：%(error)s") % {"error": result.stderr.decode(errors="replace").strip()})
        partial.replace(backup.dump)
    finally:
        partial.unlink(missing_ok=True)
    _write_checksum(backup.dump)
    if media:
        _backup_media(backup.media)
    return backup


def _backup_media(target: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir() or not any(root.iterdir()):
        return
    partial = target.with_name(target.name + ".partial")
    try:
        with _private_file(partial) as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
            tar.add(root, arcname="media")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _write_checksum(target)


def rotate(directory: Path, keep: int) -> list[Backup]:
    """Delete all but the newest `keep` nightly backups; returns the deleted ones.

    Only backups named library-*; the safety copies taken before a forced restore stay."""
    nightly = [b for b in list_backups(directory) if b.dump.name.startswith(PREFIX)]
    old = nightly[: max(len(nightly) - keep, 0)]
    for backup in old:
        for path in backup.files():
            path.unlink(missing_ok=True)
    return old


# --- restore --------------------------------------------------------------------------------


def school_data_counts() -> dict[str, int]:
    """Rows of the school's own data in the configured database (tables that do not exist
    count as empty). The reference tables that `migrate` fills (中图法, standards) are not here:
    a freshly migrated database is empty."""
    from django.apps import apps

    tables = []
    for app_label in ("auth", "library", "catalog", "circulation", "reports"):
        for model in apps.get_app_config(app_label).get_models():
            tables.append(model._meta.db_table)
    reference = {"catalog_clcclass", "reports_holdingsstandard", "reports_collectiontarget", "reports_reportsettings"}
    reference |= {"auth_permission", "auth_group", "auth_group_permissions"}
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(set(tables) - reference):
            if table in existing:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
    return {table: n for table, n in counts.items() if n}


def public_table_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0]


def archive_table_count(dump: Path) -> int:
    """Read the dump's table of contents (pg_restore --list): how many tables it holds data for."""
    pg_restore = client_program("pg_restore", server_major())
    result = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("备份文件无法读取：%(error)s") % {"error": result.stderr.strip()})
    return sum(1 for line in result.stdout.splitlines() if " TABLE DATA " in line)


def restore_backup(dump: Path) -> None:
    """Replace the configured database's public schema by the dump, in one transaction.

    pg_restore writes the SQL and psql runs it with --single-transaction and ON_ERROR_STOP:
    either the whole backup is in, or the database is left exactly as it was. When the schema
    already has tables they are dropped first, inside the same transaction, so no table of a
    newer version of the code is left mixed with the restored ones."""
    server = server_major()
    pg_restore = client_program("pg_restore", server)
    psql = client_program("psql", server)
    drop_first = public_table_count() > 0
    connection.close()  # our own idle connection must not hold the schema
    env = libpq_env()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        producer = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=restore_err,
            env=env,
        )
        consumer = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=env,
        )
        # pg_restore's SQL streams through here into psql (a large dump is never held in
        # memory), framed by our own BEGIN and COMMIT: the COMMIT is only sent once pg_restore
        # has finished without error, so a failure half-way rolls everything back.
        try:
            consumer.stdin.write(b"BEGIN;\n")
            if drop_first:
                consumer.stdin.write(b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
            for chunk in iter(lambda: producer.stdout.read(1024 * 1024), b""):
                consumer.stdin.write(chunk)
            if producer.wait() == 0:
                consumer.stdin.write(b"\nCOMMIT;\n")
            consumer.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error; its message is in psql_err
        finally:
            producer.stdout.close()
            restored = producer.wait() == 0
            committed = consumer.wait() == 0 and restored
        if not committed:
            errors = []
            for fh in (restore_err, psql_err):
                fh.seek(0)
                errors.append(fh.read().decode(errors="replace").strip())
            raise BackupError(_("恢复失败，数据库保持原样：%(error)s") % {"error": "\n".join(e for e in errors if e)})


def restore_media(archive: Path) -> Path:
    """Unpack the media archive into MEDIA_ROOT (files of the same name are replaced)."""
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
        for member in members:
            member.name = member.name.removeprefix("media").lstrip("/") or "."
        tar.extractall(root, members=members, filter="data")
    return root
