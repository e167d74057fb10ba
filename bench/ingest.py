"""Ingest throughput: born-digital PDFs against pdftotext, scans against raw tesseract.

Run: ``python -m bench.ingest`` (or ``make bench``). Prints a Markdown table for RESULTS.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pdfplumber

from bench.common import machine, require_shared, timed
from common.settings import Settings
from ingest import FAILED
from service.home import DataHome


def _pdf_pages(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            total += len(pdf.pages)
    return total


def _ingest(paths: list[Path]) -> tuple[int, int]:
    """Ingest with the default settings (all cores); pages in total and pages OCR'd."""
    with tempfile.TemporaryDirectory() as tmp, DataHome(Settings(home=Path(tmp))) as home:
        results = list(home.ingest(paths))
        methods = [page.method for r in results for page in home.pages(str(r.doc_id))]
    failed = [r for r in results if r.status == FAILED]
    if failed:
        raise SystemExit(f"bench: ingest failed: {failed}")
    return len(methods), methods.count("ocr")


def _pdftotext(paths: list[Path]) -> None:
    for path in paths:
        subprocess.run(["pdftotext", "-q", path, os.devnull], check=True)


def _tesseract(images: list[Path]) -> None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    for image in images:
        subprocess.run(
            ["tesseract", image, "stdout", "-l", "deu"], check=True, capture_output=True, env=env
        )


def main() -> None:
    """Measure and print the table."""
    shared = require_shared()
    if not shutil.which("pdftotext"):
        raise SystemExit("bench: pdftotext fehlt (apt-get install poppler-utils)")
    text_pdfs = sorted((shared / "corpus/pdf").glob("*.pdf"))
    text_pdfs += sorted((shared / "corpus/bgbl/text_layer").glob("*.pdf"))
    scans = sorted((shared / "corpus/scans").glob("*.png"))
    scans += sorted((shared / "corpus/scans").glob("*.jpg"))

    pages = _pdf_pages(text_pdfs)
    ours_s, (ours_pages, ours_ocr) = timed(lambda: _ingest(text_pdfs))
    base_s, _ = timed(lambda: _pdftotext(text_pdfs))
    ocr_s, (ocr_pages, _) = timed(lambda: _ingest(scans))
    tess_s, _ = timed(lambda: _tesseract(scans))

    print(f"Machine: {machine()}")
    print("Command: make bench  (python -m bench.ingest)\n")
    print("| measure | Findbuch | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| PDF ingest, {len(text_pdfs)} files / {pages} pages ({ours_ocr} with a garbled "
        f"text layer OCR'd), jobs={os.cpu_count()} "
        f"| {ours_pages / ours_s:.1f} pages/s | pdftotext {pages / base_s:.1f} pages/s "
        f"| {base_s / ours_s:.2f}x |"
    )
    print(
        f"| OCR ingest, {len(scans)} scans, jobs={os.cpu_count()} "
        f"| {ocr_pages / ocr_s * 60:.1f} pages/min "
        f"| tesseract -l deu (OMP_THREAD_LIMIT=1), 1 process "
        f"{len(scans) / tess_s * 60:.1f} pages/min "
        f"| {tess_s / ocr_s:.2f}x |"
    )


if __name__ == "__main__":
    main()
