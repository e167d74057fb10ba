"""The fixed cost of one file: ``findbuch ingest`` of a single scanned page beside raw Tesseract.

Both run as an archivist runs them, as fresh processes, interleaved ``--repeats`` times; the
best run of each counts (other load only ever slows a run down). Then one ingest runs under
cProfile in this process to show where the time beyond Tesseract goes (cProfile sees the main
thread only: what a thread prepares beside Tesseract is not in the stages).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine

PAGE = Path(__file__).resolve().parent.parent / "tests/fixtures/002_nrw_dnipropetrowsk.tif"
FINDBUCH = Path(sys.executable).with_name("findbuch")
# Where the time of one ingest goes: (label, function name as cProfile lists it).
STAGES = (
    ("import of the program", "<module>"),
    ("reading the page here (preparation, Tesseract)", "read_page_here"),
    ("  of which Tesseract's process", "run_tesseract"),
    ("metadata: all", "extract_metadata"),
    ("metadata: place gazetteer (with the word list)", "_gazetteer"),
    ("German word list, first use (page quality, then places)", "german_words"),
    ("metadata: dates", "find_dates"),
    ("searchable PDF and word boxes", "_derivatives"),
    ("archive: original, derivatives, catalog", "add"),
    ("index commit", "_commit"),
)


def _wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def interleaved(page: Path, repeats: int, before: Path | None) -> dict[str, list[float]]:
    """Seconds of raw Tesseract and of ``findbuch ingest`` for the page, runs interleaved.

    With ``before`` (a checkout of another commit), its ``findbuch ingest`` runs in each round
    too, with that checkout first on the path.
    """
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    programs = {"findbuch": dict(os.environ)}
    if before is not None:
        programs = {"before": {**os.environ, "PYTHONPATH": str(before)}, **programs}
    seconds: dict[str, list[float]] = {"raw": [], **{label: [] for label in programs}}
    for _ in range(repeats):
        seconds["raw"].append(_wall(["tesseract", str(page), "-", "-l", "deu"], env))
        for label, program_env in programs.items():
            with tempfile.TemporaryDirectory() as home:
                command = [str(FINDBUCH), "--home", f"{home}/h", "ingest", str(page)]
                seconds[label].append(_wall(command, program_env))
    return seconds


def profiled(page: Path) -> pstats.Stats:
    """One ingest of the page in this process, under cProfile (imports included)."""
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as home:
        profile.enable()
        from findbuch.cli import cli

        try:
            cli.main(["--home", f"{home}/h", "ingest", str(page)], standalone_mode=False)
        finally:
            profile.disable()
    return pstats.Stats(profile, stream=io.StringIO())


def stage_seconds(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of the largest call of each stage's function."""
    found: dict[str, float] = {}
    for (_, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for label, function in STAGES:
            if name == function:
                found[label] = max(found.get(label, 0.0), cumulative)
    return found


def main() -> None:
    """Print the interleaved wall times and the profile of one ingest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", type=Path, default=PAGE)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a checkout of the commit to compare with")
    args = parser.parse_args()
    load_before = os.getloadavg()
    seconds = interleaved(args.page, args.repeats, args.before)
    stats = profiled(args.page)
    print(f"Machine: {machine()} (shared with other sessions)")
    print(f"Command: cd {Path.cwd()} && {' '.join(sys.orig_argv)}")
    print(f"Load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}\n")
    raw, ours = min(seconds["raw"]), min(seconds["findbuch"])
    print("| run | best s | all runs |")
    print("|---|---|---|")
    for label, runs in seconds.items():
        print(f"| {label} | {min(runs):.2f} | {', '.join(f'{s:.2f}' for s in runs)} |")
    verdict = "PASS" if ours <= raw + 0.7 else "MISS"
    print(f"\nfindbuch - raw: {ours - raw:+.2f} s ({ours / raw:.2f}x); target <= +0.7 s: {verdict}")
    if "before" in seconds:
        earlier = min(seconds["before"])
        print(f"before - raw: {earlier - raw:+.2f} s ({earlier / raw:.2f}x)")
    print()
    print("| stage of one ingest (profiled, in-process) | seconds |")
    print("|---|---|")
    found = stage_seconds(stats)
    for label, _ in STAGES:
        print(f"| {label} | {found.get(label, 0.0):.2f} |")


if __name__ == "__main__":
    main()
