"""Benchmark of the reports: render times of the semester summary page, its Excel export and a class report.

    .venv/bin/python bench/reports_bench.py [--database-url URL] [--runs 5] [--rebuild]

The dataset is the demo school at benchmark scale (`manage.py load_demo --students 3000 --titles 60000
--copies 100000 --terms 6`: about 300,000 loans), loaded once into its own database
(default postgres://postgres@127.0.0.1:54329/library_reports_bench; under `make bench` the shared
benchmark database in BENCH_DATABASE_URL). Targets (issue 15): summary < 0.5 s, export < 1 s, class report
< 300 ms. Times are measured in-process with Django's test client (rendering included, no network).

The period is the last finished term, whose figures are kept after the first view (reports.models.
SummaryCache): "summary" and "export" are the views people see; "summary, computed" and "export,
computed" empty the cache before every run, i.e. the first view after a past loan was edited.
"running term" is the term that holds today (when the dataset has one), computed: every loan or return
at the desk changes its figures, so in opening hours that is what a head of school waits for.
"""

import argparse
import os
import statistics
import time

from common import cpu_check, default_url, prepare  # bench/ is the script directory, first on sys.path

# The page's and the export's targets hold for kept and for computed figures alike (issue 15).
TARGETS = {
    "summary": 0.5,
    "export": 1.0,
    "summary, computed": 0.5,
    "export, computed": 1.0,
    "summary, running term": 0.5,
    "export, running term": 1.0,
    "class report": 0.3,
}


def timed(fn, runs: int) -> list[float]:
    fn()  # warm up: template compilation, connection, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("REPORTS_BENCH_DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="drop the benchmark database and load it again")
    args = parser.parse_args()
    prepare(args.database_url or default_url("library_reports_bench"), rebuild=args.rebuild)
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone

    from circulation.models import Loan, Reader, SchoolClass, Term

    today = timezone.localdate()
    term = Term.objects.filter(end__lt=today).order_by("-end").first() or Term.objects.order_by("-start").first()
    print(
        f"data: {Reader.objects.filter(kind='student').count()} students, "
        f"{Loan.objects.count()} loans, terms {Term.objects.count()}; period: {term.name}"
    )
    admin = User.objects.filter(is_superuser=True).first() or User.objects.get(username="admin")
    head = User.objects.get(username="teacher")
    klass = SchoolClass.objects.filter(head_teacher=head).first()

    admin_client, head_client = Client(), Client()
    admin_client.force_login(admin)
    head_client.force_login(head)
    query = f"?term={term.pk}"

    from reports.models import SummaryCache

    def get(client, path, *, computed=False, query=query):
        def run():
            if computed:
                SummaryCache.objects.all().delete()
            response = client.get(path + query)
            assert response.status_code == 200, (path, response.status_code)
            if response.streaming:
                b"".join(response.streaming_content)

        return run

    cases = [
        ("summary", get(admin_client, "/reports/")),
        ("export", get(admin_client, "/reports/summary.xlsx")),
        ("summary, computed", get(admin_client, "/reports/", computed=True)),
        ("export, computed", get(admin_client, "/reports/summary.xlsx", computed=True)),
        ("class report", get(head_client, f"/reports/classes/{klass.pk}/")),
        ("collection analysis", get(admin_client, "/reports/collection/")),
    ]
    running = Term.objects.filter(start__lte=today, end__gte=today).first()
    if running is not None and running != term:
        on = f"?term={running.pk}"
        cases[4:4] = [
            ("summary, running term", get(admin_client, "/reports/", computed=True, query=on)),
            ("export, running term", get(admin_client, "/reports/summary.xlsx", computed=True, query=on)),
        ]
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; {cpu_check()}")
    print(f"{'page':<24}{'median':>10}{'max':>10}{'target':>10}")
    for name, fn in cases:
        times = timed(fn, args.runs)
        target = TARGETS.get(name)
        verdict = "" if target is None else ("  ok" if max(times) < target else "  SLOW")
        target_text = f"{target:.2f} s" if target else "—"
        print(f"{name:<24}{statistics.median(times):>8.3f} s{max(times):>8.3f} s{target_text:>10}{verdict}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    # The figures the timed page shows, so a run also says what was computed.
    from reports.periods import previous_period, term_period
    from reports.selectors import semester_summary

    period = term_period(term)
    summary = semester_summary(period, previous_period(period), today)
    circ, readers = summary.circ, summary.readers
    print(
        f"summary figures ({period.label}): {readers['students']} students, {circ['loans']} loans "
        f"({circ['student_loans']} by students), {summary.core['loans_per_student']} per student, "
        f"participation {summary.core['participation'] or 0:.2%}, {summary.core['volumes']} volumes"
    )


if __name__ == "__main__":
    main()
