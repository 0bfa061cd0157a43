"""Benchmark of the source pool (书目数据源): importing a large supplier file, ISBN look-ups and title searches.

    .venv/bin/python bench/pool_bench.py [--database-url URL] [--rebuild] [--records 100000]
                                         [--pool 1000000] [--lookups 1000]

It needs none of the school dataset of bench/common.py: it works in a database of its own on the
same cluster (the name of BENCH_DATABASE_URL's database + "_pool"), created and migrated when
missing and emptied of pool rows before each run. Steps:
1. generate a CNMARC file (UTF-8, ISO 2709) of `--records` records with distinct valid ISBNs, and
   time `catalog.sources.pool.pool_import` on it (parse, map, COPY into PostgreSQL, commit);
2. fill the pool up to `--pool` rows in SQL (INSERT … SELECT generate_series, valid ISBN-13s);
3. time `--lookups` calls of `pool.lookup_isbn` with ISBNs of the pool, in random order;
4. time `--searches` title/author searches (`pool.search_records`, what the 书目数据源 page runs) of
   three kinds: a rare title (a few matches), a common title (one record in nine of the imported
   file), and words no record has; the pg_trgm indexes serve them (three characters or more).
Targets (issue 11): import of 100,000 records < 60 s; ISBN look-up in a pool of 1,000,000 records
p95 < 20 ms. The title search has no target in the issue; it is printed to watch.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from common import ROOT, _create_database, cpu_check, default_url  # bench/ is first on sys.path

TITLES = ["西游记", "小王子", "草房子", "昆虫记", "十万个为什么", "青铜葵花", "城南旧事", "寄小读者", "稻草人"]
PUBLISHERS = ["人民文学出版社", "新蕾出版社", "江苏少年儿童出版社", "浙江少年儿童出版社", "中国少年儿童出版社"]
CLASSES = ["I287.45", "I286.5", "Z228.1", "I565.88", "Q96-49", "G624.203", "I242.4"]


def isbn13(n: int, prefix: str = "9787") -> str:
    """A valid ISBN-13: prefix + n padded to 12 digits + its check digit."""
    digits = f"{prefix}{n:0{12 - len(prefix)}d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _record(fields: list[tuple[str, bytes]]) -> bytes:
    body, directory, offset = b"", b"", 0
    for tag, data in fields:
        data += b"\x1e"
        body += data
        directory += f"{tag}{len(data):04d}{offset:05d}".encode()
        offset += len(data)
    directory += b"\x1e"
    base = 24 + len(directory)
    return f"{base + len(body) + 1:05d}nam0 22{base:05d}   450 ".encode() + directory + body + b"\x1d"


def marc_file(n: int) -> bytes:
    """n CNMARC records (UTF-8) as a supplier sends them: ISBN and price, title, publisher, class."""
    rng = random.Random(11)
    out = []
    for i in range(n):
        title = f"{rng.choice(TITLES)}（第{i}册）".encode()
        out.append(
            _record(
                [
                    ("001", f"B{i:08d}".encode()),
                    ("010", b"  \x1fa" + isbn13(i).encode() + b"\x1fdCNY" + f"{10 + i % 50}.00".encode()),
                    ("101", b"0 \x1fachi"),
                    ("200", b"1 \x1fa" + title + "\x1ff张三著".encode()),
                    ("210", "  \x1fa北京\x1fc".encode() + rng.choice(PUBLISHERS).encode() + b"\x1fd2024"),
                    ("215", "  \x1fa158页".encode()),
                    ("330", "  \x1fa这是一本适合小学生阅读的好书，讲述了一个关于成长的故事。".encode()),
                    ("606", "  \x1fa儿童文学\x1fx作品集".encode()),
                    ("690", b"  \x1fa" + rng.choice(CLASSES).encode() + b"\x1fv5"),
                    ("701", " 0\x1fa张三\x1f4著".encode()),
                ]
            )
        )
    return b"".join(out)


def pool_url(base: str) -> str:
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"/{parts.path.lstrip('/') or 'library'}_pool"))


def setup(url: str, *, rebuild: bool) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_TEST": "1", "DJANGO_SETTINGS_MODULE": "library.settings"}
    env.setdefault("LOG_LEVEL", "WARNING")
    _create_database(url, rebuild=rebuild)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"], check=True, env=env, cwd=ROOT
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


FILL_SQL = """
INSERT INTO catalog_sourcerecord
    (file_id, number, isbn13, unified_number, title, authors, publisher, pub_year, clc, price, fields, marc)
SELECT %(file)s, g, d12 || ((10 - (
         (substr(d12, 1, 1)::int + substr(d12, 3, 1)::int + substr(d12, 5, 1)::int
          + substr(d12, 7, 1)::int + substr(d12, 9, 1)::int + substr(d12, 11, 1)::int)
         + 3 * (substr(d12, 2, 1)::int + substr(d12, 4, 1)::int + substr(d12, 6, 1)::int
          + substr(d12, 8, 1)::int + substr(d12, 10, 1)::int + substr(d12, 12, 1)::int)) %% 10) %% 10)::text, '',
       '联合目录记录 ' || g, '李四', '人民教育出版社', 2020, 'G624', 20.00,
       jsonb_build_object('title', '联合目录记录 ' || g, 'isbn', d12, 'clc', 'G624'), ''::bytea
FROM (SELECT g, '9798' || lpad(g::text, 8, '0') AS d12 FROM generate_series(1, %(n)s) AS g) AS s
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rebuild", action="store_true", help="drop and recreate the pool bench database")
    parser.add_argument("--records", type=int, default=100_000, help="records in the imported file")
    parser.add_argument("--pool", type=int, default=1_000_000, help="pool size for the look-ups")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=100, help="title searches of each kind")
    args = parser.parse_args()
    url = pool_url(args.database_url or default_url("library_catalog_bench"))
    setup(url, rebuild=args.rebuild)
    print(cpu_check())

    from django.db import connection

    from catalog.models import SourceFile
    from catalog.sources import pool

    SourceFile.objects.all().delete()  # an earlier run's rows (the records go with their files)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE catalog_sourcerecord")

    started = time.perf_counter()
    content = marc_file(args.records)
    print(
        f"generated a CNMARC file of {args.records:,} records ({len(content) / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    source = pool.pool_import(content=content, name="bench supplier file", encoding="auto")
    took = time.perf_counter() - started
    assert source.record_count == args.records, source.record_count
    verdict = "OK" if took < 60 * args.records / 100_000 else "SLOW"
    print(
        f"pool import            {args.records:,} records in {took:.1f} s ({args.records / took:,.0f} records/s)"
        f"   (target: 100,000 in < 60 s)  {verdict}"
    )

    extra = max(0, args.pool - args.records)
    started = time.perf_counter()
    filler = SourceFile.objects.create(name="bench union catalogue", sha256="bench-fill", record_count=extra)
    with connection.cursor() as cursor:
        cursor.execute(FILL_SQL, {"file": filler.pk, "n": extra})
        cursor.execute("VACUUM ANALYZE catalog_sourcerecord")
        cursor.execute("SELECT count(*) FROM catalog_sourcerecord")
        total = cursor.fetchone()[0]
    print(f"pool filled to {total:,} records in {time.perf_counter() - started:.1f} s")

    rng = random.Random(7)
    wanted = [
        isbn13(rng.randrange(args.records))
        if rng.random() < 0.5 or not extra
        else filled_isbn(rng.randrange(1, extra + 1))
        for _ in range(args.lookups)
    ]
    pool.lookup_isbn(wanted[0])  # warm the connection
    samples = []
    for isbn in wanted:
        started = time.perf_counter()
        found = pool.lookup_isbn(isbn)
        samples.append(time.perf_counter() - started)
        assert found, isbn
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    verdict = "OK" if p95 < 20 else "SLOW"
    print(
        f"ISBN look-up           n={len(ms)}  median {statistics.median(ms):.1f} ms   p95 {p95:.1f} ms"
        f"   in a pool of {total:,}   (target p95 < 20 ms in 1,000,000)  {verdict}"
    )
    title_searches(pool, records=args.records, extra=extra, count=args.searches, total=total)


def time_searches(pool, queries: list[str]) -> tuple[list[float], int]:
    """Milliseconds of each search (the page's query, rows fetched) and the largest number of rows found."""
    samples, most = [], 0
    for q in queries:
        started = time.perf_counter()
        rows = list(pool.search_records(q, limit=100))
        samples.append((time.perf_counter() - started) * 1000)
        most = max(most, len(rows))
    return sorted(samples), most


def title_searches(pool, *, records: int, extra: int, count: int, total: int) -> None:
    from django.db import connection

    rng = random.Random(13)
    kinds = {
        # "联合目录记录 123456" and its extensions: a handful of records in a large pool
        "rare title": [f"记录 {rng.randrange(100_000, max(100_001, extra))}" for _ in range(count)],
        # one of the nine titles of the imported file: ~records/9 matches, the page shows 100
        "common title": [rng.choice(TITLES) for _ in range(count)],
        "no match": [f"哈利波特{rng.randrange(10**6)}" for _ in range(count)],
    }
    with connection.cursor() as cursor:
        sql, params = pool.search_records("青铜葵花").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    index = "trigram index used" if "trgm" in plan else "NO trigram index in the plan"
    for kind, queries in kinds.items():
        pool.search_records(queries[0]).count()  # warm
        ms, most = time_searches(pool, queries)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        print(
            f"title search ({kind:12}) n={len(ms)}  median {statistics.median(ms):.1f} ms   p95 {p95:.1f} ms"
            f"   up to {most} rows shown, in a pool of {total:,}   ({index})"
        )


def filled_isbn(g: int) -> str:
    return isbn13(g, prefix="9798")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
