"""A real Z39.50 server for the tests: Index Data's Zebra (Debian's idzebra-2.0) on a loopback port.

`zebra_server` (session) copies this folder's configuration into a temporary folder, writes the
fixture records (records.py), indexes them with `zebraidx`, starts `zebrasrv` on a free port of
127.0.0.1, waits until it accepts connections and stops it at the end. `silent_port` is a socket
that accepts connections and never answers (a hung server); `closed_port` is a port nobody listens on.
"""

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.z3950.records import write_databases

HERE = Path(__file__).resolve().parent
CONFIG_FILES = ["zebra.cfg", "cnmarc.abs", "cnmarc.mar", "marc21.abs", "marc21.mar"]


@dataclass(frozen=True)
class ZebraServer:
    host: str
    port: int

    def target(self, database: str, *, syntax: str = "cnmarc", encoding: str = "utf-8", timeout: int = 5, name=""):
        """An unsaved Z3950Target for one of the fixture databases (cnmarc, marc21, gbk, marc8)."""
        from catalog.models import Z3950Target

        return Z3950Target(
            name=name or f"测试服务器-{database}",
            host=self.host,
            port=self.port,
            database=database,
            syntax=syntax,
            encoding=encoding,
            timeout=timeout,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"zebrasrv ended at start:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"zebrasrv did not listen on {port}:\n{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def zebra_server(tmp_path_factory):
    for program in ("zebraidx", "zebrasrv"):
        if not shutil.which(program):
            pytest.fail(f"{program} is missing: run scripts/system-deps.sh z3950 (Debian package idzebra-2.0)")
    root = tmp_path_factory.mktemp("zebra")
    for name in CONFIG_FILES:
        shutil.copy(HERE / name, root / name)
    for folder in ("register", "shadow", "lock", "tmp"):
        (root / folder).mkdir()
    for database, (record_type, folder) in write_databases(root / "data").items():
        for step in (
            ["zebraidx", "-c", "zebra.cfg", "-d", database, "-t", record_type, "update", str(folder)],
            ["zebraidx", "-c", "zebra.cfg", "commit"],
        ):
            done = subprocess.run(step, cwd=root, capture_output=True, text=True, errors="replace")
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")
    port = _free_port()
    log = root / "zebrasrv.log"
    process = subprocess.Popen(
        ["zebrasrv", "-c", "zebra.cfg", "-l", str(log), f"tcp:127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, log)
        yield ZebraServer(host="127.0.0.1", port=port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def silent_port():
    """A listening socket that never reads or answers: the kernel completes the handshake, then nothing."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


@pytest.fixture
def closed_port():
    """A loopback port nobody listens on (connecting is refused at once)."""
    return _free_port()
