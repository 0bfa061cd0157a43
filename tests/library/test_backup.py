"""manage.py backup / restore: a backup restores into a new database with every row, and the
restore refuses what would lose data (a database in use, a damaged file)."""

import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from catalog import clc, services
from catalog.models import Location
from tests.conftest import make_reader, make_user

ROOT = Path(settings.BASE_DIR)


def _admin_conninfo(dbname: str) -> dict:
    db = connection.settings_dict
    return {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "dbname": dbname,
    }


def _url(dbname: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{dbname}"


def _row_counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _manage(*args, database_url: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "DJANGO_TEST": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fresh_database():
    """A new, empty database on the test server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(**_admin_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    yield name
    with psycopg.connect(**_admin_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_new_database_with_every_row(tmp_path, settings, fresh_database):
    # Committed data (pg_dump runs in another process): users, a catalogue record, copies, a reader.
    clc.ensure_table()
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "covers").mkdir(parents=True)
    (settings.MEDIA_ROOT / "covers" / "xiyouji.jpg").write_bytes(b"cover")
    make_user("librarian1", "图书管理员")
    stacks = Location.objects.create(name="书库", code="SK", position=0)
    record = services.record_create(data={"title": "西游记", "clc": "I242.4"}, copies=2, location=stacks)
    make_reader("王老师", kind="teacher")

    out = StringIO()
    call_command("backup", dir=str(tmp_path / "backups"), stdout=out)
    assert "已备份数据库" in out.getvalue()

    restored_media = tmp_path / "restored-media"
    env = {"BACKUP_DIR": str(tmp_path / "backups"), "MEDIA_ROOT": str(restored_media)}
    dump = next((tmp_path / "backups").glob("library-*.dump"))
    result = _manage("restore", str(dump), database_url=_url(fresh_database), env=env)
    assert result.returncode == 0, result.stderr
    assert "恢复完成" in result.stdout

    with psycopg.connect(**_admin_conninfo(fresh_database)) as restored:
        restored_counts = _row_counts(restored)
    source_counts = _row_counts(connection)
    assert restored_counts == source_counts
    assert source_counts["catalog_copy"] == 2 and source_counts["auth_user"] == 1
    assert (restored_media / "covers" / "xiyouji.jpg").read_bytes() == b"cover"

    # The site, run against the restored database, serves the restored record.
    page = _manage(
        "shell",
        "-c",
        "from django.test import Client; r = Client().get('/record/%d/'); "
        "print('STATUS', r.status_code, '西游记' in r.content.decode())" % record.pk,
        database_url=_url(fresh_database),
        env=env,
    )
    assert "STATUS 200 True" in page.stdout, page.stderr


def _fake_backup(directory: Path, name: str, content: bytes = b"PGDMP fake") -> Path:
    import hashlib

    directory.mkdir(parents=True, exist_ok=True)
    dump = directory / name
    dump.write_bytes(content)
    (directory / f"{name}.sha256").write_text(f"{hashlib.sha256(content).hexdigest()}  {name}\n")
    return dump


@pytest.mark.django_db
def test_restore_refuses_a_database_that_holds_data(tmp_path, librarian):
    dump = _fake_backup(tmp_path, "library-20261101-020000.dump")
    with pytest.raises(CommandError, match="已经有数据"):
        call_command("restore", str(dump), stdout=StringIO())
    assert User.objects.filter(username="librarian1").exists()


@pytest.mark.django_db
def test_restore_refuses_a_file_whose_checksum_does_not_match(tmp_path):
    dump = _fake_backup(tmp_path, "library-20261101-020000.dump")
    dump.write_bytes(b"PGDMP damaged")
    with pytest.raises(CommandError, match="校验不符"):
        call_command("restore", str(dump), stdout=StringIO())


@pytest.mark.django_db
def test_restore_refuses_a_file_without_checksum(tmp_path):
    dump = _fake_backup(tmp_path, "library-20261101-020000.dump")
    (tmp_path / "library-20261101-020000.dump.sha256").unlink()
    with pytest.raises(CommandError, match="缺少校验文件"):
        call_command("restore", str(dump), stdout=StringIO())


@pytest.mark.django_db
def test_restore_checks_the_media_archive_before_touching_the_database(tmp_path):
    dump = _fake_backup(tmp_path, "library-20261101-020000.dump")
    _fake_backup(tmp_path, "library-20261101-020000-media.tar.gz")
    (tmp_path / "library-20261101-020000-media.tar.gz").write_bytes(b"damaged")
    with pytest.raises(CommandError, match="media.tar.gz 的 SHA-256 校验不符"):
        call_command("restore", str(dump), stdout=StringIO())


@pytest.mark.django_db
def test_a_dry_run_reads_the_backup_and_changes_nothing(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "no-media"
    call_command("backup", dir=str(tmp_path), stdout=StringIO())
    dump = next(tmp_path.glob("library-*.dump"))
    out = StringIO()
    call_command("restore", dump.name, dir=str(tmp_path), dry_run=True, stdout=out)
    assert "试运行" in out.getvalue() and "没有做任何改动" in out.getvalue()
    assert not list(tmp_path.glob("before-restore-*"))


@pytest.mark.django_db
def test_backup_keeps_the_newest_n_private_files(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "no-media"
    backups = tmp_path / "backups"
    for day in ("01", "02", "03"):
        _fake_backup(backups, f"library-202611{day}-020000.dump")
    safety = _fake_backup(backups, "before-restore-20261001-020000.dump")

    call_command("backup", dir=str(backups), keep=2, stdout=StringIO())

    kept = sorted(p.name for p in backups.glob("library-*.dump"))
    assert len(kept) == 2 and kept[0] == "library-20261103-020000.dump"
    assert not (backups / "library-20261101-020000.dump.sha256").exists()
    assert safety.exists()  # the copy taken before a forced restore is not rotated away
    new = backups / kept[1]
    for path in (new, backups / f"{kept[1]}.sha256"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_restore_lists_the_backups(tmp_path):
    _fake_backup(tmp_path, "library-20261101-020000.dump")
    out = StringIO()
    call_command("restore", list=True, dir=str(tmp_path), stdout=out)
    assert "library-20261101-020000.dump" in out.getvalue()


@pytest.mark.django_db
def test_a_forced_restore_replaces_everything_and_keeps_a_copy_of_what_was_there(tmp_path, settings, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "no-media"
    backups = tmp_path / "backups"
    call_command("backup", dir=str(backups), stdout=StringIO())  # the committed (migrated) test database
    dump = str(next(backups.glob("library-*.dump")))
    with psycopg.connect(**_admin_conninfo(fresh_database), autocommit=True) as target:
        target.execute("CREATE TABLE auth_user (id int); INSERT INTO auth_user VALUES (1)")
        target.execute("CREATE TABLE leftover (id int)")
    env = {"BACKUP_DIR": str(backups), "MEDIA_ROOT": str(tmp_path / "restored-media")}

    refused = _manage("restore", dump, database_url=_url(fresh_database), env=env)
    assert refused.returncode != 0 and "已经有数据" in refused.stderr

    forced = _manage("restore", dump, "--force", database_url=_url(fresh_database), env=env)
    assert forced.returncode == 0, forced.stderr
    assert list(backups.glob("before-restore-*.dump"))
    with psycopg.connect(**_admin_conninfo(fresh_database)) as restored:
        assert _row_counts(restored) == _row_counts(connection)  # and no leftover table


def _fake_program(folder: Path, name: str, version: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    program.chmod(0o755)


def test_the_client_of_the_server_version_is_chosen(tmp_path, monkeypatch):
    from library import backup

    for major in ("14", "15", "16"):
        _fake_program(tmp_path / "lib" / major / "bin", "pg_dump", f"{major}.3")
    monkeypatch.setattr(backup, "PG_LIB", tmp_path / "lib")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert backup.client_program("pg_dump", 15) == tmp_path / "lib" / "15" / "bin" / "pg_dump"


def test_a_client_older_than_the_server_is_refused(tmp_path, monkeypatch):
    from library import backup

    _fake_program(tmp_path / "path", "pg_dump", "14.9")
    monkeypatch.setattr(backup, "PG_LIB", tmp_path / "none")
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    with pytest.raises(backup.BackupError, match="低于数据库服务器的版本"):
        backup.client_program("pg_dump", 15)
