"""OParl import throughput: the whole ../shared/oparl sample beside plain ``ingest`` of its PDFs.

The sample's 296 papers are served by tests/oparl_server.py on loopback (every file's text
typeset as a PDF beforehand, the scanned ones as image-only pages, so serving costs nothing
measurable). Each round runs, on fresh homes and interleaved (the import first in even
rounds), ``findbuch ingest`` of the same PDFs in a folder and ``findbuch import-oparl --rate 0``
of the server, then a second ``import-oparl`` (nothing new). Papers and pages per minute are
wall-clock.

    python -m bench.oparl [--rounds N] [--papers N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, require_shared
from tests.oparl_server import OParlServer, load_karlsruhe

FINDBUCH = Path(sys.executable).parent / "findbuch"


def _typeset(server: OParlServer, folder: Path) -> int:
    """Write every PDF the server will serve into ``folder``; returns how many."""
    folder.mkdir(parents=True)
    count = 0
    for number in sorted(server.sample.texts):
        pdf = server.pdf(number)
        if pdf is not None:
            (folder / f"{int(number):08d}.pdf").write_bytes(pdf)
            count += 1
    return count


def _run(args: list[str]) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    done = subprocess.run([str(FINDBUCH), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return seconds, lines


def _plain(pdfs: Path, home: Path) -> tuple[float, list[dict]]:
    return _run(["--home", str(home), "ingest", str(pdfs), "--json"])


def _oparl(server: OParlServer, home: Path) -> tuple[float, list[dict]]:
    return _run(["--home", str(home), "import-oparl", server.system_url, "--json", "--rate", "0"])


def _round(server: OParlServer, pdfs: Path, work: Path, number: int) -> dict:
    """One plain ingest and one import (the import first in even rounds), then a second import."""
    plain_home, oparl_home = work / f"plain-{number}", work / f"oparl-{number}"
    if number % 2:
        plain_s, plain = _plain(pdfs, plain_home)
    before = len(server.log)
    oparl_s, events = _oparl(server, oparl_home)
    requests = len(server.log) - before
    if not number % 2:
        plain_s, plain = _plain(pdfs, plain_home)
    [summary] = [e for e in events if e.get("kind") == "summary"]
    again_s, again = _oparl(server, oparl_home)
    [second] = [e for e in again if e.get("kind") == "summary"]
    for home in (plain_home, oparl_home):
        shutil.rmtree(home)
    return {
        "plain_s": plain_s,
        "plain_files": sum(r["status"] == "added" for r in plain),
        "plain_pages": sum(r["pages"] for r in plain if r["status"] == "added"),
        "oparl_s": oparl_s,
        "papers": summary["papers_imported"] + summary["papers_deleted"],
        "files": summary["files_added"],
        "failed": summary["files_failed"],
        "pages": summary["pages"],
        "requests": requests,
        "second_s": again_s,
        "second_files": second["files_added"] + second["files_duplicate"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--papers", type=int, default=0, help="only the first N papers")
    args = parser.parse_args()
    root = require_shared() / "oparl" / "karlsruhe"
    names = sorted(p.stem for p in (root / "papers").glob("*.json"))
    sample = load_karlsruhe(root, names[: args.papers] if args.papers else names)
    print(machine())
    with (
        tempfile.TemporaryDirectory(prefix="bench-oparl-") as tmp,
        OParlServer(sample, page_size=20) as server,
    ):
        work = Path(tmp)
        start = time.perf_counter()
        count = _typeset(server, work / "pdfs")
        print(f"{len(sample.papers)} papers, {count} PDFs typeset in "
              f"{time.perf_counter() - start:.0f} s ({len(sample.scanned)} scanned)")  # fmt: skip
        for number in range(1, args.rounds + 1):
            r = _round(server, work / "pdfs", work, number)
            plain_rate = r["plain_pages"] / r["plain_s"] * 60
            oparl_rate = r["pages"] / r["oparl_s"] * 60
            print(json.dumps(r))
            print(f"round {number}: ingest {r['plain_files']} PDFs / {r['plain_pages']} pages in "
                  f"{r['plain_s']:.0f} s = {plain_rate:.0f} pages/min; import-oparl "
                  f"{r['papers']} papers / {r['files']} files / {r['pages']} pages in "
                  f"{r['oparl_s']:.0f} s = {r['papers'] / r['oparl_s'] * 60:.0f} papers/min, "
                  f"{oparl_rate:.0f} pages/min ({oparl_rate / plain_rate:.2f}x ingest), "
                  f"{r['requests']} requests; second run {r['second_s']:.1f} s, "
                  f"{r['second_files']} files")  # fmt: skip


if __name__ == "__main__":
    main()
