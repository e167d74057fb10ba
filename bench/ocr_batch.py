"""The batch of bench/ocr.py through ``findbuch ingest`` beside raw Tesseract and an older commit.

bench/ocr.py times this commit's ingest in its own process; to see whether a change made a
batch slower, the same 64 pages go through ``findbuch ingest --jobs N`` as fresh processes, for
this checkout and for ``--before CHECKOUT`` (first on the path), interleaved with raw
``tesseract`` in one process, ``--repeats`` rounds; the best run of each counts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, require_shared
from bench.ocr import batch_copies, documents, frames, raw_tesseract

FINDBUCH = Path(sys.executable).with_name("findbuch")


def _ingest(batch: list[Path], jobs: int, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as home:
        command = [str(FINDBUCH), "--home", f"{home}/h", "ingest", "--jobs", str(jobs), *batch]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        return time.perf_counter() - start


def main() -> None:
    """Print seconds and pages/min of every run, and each against raw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--jobs", type=int, action="append", help="repeatable; default 1 and 2")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--before", type=Path, help="a checkout of the commit to compare with")
    args = parser.parse_args()
    images = [image for doc in documents(require_shared() / "corpus/scans") for image in doc.images]
    programs = {"this commit": dict(os.environ)}
    if args.before is not None:
        programs = {"before": {**os.environ, "PYTHONPATH": str(args.before)}, **programs}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        batch = batch_copies(images, args.copies, Path(tmp))
        pages = frames(batch)
        runs = {"raw `tesseract`, 1 process": lambda: _raw(batch)}
        for jobs in args.jobs or [1, 2]:
            for label, env in programs.items():
                runs[f"{label}, --jobs {jobs}"] = lambda j=jobs, e=env: _ingest(batch, j, e)
        seconds: dict[str, list[float]] = {label: [] for label in runs}
        for _ in range(args.repeats):
            for label, run in runs.items():
                seconds[label].append(run())
    print(f"Machine: {machine()} (shared with other sessions)")
    print(f"Command: cd {Path.cwd()} && {' '.join(sys.orig_argv)}")
    print(f"Load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}\n")
    raw = pages / min(next(iter(seconds.values()))) * 60
    print(f"| run | seconds for {pages} pages, best (all runs) | pages/min | vs raw |")
    print("|---|---|---|---|")
    for label, runs_s in seconds.items():
        rate = pages / min(runs_s) * 60
        all_runs = ", ".join(f"{s:.1f}" for s in runs_s)
        print(f"| {label} | {min(runs_s):.1f} ({all_runs}) | {rate:.1f} | {rate / raw:.2f}x |")


def _raw(batch: list[Path]) -> float:
    start = time.perf_counter()
    raw_tesseract(batch)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
