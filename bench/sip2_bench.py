"""Benchmark of the SIP2 server: 10 self-service machines over loopback doing checkout/checkin pairs.

    .venv/bin/python bench/sip2_bench.py [--database-url URL] [--rebuild] [--kiosks 10] [--seconds 20]

The dataset is the shared benchmark school (bench/common.py). The server runs as it does in
production, `manage.py sip2_server` in its own process; each machine is a thread of this process
with its own connection, its own pupil and its own few books, lending and returning them in turn
(checkout 11, checkin 09, with sequence numbers and checksums). Every message is one operation.
Targets (issue 14): at least 50 operations per second, 0 errors, 0 double loans.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

from common import ROOT, cpu_check, default_url, prepare  # bench/ is the script directory, first on sys.path

TARGET_OPS = 50
PASSWORD = "bench-kiosk-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the SIP2 server exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the SIP2 server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=default_url("library_sip2_bench"))
    parser.add_argument("--rebuild", action="store_true", help="drop and load the dataset again")
    parser.add_argument("--kiosks", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--books", type=int, default=3, help="books each machine lends in turn")
    args = parser.parse_args()

    prepare(args.database_url, rebuild=args.rebuild)
    from django.db import connection
    from django.db.models import Count, Exists, OuterRef, Q

    from catalog.models import Copy
    from circulation.models import Compensation, LibraryCard, Loan, Reader
    from selfcheck.models import Kiosk
    from selfcheck.sip2_client import SipClient

    kiosk, _created = Kiosk.objects.get_or_create(name="bench-kiosk", defaults={"password": ""})
    kiosk.set_password(PASSWORD)
    kiosk.is_active = True
    kiosk.save()
    # Senior pupils (no book is above their reading level) who may borrow: a valid card, nothing
    # on loan, nothing unpaid.
    cards = list(
        LibraryCard.objects.filter(status="valid", reader__kind="student", reader__is_active=True)
        .exclude(Exists(Loan.objects.filter(reader=OuterRef("reader_id"), returned_at__isnull=True)))
        .exclude(Exists(Compensation.objects.filter(reader=OuterRef("reader_id"), status="unpaid")))
        .filter(reader__school_class__stage="senior")
        .order_by("?")
        .values_list("number", flat=True)[: args.kiosks]
    ) or list(
        LibraryCard.objects.filter(status="valid", reader__kind="student", reader__is_active=True)
        .exclude(Exists(Loan.objects.filter(reader=OuterRef("reader_id"), returned_at__isnull=True)))
        .order_by("?")
        .values_list("number", flat=True)[: args.kiosks]
    )
    barcodes = list(
        Copy.objects.filter(status="on_shelf", location__is_lendable=True, withdrawn_on__isnull=True)
        .order_by("?")
        .values_list("barcode", flat=True)[: args.kiosks * args.books * 3]
    )
    print(f"data: {Reader.objects.count()} readers, {Copy.objects.count()} copies, {Loan.objects.count()} loans")
    connection.close()

    port = free_port()
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "sip2_server", "--host", "127.0.0.1", "--port", str(port), "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(port, server)
        before = cpu_check()
        results = run(args, port, cards, barcodes, SipClient)
    finally:
        server.terminate()
        server.wait(10)

    ops, errors, latencies, elapsed = results
    double = (
        Loan.objects.filter(returned_at__isnull=True)
        .values("copy_id")
        .annotate(n=Count("id"))
        .filter(Q(n__gt=1))
        .count()
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    ms = sorted(x * 1000 for x in latencies) or [0.0]
    rate = ops / elapsed if elapsed else 0.0
    ok = rate >= TARGET_OPS and errors == 0 and double == 0
    print(f"{len(cards)} kiosks, {elapsed:.0f} s, load average {load:.1f} on {os.cpu_count()} CPUs; before: {before}")
    print(
        f"sip2 checkout/checkin  {rate:6.1f} ops/s   errors {errors}   double loans {double}   "
        f"median {statistics.median(ms):.1f} ms   p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} ms   "
        f"(target >= {TARGET_OPS} ops/s, 0 errors, 0 double loans)  {'OK' if ok else 'SLOW' if not errors else 'FAIL'}"
    )


def run(args, port, cards, barcodes, client_class):
    """Each machine logs in, picks books it can lend (a warm-up, not timed), then lends and returns
    them in turn until the time is up. An error is a refusal or a dropped connection."""
    lock = threading.Lock()
    totals = {"ops": 0, "errors": 0, "latencies": []}
    per_kiosk = [barcodes[i :: len(cards)] for i in range(len(cards))]
    ready = threading.Barrier(len(cards) + 1)
    stop = threading.Event()

    def machine(i: int) -> None:
        client = client_class("127.0.0.1", port)
        ops, errors, latencies = 0, 0, []
        try:
            client.login("bench-kiosk", PASSWORD)
            books = []
            for code in per_kiosk[i]:
                if len(books) == args.books:
                    break
                if client.checkout(cards[i], code).fixed["ok"] == "1":
                    client.checkin(code)
                    books.append(code)
            ready.wait()
            n = 0
            while books and not stop.is_set():
                code = books[n % len(books)]
                for call in (lambda c=code: client.checkout(cards[i], c), lambda c=code: client.checkin(c)):
                    t = time.perf_counter()
                    try:
                        good = call().fixed["ok"] == "1"
                    except OSError:
                        good = False
                    latencies.append(time.perf_counter() - t)
                    ops += 1
                    errors += not good
                n += 1
        finally:
            client.close()
            with lock:
                totals["ops"] += ops
                totals["errors"] += errors
                totals["latencies"] += latencies

    threads = [threading.Thread(target=machine, args=(i,)) for i in range(len(cards))]
    for t in threads:
        t.start()
    ready.wait()
    started = time.perf_counter()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join(60)
    return totals["ops"], totals["errors"], totals["latencies"], time.perf_counter() - started


if __name__ == "__main__":
    main()
