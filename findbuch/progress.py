"""Progress of a long ingest: a bar on a terminal, a JSON line every 10 s elsewhere.

Pages count as they are read, so a single long file shows progress too; without a terminal a
timer thread writes the line even while no page finishes (one slow OCR page).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

# Without a terminal, one progress line this often (short runs print none).
JSON_INTERVAL_S = 10.0


class IngestProgress:
    """Documents and pages done, pages per minute and time left."""

    def __init__(self, total_documents: int, *, stream: TextIO | None = None) -> None:
        self.total = total_documents
        self.done = 0
        self.pages = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._current: dict[Path, int] = {}  # pages read so far of files not finished yet
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._bar = None
        self._timer = None
        self._printed = 0
        if self.stream.isatty():
            self._bar = tqdm(total=total_documents, unit="Dok.", desc="Aufnahme", file=self.stream)
        else:
            self._timer = threading.Thread(
                target=self._tick, args=(JSON_INTERVAL_S,), name="progress", daemon=True
            )
            self._timer.start()

    def page(self, path: Path, done: int, total: int) -> None:
        """Count the pages read so far of one file (called as its pages are read)."""
        with self._lock:
            self._current[path] = done
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix())

    def update(self, pages: int, path: Path | None = None) -> None:
        """Count one finished document with ``pages`` pages."""
        with self._lock:
            self.done += 1
            self.pages += pages
            if path is not None:
                self._current.pop(path, None)
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix())
            self._bar.update(1)

    def close(self) -> None:
        """Finish the bar or stop the timer."""
        self._stop.set()
        if self._bar is not None:
            self._bar.close()
        if self._timer is not None:
            self._timer.join()
            if self._printed:  # a run long enough for one line ends with its final figures
                self._print()

    def _pages_done(self) -> int:
        with self._lock:
            return self.pages + sum(self._current.values())

    def _postfix(self) -> str:
        pages = self._pages_done()
        return f"{pages} Seiten, {self._rate(pages):.0f} Seiten/min"

    def _rate(self, pages: int) -> float:
        return pages / (max(time.monotonic() - self.started, 1e-6) / 60)

    def _tick(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._print()

    def _print(self) -> None:
        self._printed += 1
        print(json.dumps(self.line()), file=self.stream, flush=True)

    def line(self) -> dict[str, dict[str, float]]:
        """The progress as the JSON line prints it."""
        pages = self._pages_done()
        elapsed = time.monotonic() - self.started
        left = (self.total - self.done) * elapsed / self.done if self.done else None
        return {
            "progress": {
                "documents_done": self.done,
                "documents_total": self.total,
                "pages_done": pages,
                "pages_per_minute": round(self._rate(pages), 1),
                "seconds_left": round(left) if left is not None else None,
            }
        }
