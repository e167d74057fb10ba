"""Queued ingestion: OCR throughput with 1, 2 and 4 worker processes, and the queue's cost.

Workers and the writer are the real ``findbuch worker`` processes on the embedded queue (and
on Redis, when ``redis-server`` is installed), started before the files are queued; a run is
timed from ``ingest --queue`` until the catalog records every job as finished. Beside them, in
the same run: raw ``tesseract`` on the same images (one process), the ceiling (cores x raw),
and the same 200 council texts ingested in-process, for the queue's overhead per job: the CPU
time of all processes of a queued run, less that of a one-file run (starting the processes),
per job, against the CPU time per file in-process.

    python -m bench.workers
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.catalog import Catalog
from bench.common import machine, require_shared, timed
from bench.ocr import documents, frames, raw_tesseract
from common.settings import Settings
from service.home import DataHome

FINDBUCH = [sys.executable, "-m", "findbuch"]
WORKER_COUNTS = (1, 2, 4)
COPIES = 2  # each scan twice (made distinct), so that four workers have work to share
TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "karlsruhe_200.jsonl.gz"


def scan_copies(scans: Path, folder: Path) -> list[Path]:
    """Every page image of the corpus scans, ``COPIES`` times, each copy a different file."""
    images = [image for doc in documents(scans) for image in doc.images]
    copies = []
    for n in range(COPIES):
        for image in images:
            copy = folder / f"{n}_{image.name}"
            copy.write_bytes(image.read_bytes() + bytes([n]))  # readers ignore trailing bytes
            copies.append(copy)
    return copies


def council_texts(folder: Path) -> list[Path]:
    """The 200 Karlsruhe council texts of the test fixtures, one file each."""
    with gzip.open(TEXTS, "rt", encoding="utf-8") as f:
        papers = [json.loads(line) for line in f]
    for paper in papers:
        (folder / f"karlsruhe_{paper['file_id']}.txt").write_text(paper["text"], encoding="utf-8")
    return sorted(folder.glob("karlsruhe_*.txt"))


@contextmanager
def redis_server() -> Iterator[str | None]:
    """A redis-server on loopback for the run, or ``None`` when none is installed."""
    if shutil.which("redis-server") is None:
        yield None
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


def queued_run(files: list[Path], workers: int, broker: str | None) -> tuple[float, float]:
    """Seconds from queueing ``files`` until every job is finished, with ``workers`` workers,
    and the CPU seconds of all Findbuch processes (queueing, workers, writer)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "FINDBUCH_HOME": str(home)}
        if broker:
            subprocess.run(["redis-cli", "-u", broker, "flushall"], check=True, capture_output=True)
            env["FINDBUCH_BROKER_URL"] = broker
        DataHome(Settings(home=home)).close()  # catalog and index exist before the workers start
        writer = [*FINDBUCH, "worker", "--writer"]
        processes = [subprocess.Popen(writer, env=env, stderr=subprocess.DEVNULL)]
        for n in range(workers):
            workdir = Path(tmp) / f"w{n}"
            args = ["worker", "--processes", "1", "--workdir", str(workdir)]
            worker = subprocess.Popen([*FINDBUCH, *args], env=env, stderr=subprocess.DEVNULL)
            processes.append(worker)
        time.sleep(3)  # every worker started and waiting
        cpu_before = _children_cpu()
        start = time.perf_counter()
        subprocess.run([*FINDBUCH, "ingest", "--queue", *map(str, files)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        catalog = Catalog(home / "catalog.sqlite", readonly=True)
        while catalog.jobs(unfinished=True, limit=1):
            time.sleep(0.1)
        seconds = time.perf_counter() - start
        failed = catalog.jobs(status="failed")
        catalog.close()
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
        if failed:
            raise SystemExit(f"bench: jobs failed: {[(j.file_name, j.error) for j in failed]}")
        return seconds, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def in_process(files: list[Path]) -> tuple[float, float]:
    """Seconds and CPU seconds of the same files through ``ingest_paths`` here (jobs=1)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp), jobs=1)
        with DataHome(settings) as home:
            cpu_before = _own_cpu()
            seconds, _ = timed(lambda: list(home.ingest(files)))
            return seconds, _own_cpu() - cpu_before


def main() -> None:
    """Print both tables in Markdown, for bench/RESULTS.md."""
    shared = require_shared()
    print(f"Machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}\n")
    with tempfile.TemporaryDirectory() as tmp, redis_server() as redis_url:
        scans = scan_copies(shared / "corpus" / "scans", Path(tmp))
        pages = frames(scans)
        raw_seconds, _ = timed(lambda: raw_tesseract(scans))
        raw_rate = pages / raw_seconds * 60
        cores = os.cpu_count() or 1
        print(f"OCR: {len(scans)} scan files, {pages} pages (../shared/corpus/scans x{COPIES})\n")
        print("| run | seconds | pages/min | vs raw 1 process | vs ceiling (cores x raw) |")
        print("|---|---|---|---|---|")
        print(f"| raw `tesseract -l deu`, 1 process | {raw_seconds:.1f} | {raw_rate:.1f} | 1.00 | "
              f"{1 / cores:.2f} |")  # fmt: skip
        brokers = [("eingebaut (SQLite)", None)] + ([("Redis", redis_url)] if redis_url else [])
        for label, broker in brokers:
            for workers in WORKER_COUNTS:
                seconds, _ = queued_run(scans, workers, broker)
                rate = pages / seconds * 60
                print(
                    f"| queue {label}, {workers} worker process(es) | {seconds:.1f} | {rate:.1f} "
                    f"| {rate / raw_rate:.2f} | {rate / (cores * raw_rate):.2f} |"
                )
        texts_dir = Path(tmp) / "texts"
        texts_dir.mkdir()
        texts = council_texts(texts_dir)
        here, here_cpu = in_process(texts)
        n = len(texts)
        print(f"\nQueue overhead: {n} council texts (no OCR), 1 worker process\n")
        print("| run | seconds | CPU seconds, all processes | CPU per job beyond in-process |")
        print("|---|---|---|---|")
        print(f"| in-process `ingest_paths`, jobs=1 | {here:.1f} | {here_cpu:.1f} | – |")
        for label, broker in brokers:
            seconds, cpu = queued_run(texts, 1, broker)
            _, fixed = queued_run(texts[:1], 1, broker)  # starting the processes, one file
            overhead = ((cpu - fixed) / (n - 1) - here_cpu / n) * 1000
            print(
                f"| queue {label}: `ingest --queue`, 1 worker, writer | {seconds:.1f} | "
                f"{cpu:.1f} | {overhead:+.0f} ms |"
            )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
