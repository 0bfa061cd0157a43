"""Benchmark of the catalogue: OPAC search and record pages through the full Django stack, MARC import.

    .venv/bin/python bench/catalog_bench.py [--database-url URL] [--rebuild] [--runs 100] [--marc 10000]

The dataset is the demo school at benchmark scale (`manage.py load_demo --students 3000 --titles 60000
--copies 100000 --terms 6`), loaded once into its own database (default
postgres://postgres@127.0.0.1:54329/library_catalog_bench; BENCH_DATABASE_URL overrides it).
Searches and record pages go through the Django test client (middleware, session, template rendering;
no network). The MARC import parses, checks and imports a generated CNMARC file of `--marc` records
inside a transaction that is rolled back, so the dataset stays as it was.
Targets (issue 3): search p95 < 100 ms for title words, 2-character queries, pinyin initials and ISBNs;
record page p95 < 50 ms; a 10,000-record MARC import < 60 s.
"""

import argparse
import random
import statistics
import time

from common import default_url, prepare  # bench/ is the script directory, first on sys.path

TITLE_WORDS = ["西游记", "哈利波特", "三国演义", "十万个为什么", "昆虫记", "小王子", "草房子", "中国少年儿童百科全书"]
TWO_CHARS = ["西游", "三体", "中国", "十万", "淘气", "唐诗", "哈利", "童话", "故事", "科学"]
INITIALS = ["xyj", "sgyy", "hlbt", "swgwsm", "cfz", "xwz", "tqbmxt", "hlm"]


def figures(name: str, samples: list[float], target_p95: float) -> str:
    ms = sorted(s * 1000 for s in samples)
    median = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    verdict = "OK" if p95 < target_p95 else "SLOW"
    return f"{name:24s} n={len(ms):4d}  median {median:6.1f} ms   p95 {p95:6.1f} ms   (target p95 < {target_p95:.0f} ms)  {verdict}"


def marc_file(records, n: int) -> bytes:
    """A CNMARC file of n records made from the demo's records (new ISBNs so they are new titles)."""
    from pymarc import Field, Indicators, Subfield
    from pymarc import Record as MarcRecord

    out = []
    for i in range(n):
        r = records[i % len(records)]
        body = f"97875{i:07d}"
        total = sum(int(d) * (1 if k % 2 == 0 else 3) for k, d in enumerate(body))
        isbn = body + str((10 - total % 10) % 10)
        m = MarcRecord(force_utf8=True, leader="00000nam0 2200000   450 ")

        def f(tag, *pairs):
            return Field(tag, Indicators(" ", " "), [Subfield(c, v) for c, v in pairs if v])

        m.add_field(f("010", ("a", isbn), ("d", f"CNY{r.price}")))
        m.add_field(f("200", ("a", r.title), ("h", f"第{i // len(records) + 1}辑"), ("f", r.authors)))
        m.add_field(f("210", ("a", "北京"), ("c", r.publisher), ("d", str(r.pub_year or 2020))))
        m.add_field(f("215", ("a", r.pages)))
        m.add_field(f("690", ("a", r.clc), ("v", "5")))
        m.add_field(f("701", ("a", r.authors.split("；")[0]), ("4", "著")))
        m.add_field(f("905", ("a", "书香"), ("b", f"M{i:07d}")))
        out.append(m.as_marc())
    return b"".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_url("library_catalog_bench"))
    parser.add_argument("--rebuild", action="store_true", help="drop and load the dataset again")
    parser.add_argument("--runs", type=int, default=100, help="requests per kind")
    parser.add_argument("--marc", type=int, default=10000, help="records in the MARC import")
    args = parser.parse_args()

    prepare(args.database_url, rebuild=args.rebuild)
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from stdnum import isbn as stdnum_isbn

    from catalog import importing, marc
    from catalog.models import Copy, Location, Record

    rng = random.Random(3)
    print(f"data: {Record.objects.count()} titles, {Copy.objects.count()} copies")
    with connection.cursor() as cur:
        cur.execute("ANALYZE catalog_record; ANALYZE catalog_copy")
    client = Client()
    opac = reverse("catalog:opac")
    client.get(opac, {"q": "西游"})  # warm-up: templates, connection
    isbns = list(Record.objects.exclude(isbn="").order_by("?").values_list("isbn", flat=True)[: args.runs])
    isbn_queries = [
        stdnum_isbn.format(i) if k % 3 == 0 else stdnum_isbn.to_isbn10(i) if k % 3 == 1 else i
        for k, i in enumerate(isbns)
    ]
    kinds = {
        "search: title words": [rng.choice(TITLE_WORDS) for _i in range(args.runs)],
        "search: 2 characters": [rng.choice(TWO_CHARS) for _i in range(args.runs)],
        "search: pinyin initials": [rng.choice(INITIALS) for _i in range(args.runs)],
        "search: ISBN": isbn_queries,
    }
    for name, queries in kinds.items():
        samples, hits = [], 0
        for q in queries:
            t = time.perf_counter()
            response = client.get(opac, {"q": q})
            samples.append(time.perf_counter() - t)
            hits += "没有找到相关图书" not in response.content.decode()
        print(figures(name, samples, 100) + f"   ({hits}/{len(queries)} with results)")

    pks = list(Record.objects.order_by("?").values_list("pk", flat=True)[: args.runs])
    samples = []
    for pk in pks:
        t = time.perf_counter()
        client.get(reverse("catalog:record", args=[pk]))
        samples.append(time.perf_counter() - t)
    print(figures("record page", samples, 50))

    if args.marc:
        seeds = list(Record.objects.order_by("pk")[:2000])
        content = marc_file(seeds, args.marc)
        location = Location.objects.order_by("pk").first()
        started = time.perf_counter()
        with transaction.atomic():
            rows = marc.read_rows(content, flavour="cnmarc")
            parsed = time.perf_counter()
            checked = importing.check_rows(
                rows, kind="cnmarc", filename="bench.iso", content=content, default_location=location
            )
            checked_at = time.perf_counter()
            problems = len(checked.problem_rows)
            log = importing.run_import(checked) if not problems else None
            done = time.perf_counter()
            transaction.set_rollback(True)
        total = done - started
        print(
            f"MARC import of {args.marc} CNMARC records: {total:.1f} s (parse {parsed - started:.1f} s, "
            f"check {checked_at - parsed:.1f} s, import {done - checked_at:.1f} s; "
            f"{log.records_created if log else 0} records, {log.copies_created if log else 0} copies, {problems} problem rows) "
            f"(target < 60 s)  {'OK' if total < 60 and not problems else 'SLOW'}"
        )


if __name__ == "__main__":
    main()
