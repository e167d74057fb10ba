"""What the second readings cost: PDFium per PDF page, Latin code pages per text file.

Run: ``python -m bench.robustness_cost --corpus DIR --code CHECKOUT`` (DIR as for
``bench.robustness``; CHECKOUT: the other code, e.g. the commit before the change). Every PDF
of the manifest is read by both ``ingest/pdf.py``'s ``read_pdf``, interleaved file by file,
best of ``--repeats``; reported are the CPU seconds of this process (the machine is shared, so
wall time would measure the neighbours too) per page, and how many pages each reads from its
layer. OCR is not run: the layer decision is what the change touches. The text files of the
manifest are decoded by both ``decode_text`` the same way.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import sys
import time
import warnings
from pathlib import Path

from bench.common import machine
from bench.robustness import MANIFEST
from bench.robustness_refs import PDF, TEXT, file_class

MIN_CHARS = 20  # Settings' default min_page_chars
MAX_PAGES = 2000


def _module(checkout: Path, name: str):
    """A checkout's ``ingest/<name>.py``, loaded under its own name."""
    spec = importlib.util.spec_from_file_location(
        f"{name}_{abs(hash(checkout))}", checkout / "ingest" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _read_pdf(checkout: Path):
    """``read_pdf`` of a checkout."""
    return _module(checkout, "pdf").read_pdf


def _decode_seconds(decode, paths: list[Path], repeats: int) -> float:
    """Best CPU seconds of decoding every file, ``repeats`` times."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for path in paths:
            decode(path.read_bytes())
        best = min(best, time.process_time() - started)
    return best


def _timed(read, path: Path, repeats: int) -> tuple[float, int, int]:
    """Best CPU seconds of ``repeats`` reads, pages, pages read from the layer (0, 0 if refused)."""
    best, pages = float("inf"), None
    for _ in range(repeats):
        started = time.process_time()
        try:
            layer = read(path, min_chars=MIN_CHARS, max_pages=MAX_PAGES)
        except Exception:  # noqa: BLE001 - refused files cost what they cost, in both
            layer = None
        best = min(best, time.process_time() - started)
        pages = layer.pages if layer else ()
    return best, len(pages), sum(p is not None for p in pages)


def main() -> None:
    """Read every PDF with both checkouts and print the cost per page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--code", type=Path, required=True, help="the other checkout")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    here = Path(__file__).resolve().parent.parent
    readers = {"other": _read_pdf(args.code.resolve()), "this": _read_pdf(here)}
    rows = [r for r in json.loads(MANIFEST.read_text())["files"] if file_class(r["path"]) == PDF]
    total = {name: [0.0, 0, 0] for name in readers}
    for row in rows:
        path = args.corpus / row["repo"] / row["path"]
        for name, read in readers.items():
            seconds, pages, layer = _timed(read, path, args.repeats)
            total[name][0] += seconds
            total[name][1] += pages
            total[name][2] += layer
    print(machine())
    print(f"{len(rows)} PDFs; CPU seconds of read_pdf, best of {args.repeats}")
    print("| code | pages | from the layer | CPU s | ms per page |")
    print("|---|---:|---:|---:|---:|")
    for name, (seconds, pages, layer) in total.items():
        label = args.code if name == "other" else f"this checkout ({here})"
        print(f"| {label} | {pages} | {layer} | {seconds:.1f} | {1000 * seconds / pages:.1f} |")
    texts = [args.corpus / r["repo"] / r["path"] for r in json.loads(MANIFEST.read_text())["files"]
             if file_class(r["path"]) == TEXT]  # fmt: skip
    size = sum(p.stat().st_size for p in texts) / 1e6
    print(f"\n{len(texts)} text files, {size:.1f} MB; CPU seconds of decode_text, best of 3")
    print("| code | CPU s | ms per file |")
    print("|---|---:|---:|")
    for label, checkout in ((args.code, args.code.resolve()), ("this checkout", here)):
        seconds = _decode_seconds(_module(checkout, "plaintext").decode_text, texts, 3)
        print(f"| {label} | {seconds:.2f} | {1000 * seconds / len(texts):.1f} |")


if __name__ == "__main__":
    main()
