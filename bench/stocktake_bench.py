"""Benchmark of stocktaking (盘点): open, a collector file, scans at the page, closing.

    .venv/bin/python bench/stocktake_bench.py [--database-url URL] [--rebuild] [--lines 50000] [--scans 200]

The dataset is the demo school at benchmark scale (100,000 copies; see bench/common.py). A stocktake
of the whole collection is opened, a collector file of `--lines` lines (barcodes of the collection in
shelf order, a few unknown codes and repeats, half with a scan time) is reconciled, `--scans` single
scans go through the Django test client (middleware, session, permission check, the result row
rendered; no network), and the stocktake is closed. All of it runs in a transaction that is rolled
back, so the dataset stays as it was.
Targets (issue 12): a 50,000-line collector file < 10 s; each scan at the page p95 < 30 ms;
closing a 100,000-copy stocktake < 5 s.
"""

import argparse
import os
import statistics
import time

from common import cpu_check, default_url, prepare  # bench/ is the script directory, first on sys.path


def verdict(seconds: float, target: float) -> str:
    return "OK" if seconds < target else "SLOW"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_url("library_stocktake_bench"))
    parser.add_argument("--rebuild", action="store_true", help="drop and load the dataset again")
    parser.add_argument("--lines", type=int, default=50000, help="lines in the collector file")
    parser.add_argument("--scans", type=int, default=200, help="single scans at the page")
    args = parser.parse_args()

    prepare(args.database_url, rebuild=args.rebuild)
    print(cpu_check())
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from catalog.models import Copy
    from library import roles
    from stocktake import services

    with transaction.atomic():
        roles.ensure_roles()
        user = User.objects.create_user(username="stocktake-bench")
        user.groups.add(Group.objects.get(name=roles.LIBRARIAN))

        started = time.perf_counter()
        st = services.stocktake_open(name="bench", by=user)
        opened = time.perf_counter() - started
        print(f"open (whole collection, {st.expected_count} copies listed): {opened:6.2f} s")

        codes = list(
            Copy.objects.filter(withdrawn_on__isnull=True)
            .order_by("location_id", "record__shelf_key", "barcode")
            .values_list("barcode", flat=True)
        )
        in_file = codes[: max(0, args.lines - args.lines // 50)]
        lines = [f"{code},2025-11-10 09:{i % 60:02d}:00" if i % 2 else code for i, code in enumerate(in_file)]
        lines += [f"UNKNOWN{i:05d}" for i in range(args.lines // 100)]  # not in the collection
        lines += in_file[: args.lines - len(lines)]  # scanned twice
        content = "\n".join(lines).encode()
        started = time.perf_counter()
        outcome = services.scan_file(stocktake=st, content=content, filename="bench.txt", by=user)
        took = time.perf_counter() - started
        print(
            f"collector file: {outcome.lines} lines ({outcome.new} new, {outcome.repeated} repeated) in "
            f"{took:6.2f} s   (target < 10 s)  {verdict(took, 10)}"
        )

        client = Client()
        client.force_login(user)
        url = reverse("stocktake:scan", args=[st.pk])
        rest = codes[len(in_file) :] or codes
        client.post(url, {"barcode": "WARMUP"}, HTTP_X_STOCKTAKE_SCAN="1")
        samples, cpu, queries = [], [], []
        sent = [0]

        def counting(execute, sql, params, many, context):
            sent[0] += 1  # statements sent (savepoints included: the bench runs in a transaction)
            return execute(sql, params, many, context)

        for i in range(args.scans):
            code = rest[i % len(rest)] if i % 10 else codes[i]  # every tenth a repeat
            before = sent[0]
            with connection.execute_wrapper(counting):
                t, c = time.perf_counter(), time.process_time()
                response = client.post(url, {"barcode": code}, HTTP_X_STOCKTAKE_SCAN="1")
                samples.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            queries.append(sent[0] - before)
            assert response.status_code == 200, response.status_code
        ms = sorted(s * 1000 for s in samples)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"scan at the page: n={len(ms)}  median {statistics.median(ms):5.1f} ms   p95 {p95:5.1f} ms"
            f"   (target < 30 ms)  {verdict(p95 / 1000, 0.030)}"
            f"   (Django process CPU median {statistics.median(cpu) * 1000:.1f} ms;"
            f" queries per scan {min(queries)}-{max(queries)}; load average {load:.1f})"
        )

        started = time.perf_counter()
        services.stocktake_close(stocktake=st, by=user)
        took = time.perf_counter() - started
        counts = services.selectors.result_counts(st)
        print(
            f"close ({st.expected_count} copies; {counts.get('missing', 0)} missing): {took:6.2f} s"
            f"   (target < 5 s)  {verdict(took, 5)}"
        )
        transaction.set_rollback(True)  # leave the dataset as it was


if __name__ == "__main__":
    main()
