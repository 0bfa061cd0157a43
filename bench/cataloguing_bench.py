"""Benchmark of 扫描编目: the server time of one fill (the htmx request a scan sends) on a large catalogue.

    .venv/bin/python bench/cataloguing_bench.py [--database-url URL] [--rebuild] [--runs 200] [--pool 20000]

Three kinds of scans, each through the full Django stack (test client: middleware, session,
permission check, lookup, form rendering; no network):
- a book the school has (the own catalogue answers: 本馆已有此书，添加复本);
- a new book the pool (书目数据源) has: `--pool` generated CNMARC records are put into the pool
  inside a transaction that is rolled back at the end (needs catalog.sources.pool);
- a book nobody has (own catalogue and pool miss; the Z39.50 step runs with the targets configured
  in the database, none in the benchmark dataset).
Target (issue 11): each fill under 100 ms. Prints median and p95 per kind.
"""

import argparse
import random
import time

from catalog_bench import figures  # bench/ is the script directory, first on sys.path
from common import default_url, prepare


def isbn13(n: int) -> str:
    body = f"97879{n:07d}"
    total = sum(int(d) * (1 if k % 2 == 0 else 3) for k, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def pool_file(n: int, seeds) -> bytes:
    from pymarc import Field, Indicators, Subfield
    from pymarc import Record as MarcRecord

    def f(tag, *pairs):
        return Field(tag, Indicators(" ", " "), [Subfield(c, v) for c, v in pairs if v])

    out = []
    for i in range(n):
        r = seeds[i % len(seeds)]
        m = MarcRecord(force_utf8=True, leader="00000nam0 2200000   450 ")
        m.add_field(f("010", ("a", isbn13(i)), ("d", f"CNY{r.price or 20}")))
        m.add_field(f("101", ("a", "chi")))
        m.add_field(f("200", ("a", f"{r.title}（新版）"), ("f", r.authors)))
        m.add_field(f("210", ("a", "北京"), ("c", r.publisher), ("d", "2026")))
        m.add_field(f("215", ("a", r.pages)))
        m.add_field(f("690", ("a", r.clc), ("v", "5")))
        m.add_field(f("701", ("a", r.authors.split("；")[0]), ("4", "著")))
        out.append(m.as_marc())
    return b"".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_url("library_catalog_bench"))
    parser.add_argument("--rebuild", action="store_true", help="drop and load the dataset again")
    parser.add_argument("--runs", type=int, default=200, help="scans per kind")
    parser.add_argument("--pool", type=int, default=20000, help="records put into the pool")
    args = parser.parse_args()

    prepare(args.database_url, rebuild=args.rebuild)
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from catalog.models import Copy, Record

    rng = random.Random(11)
    print(f"data: {Record.objects.count()} titles, {Copy.objects.count()} copies")
    client = Client()
    client.force_login(User.objects.get(username="librarian"))
    url = reverse("catalog:scan")

    def fills(name: str, codes: list[str], expect: str) -> None:
        samples, right = [], 0
        for code in codes:
            t = time.perf_counter()
            response = client.get(url, {"code": code}, HTTP_HX_REQUEST="true")
            samples.append(time.perf_counter() - t)
            right += expect in response.content.decode()
        print(figures(name, samples, 100) + f"   ({right}/{len(codes)} answered as expected)")

    client.get(url, {"code": "9787020002207"}, HTTP_HX_REQUEST="true")  # warm-up
    own = list(Record.objects.exclude(isbn="").order_by("?").values_list("isbn", flat=True)[: args.runs])
    fills("fill: own catalogue", own, "本馆已有此书")

    with transaction.atomic():
        try:
            from catalog.sources import pool
        except ImportError:
            pool = None
            print("fill: pool                (catalog.sources.pool is not installed: not measured)")
        if pool is not None and args.pool:
            seeds = list(Record.objects.order_by("pk")[:2000])
            started = time.perf_counter()
            pool.pool_import(content=pool_file(args.pool, seeds), name="bench pool")
            with connection.cursor() as cur:
                cur.execute("ANALYZE catalog_sourcerecord")
            print(f"pool: {args.pool} records put in in {time.perf_counter() - started:.1f} s")
            codes = [isbn13(rng.randrange(args.pool)) for _i in range(args.runs)]
            fills("fill: pool", codes, "已填入")
        fills("fill: no source has it", [isbn13(10_000_000 - 1 - i) for i in range(args.runs)], "没有找到")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
