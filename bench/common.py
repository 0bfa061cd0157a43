"""What every benchmark shares: one large dataset in its own database, then Django set up on it.

Every bench script calls `prepare(url, rebuild=...)`: it creates the database when missing (or drops
it first with --rebuild), migrates, and loads the demo school at benchmark scale when the database is
empty (3,000 students, 60,000 titles, 100,000 copies, 6 terms: about 300,000 loans). Under
`make bench` all scripts share BENCH_DATABASE_URL, so the dataset is built once.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
SCALE = ["--students", "3000", "--titles", "60000", "--copies", "100000", "--terms", "6"]
# A small school, to check that a benchmark script runs at all (its figures mean nothing).
SMALL_SCALE = ["--students", "200", "--titles", "1500", "--copies", "3000", "--terms", "2"]


def _manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


def _create_database(url: str, *, rebuild: bool) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if rebuild:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")


def prepare(url: str, *, rebuild: bool = False, scale: list[str] = SCALE) -> None:
    """Make `url` hold the benchmark dataset (`scale`: load_demo's sizes), then set Django up on it
    (in this process)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_TEST": "1", "DJANGO_SETTINGS_MODULE": "library.settings"}
    env.setdefault("LOG_LEVEL", "WARNING")
    _create_database(url, rebuild=rebuild)
    _manage("migrate", "--no-input", "-v", "0", env=env)
    started = time.perf_counter()
    _manage("load_demo", "--if-empty", *scale, env=env)
    print(f"dataset ready in {time.perf_counter() - started:.0f} s")
    # The day's reading-history retention, done before measuring: otherwise the first signed-in
    # requests of the timed loop would each anonymise a batch of the demo's older loans.
    started = time.perf_counter()
    _manage("anonymise_loans", env=env)
    print(f"reading-history retention: {time.perf_counter() - started:.0f} s")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Fresh planner statistics after a bulk load, and no dead rows left by an earlier benchmark
        # (the catalogue bench rolls its import back): autovacuum would otherwise clean them up in
        # the background while this benchmark measures.
        cursor.execute("VACUUM (ANALYZE)")
    print(f"vacuum and analyze: {time.perf_counter() - started:.0f} s")


def default_url(name: str) -> str:
    """BENCH_DATABASE_URL under `make bench`, else a database of its own in the dev cluster."""
    return os.environ.get("BENCH_DATABASE_URL") or f"postgres://postgres@127.0.0.1:54329/{name}"


def cpu_check() -> str:
    """A fixed pure-Python workload, timed: tells a throttled or shared machine from slow code.

    On the 2-core development VM it takes about 180 ms when the machine is not throttled; figures
    taken while it reads much higher say more about the machine than about the code.
    """
    started = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    return f"CPU check {1000 * (time.perf_counter() - started):.0f} ms (about 180 ms on an unthrottled 2-core VM)"
