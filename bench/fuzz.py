"""Fuzz the parsers with mutated real files for a bounded time: only clear errors, no hangs.

Run: ``python -m bench.fuzz [--seconds 300]``. Mutations of the corpus PDFs (born-digital,
garbled BGBl, image-only), scans and texts: byte flips, truncation, splices.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import machine, require_shared
from common.errors import InputFileError
from common.settings import Settings
from ingest.document import extract_pages

PER_FILE_LIMIT_S = 60.0


def _mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    kind = rng.choice(("flip", "truncate", "splice"))
    if kind == "truncate":
        return bytes(data[: rng.randrange(1, len(data))])
    if kind == "splice":
        start = rng.randrange(len(data))
        return bytes(data[:start] + data[rng.randrange(len(data)) :])
    for _ in range(rng.randint(1, 30)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def main() -> None:
    """Fuzz until the time is up; print cases, outcomes and findings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=300)
    args = parser.parse_args()
    shared = require_shared()
    seeds = sorted((shared / "corpus/pdf").glob("*.pdf"))
    seeds += sorted((shared / "corpus/bgbl/text_layer").glob("*.pdf"))[:4]
    seeds += [shared / "corpus/scans/003_skew_kommunalpartnerschaften-p3.jpg"]
    seeds += sorted((shared / "corpus/seeds").glob("*.txt"))
    rng = random.Random(11)
    outcomes: Counter[str] = Counter()
    findings: list[str] = []
    slowest = 0.0
    deadline = time.monotonic() + args.seconds
    settings = Settings(ocr_timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < deadline:
            seed = rng.choice(seeds)
            path = Path(tmp) / f"case{seed.suffix}"
            path.write_bytes(_mutate(seed.read_bytes(), rng))
            started = time.monotonic()
            try:
                extract_pages(path, settings)
                outcomes["read"] += 1
            except InputFileError:
                outcomes["clear error"] += 1
            except Exception as e:  # noqa: BLE001 - a finding is any other exception
                outcomes["FINDING"] += 1
                findings.append(f"{seed.name}: {type(e).__name__}: {e}"[:200])
            elapsed = time.monotonic() - started
            slowest = max(slowest, elapsed)
            if elapsed > PER_FILE_LIMIT_S:
                findings.append(f"{seed.name}: took {elapsed:.0f} s")
    print(f"Machine: {machine()}")
    print(f"Command: python -m bench.fuzz --seconds {args.seconds:g}\n")
    total = sum(outcomes.values())
    print("| seconds | cases | read | clear error | other exceptions | slowest case |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.seconds:g} | {total} | {outcomes['read']} | {outcomes['clear error']} | "
        f"{outcomes['FINDING']} | {slowest:.1f} s |"
    )
    for finding in findings[:20]:
        print(f"- {finding}")


if __name__ == "__main__":
    main()
