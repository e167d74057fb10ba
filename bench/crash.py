"""Kill-and-restart: SIGKILL an ingest many times at random moments, then prove nothing was lost.

Run: ``python -m bench.crash [--kills 40] [--documents 300]``. Documents are paragraphs of the
Karlsruhe council texts in ../shared (one text file each) plus the scans of the corpus.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, require_shared
from common.settings import Settings
from service.home import DataHome

FINDBUCH = Path(sys.executable).parent / "findbuch"


def _documents(shared: Path, folder: Path, count: int) -> int:
    """Distinct real texts as files, plus the corpus scans; returns how many distinct files."""
    seen = set()
    with gzip.open(shared / "corpus/karlsruhe/karlsruhe.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"].strip()[:4000]
            if len(text) > 200 and text not in seen:
                seen.add(text)
                (folder / f"text-{len(seen):05d}.txt").write_text(text, encoding="utf-8")
            if len(seen) >= count:
                break
    scans = sorted((shared / "corpus/scans").glob("*.png"))
    for scan in scans:
        (folder / scan.name).write_bytes(scan.read_bytes())
    return len(seen) + len(scans)


def main() -> None:
    """Kill, restart, verify; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--documents", type=int, default=300)
    args = parser.parse_args()
    shared = require_shared()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        folder, home = Path(tmp) / "eingang", Path(tmp) / "home"
        folder.mkdir()
        expected = _documents(shared, folder, args.documents)
        started, kills, runs = time.monotonic(), 0, 0
        while kills < args.kills:
            process = subprocess.Popen(
                [FINDBUCH, "--home", home, "ingest", folder, "--json"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            runs += 1
            time.sleep(rng.uniform(0.2, 4.0))
            if process.poll() is not None:
                break  # finished before the kill: everything is in
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        final = subprocess.run([FINDBUCH, "--home", home, "ingest", folder], capture_output=True)
        check = subprocess.run(
            [FINDBUCH, "--home", home, "check", "--repair"], capture_output=True, text=True
        )
        clean = subprocess.run([FINDBUCH, "--home", home, "check"], capture_output=True)
        with DataHome(Settings(home=home)) as h:
            docs = list(h.archive.catalog.documents())
            indexed = h.index.document_ids()
            doubled = sum(h.index.entries(d.doc_id) != d.page_count for d in docs)
        missing = expected - len(docs)
    print(f"Machine: {machine()}")
    print(f"Command: python -m bench.crash --kills {args.kills} --documents {args.documents}\n")
    print(
        "| kills | ingest runs | files | documents | lost | doubled in index | "
        "not indexed | check after repair | final ingest exit | time |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {kills} | {runs + 1} | {expected} | {len(docs)} | {missing} | {doubled} | "
        f"{len({d.doc_id for d in docs} - indexed)} | "
        f"{'clean' if clean.returncode == 0 else 'PROBLEMS'} ({check.stdout.count(chr(10))} "
        f"repaired) | {final.returncode} | {time.monotonic() - started:.0f} s |"
    )


if __name__ == "__main__":
    main()
