"""Benchmark of the reading pages: the front page's shelves and a record page with "also borrowed".

    .venv/bin/python bench/reading_bench.py [--database-url URL] [--rebuild] [--runs 100] [--small]

`--small` runs on a small school in a database of its own (common.SMALL_SCALE), to check that the
script works; its figures say nothing about the targets.

The dataset is the shared benchmark school (bench/common.py: 100,000 copies, about 300,000 loans).
The term's rankings are computed once first (`refresh_rankings`, timed), as the daily chore does,
and a recommended list and a theme display are featured. Requests go through the Django test client.
Each page is measured twice: "cold", with the cache emptied before every request (the shelves and
the also-borrowed lists computed anew), and "warm", as visitors meet it between list changes.
Targets (issue 13): front page p95 < 50 ms, record page p95 < 30 ms.
"""

import argparse
import random
import statistics
import time

from common import SCALE, SMALL_SCALE, cpu_check, default_url, prepare  # bench/ is first on sys.path


def figures(name: str, samples: list[float], target_p95: float) -> str:
    ms = sorted(s * 1000 for s in samples)
    median = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    verdict = "OK" if p95 < target_p95 else "SLOW"
    return f"{name:28s} n={len(ms):4d}  median {median:6.1f} ms   p95 {p95:6.1f} ms   (target p95 < {target_p95:.0f} ms)  {verdict}"


def timed(client, url: str, runs: int, *, cold: bool) -> list[float]:
    from django.core.cache import cache

    samples = []
    for _i in range(runs):
        if cold:
            cache.clear()
        t = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="default: BENCH_DATABASE_URL or the dev cluster")
    parser.add_argument("--rebuild", action="store_true", help="drop and load the dataset again")
    parser.add_argument("--runs", type=int, default=100, help="requests per kind")
    parser.add_argument("--small", action="store_true", help="a small school, to check the script runs")
    args = parser.parse_args()
    url = args.database_url or default_url("library_reading_bench")
    if args.small and not args.database_url:
        url = url.rsplit("/", 1)[0] + "/library_reading_bench_small"  # never the large dataset's database

    prepare(url, rebuild=args.rebuild, scale=SMALL_SCALE if args.small else SCALE)
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from catalog.models import Copy, Record
    from circulation.models import Loan
    from reading import services
    from reading.models import PopularBook, ReadingList, ReadingListItem

    print(cpu_check())
    print(f"data: {Record.objects.count()} titles, {Copy.objects.count()} copies, {Loan.objects.count()} loans")
    started = time.perf_counter()
    places = services.rankings_refresh()
    print(f"rankings computed: {places} places in {time.perf_counter() - started:.2f} s (once a day)")

    # A featured list and theme display of 24 books each (made again on every run).
    ReadingList.objects.filter(title__startswith="bench ").delete()
    some = list(Record.objects.exclude(location_ids=[]).order_by("?").values_list("pk", flat=True)[:48])
    for kind, chunk in ((ReadingList.Kind.GRADE, some[:24]), (ReadingList.Kind.THEME, some[24:])):
        reading_list = ReadingList.objects.create(title=f"bench {kind}", kind=kind, featured=True)
        ReadingListItem.objects.bulk_create(
            ReadingListItem(reading_list=reading_list, record_id=pk, title="bench", position=i)
            for i, pk in enumerate(chunk)
        )

    client = Client()
    front = reverse("catalog:opac")
    client.get(front)  # warm-up: templates, connection
    print(figures("front page, cold cache", timed(client, front, args.runs, cold=True), 50))
    print(figures("front page, warm", timed(client, front, args.runs, cold=False), 50))

    # Record pages of the books most borrowed (the heaviest "also borrowed") and of random ones.
    rng = random.Random(13)
    popular = list(PopularBook.objects.values_list("record_id", flat=True).distinct())
    busiest = list(
        Loan.objects.values("copy__record_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("copy__record_id", flat=True)[:50]
    )
    randoms = list(Record.objects.order_by("?").values_list("pk", flat=True)[: args.runs])
    heavy = [rng.choice(busiest + popular) for _i in range(args.runs)]
    for name, pks in (("record page (busiest), cold", heavy), ("record page (random), cold", randoms)):
        samples = []
        for pk in pks:
            samples += timed(client, reverse("catalog:record", args=[pk]), 1, cold=True)
        print(figures(name, samples, 30))
    samples = []
    for pk in heavy:
        samples += timed(client, reverse("catalog:record", args=[pk]), 1, cold=False)
    print(figures("record page (busiest), warm", samples, 30))
    ReadingList.objects.filter(title__startswith="bench ").delete()
    print(cpu_check())


if __name__ == "__main__":
    main()
