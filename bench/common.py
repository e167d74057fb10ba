"""What every benchmark needs: the shared corpus, machine details, timing."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

# ../shared beside the clone; FINDBUCH_SHARED names it for a clone elsewhere (a worktree).
SHARED = Path(
    os.environ.get("FINDBUCH_SHARED") or Path(__file__).resolve().parent.parent.parent / "shared"
)


def require_shared() -> Path:
    """The shared corpus beside the clone; exit with a clear message when it is missing."""
    if not (SHARED / "corpus").is_dir():
        sys.exit(f"bench: {SHARED} fehlt – die Benchmarks brauchen ../shared neben dem Klon.")
    return SHARED


def machine() -> str:
    """One line: cores, CPU model, Python and library versions."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    tesseract = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    libs = ", ".join(f"{p} {version(p)}" for p in ("whoosh3", "pdfplumber", "pytesseract"))
    return (
        f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {libs}, "
        f"{tesseract.stdout.splitlines()[0] if tesseract.stdout else 'tesseract ?'}"
    )


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Wall-clock seconds of one call, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result
