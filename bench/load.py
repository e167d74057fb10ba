"""Web load: the real server under concurrent searches, with latency, errors and memory.

Run: ``python -m bench.load --home DIR [--seconds 60] [--clients 32] [--queries FILE]``.
Loopback only; every loop is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote

HOST = "127.0.0.1"
READY_TIMEOUT_S = 300.0  # the server rebuilds a stale index before it listens
SAMPLE_EVERY_S = 5.0
REQUEST_TIMEOUT_S = 60.0
MAX_REQUESTS_PER_CLIENT = 1_000_000
# Memory counts as flat when the server's mean RSS in the last third of the run exceeds that of
# the first third by less than this share (single samples swing with each request's garbage).
FLAT_GROWTH = 0.10
DEFAULT_QUERIES = ("Gemeinderat", '"Stadt Karlsruhe"', "Kiew", "2021/1379", "Haushalt~1")


class ServerError(RuntimeError):
    """The server stopped, or did not answer, before the load began."""


@dataclass(frozen=True)
class Latency:
    """Percentiles of a list of durations, in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float


@dataclass(frozen=True)
class LoadReport:
    """What one load run measured; RSS figures in MB, samples as ``(seconds, MB)``."""

    clients: int
    seconds: float
    requests: int
    errors: int
    error_samples: tuple[str, ...]
    latency: Latency
    rss_samples: tuple[tuple[float, float], ...]
    peak_mb: float
    cpu_seconds: float  # the server's user + system CPU time during the measured window
    failure: str = ""  # why the server did not serve, if it did not

    @classmethod
    def failed(cls, clients: int, seconds: float, failure: str) -> LoadReport:
        """The report of a run whose server never answered."""
        return cls(
            clients=clients,
            seconds=seconds,
            requests=0,
            errors=1,
            error_samples=(failure,),
            latency=Latency(0, 0.0, 0.0, 0.0),
            rss_samples=((0.0, 0.0),),
            peak_mb=0.0,
            cpu_seconds=0.0,
            failure=failure,
        )

    @property
    def per_second(self) -> float:
        """Completed searches per second."""
        return self.requests / self.seconds

    @property
    def cpu_ms_per_search(self) -> float:
        """Server CPU time per completed search; with the GIL, 1000 / this bounds searches/s."""
        return self.cpu_seconds * 1000 / max(self.requests, 1)

    @property
    def rss_early(self) -> float:
        """Mean RSS over the first third of the samples."""
        return _mean_mb(self.rss_samples[: max(1, len(self.rss_samples) // 3)])

    @property
    def rss_late(self) -> float:
        """Mean RSS over the last third of the samples."""
        return _mean_mb(self.rss_samples[-max(1, len(self.rss_samples) // 3) :])

    @property
    def memory_flat(self) -> bool:
        """Whether the server's RSS grew by less than ``FLAT_GROWTH`` during the run."""
        return self.rss_late <= self.rss_early * (1 + FLAT_GROWTH)


@dataclass
class _Tally:
    """Results of all client threads; appended under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    durations: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, duration: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.durations.append(duration)
            else:
                self.errors.append(error)


def _mean_mb(samples: tuple[tuple[float, float], ...]) -> float:
    return statistics.fmean(mb for _, mb in samples) if samples else 0.0


def percentiles(seconds: list[float]) -> Latency:
    """p50, p95 and p99 in milliseconds (the single value for one sample)."""
    if not seconds:
        return Latency(0, 0.0, 0.0, 0.0)
    if len(seconds) == 1:
        ms = seconds[0] * 1000
        return Latency(1, ms, ms, ms)
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return Latency(len(seconds), cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000)


def free_port() -> int:
    """A loopback port that is free right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_pids(pid: int) -> list[int]:
    """The server process and the server processes it forked (``serve --processes``)."""
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return pids


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a server's processes so far (``/proc/<pid>/stat``)."""
    total = 0.0
    for one in server_pids(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def status_mb(pid: int, key: str) -> float:
    """A memory line of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``) in MB, summed over the
    server's processes; 0 when gone."""
    total = 0.0
    for one in server_pids(pid):
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


@contextmanager
def running_server(home: Path, port: int) -> Iterator[subprocess.Popen]:
    """``findbuch serve`` on the home, stopped on exit; yields once it answers."""
    findbuch = Path(sys.executable).parent / "findbuch"
    cmd = [str(findbuch), "--home", str(home), "serve", "--host", HOST, "--port", str(port)]
    # A file, not a pipe: waitress logs queue warnings under load and a full pipe would block it.
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=log, text=True, env=_server_env()
        )
        try:
            _wait_ready(proc, port, log)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _server_env() -> dict[str, str]:
    """The environment of the server: searching without logging in, as the public would."""
    return {**os.environ, "FINDBUCH_PUBLIC": "1"}


def _wait_ready(proc: subprocess.Popen, port: int, log: IO[str]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise ServerError(f"Server beendet ({proc.returncode}): {log.read()[-2000:].strip()}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise ServerError(f"Server antwortet nicht nach {READY_TIMEOUT_S:.0f} s")


def _search(conn: http.client.HTTPConnection, query: str) -> str | None:
    """One search; returns an error description, or None on success."""
    conn.request("GET", "/?q=" + quote(query))
    response = conn.getresponse()
    response.read()
    return None if response.status == 200 else f"HTTP {response.status} für {query!r}"


def _client(
    port: int, queries: list[str], offset: int, window: tuple[float, float], tally: _Tally
) -> None:
    """Send searches until the deadline; record those started after the warm-up."""
    measure_from, deadline = window
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    for i in range(MAX_REQUESTS_PER_CLIENT):
        start = time.monotonic()
        if start >= deadline:
            break
        query = queries[(offset + i) % len(queries)]
        try:
            error = _search(conn, query)
        except (OSError, http.client.HTTPException) as e:
            error = f"{type(e).__name__}: {e} für {query!r}"
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        if start >= measure_from:
            tally.add(time.monotonic() - start, error)
    conn.close()


def _sample_rss(
    pid: int, every: float, stop: threading.Event, out: list[tuple[float, float]]
) -> None:
    t0 = time.monotonic()
    while True:
        out.append((time.monotonic() - t0, status_mb(pid, "VmRSS")))
        if stop.wait(every):
            return


def run_load(
    home: Path, queries: list[str], *, seconds: float = 60.0, clients: int = 32
) -> LoadReport:
    """Start the server on ``home`` and let ``clients`` threads search for ``seconds``.

    A warm-up of a tenth of the time (at most 10 s) comes first and is not counted. The server's
    RSS is sampled every few seconds from the end of the warm-up to the end of the run.
    """
    try:
        return _run_load(home, queries, seconds=seconds, clients=clients)
    except ServerError as e:
        return LoadReport.failed(clients, seconds, str(e))


def _run_load(home: Path, queries: list[str], *, seconds: float, clients: int) -> LoadReport:
    warmup = min(10.0, seconds / 10)
    every = min(SAMPLE_EVERY_S, seconds / 12)
    port = free_port()
    with running_server(home, port) as proc:
        start = time.monotonic()
        window = (start + warmup, start + warmup + seconds)
        tally = _Tally()
        threads = [
            threading.Thread(target=_client, args=(port, queries, i * 7, window, tally))
            for i in range(clients)
        ]
        for t in threads:
            t.start()
        time.sleep(warmup)
        cpu_start = cpu_seconds(proc.pid)
        samples: list[tuple[float, float]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(proc.pid, every, stop, samples))
        sampler.start()
        time.sleep(max(0.0, window[1] - time.monotonic()))
        stop.set()
        sampler.join()
        for t in threads:
            t.join()
        cpu = cpu_seconds(proc.pid) - cpu_start
        peak = status_mb(proc.pid, "VmHWM")
    return LoadReport(
        clients=clients,
        seconds=seconds,
        requests=len(tally.durations),
        errors=len(tally.errors),
        error_samples=tuple(tally.errors[:5]),
        latency=percentiles(tally.durations),
        rss_samples=tuple(samples),
        peak_mb=peak,
        cpu_seconds=cpu,
    )


def format_samples(samples: tuple[tuple[float, float], ...]) -> str:
    """RSS samples as ``0 s 123 MB, 5 s 130 MB, …``."""
    return ", ".join(f"{round(t, 1):g} s {mb:.0f} MB" for t, mb in samples)


def main(argv: list[str] | None = None) -> None:
    """Run the load against an existing home and print a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--home", type=Path, required=True, help="a built Findbuch home")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--queries", type=Path, help="one query per line")
    args = parser.parse_args(argv)
    if args.queries:
        queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()]
    else:
        queries = list(DEFAULT_QUERIES)
    report = run_load(args.home, queries, seconds=args.seconds, clients=args.clients)
    if report.failure:
        sys.exit(f"bench: {report.failure}")
    lat = report.latency
    print("| clients | searches/s | p50 ms | p95 ms | p99 ms | errors | RSS start → end | peak |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {report.clients} | {report.per_second:.1f} | {lat.p50:.0f} | {lat.p95:.0f} "
        f"| {lat.p99:.0f} | {report.errors} | {report.rss_early:.0f} → {report.rss_late:.0f} MB "
        f"| {report.peak_mb:.0f} MB |"
    )
    print(f"\nServer CPU per search: {report.cpu_ms_per_search:.0f} ms")
    print(f"RSS samples: {format_samples(report.rss_samples)}")


if __name__ == "__main__":
    main()
