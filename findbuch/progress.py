"""Progress of a long ingest: a bar on a terminal, periodic JSON lines elsewhere."""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

from tqdm import tqdm

# Without a terminal, one progress line at most this often (short runs print none).
JSON_INTERVAL_S = 10.0


class IngestProgress:
    """Documents and pages done, pages per minute and time left, updated per document."""

    def __init__(self, total_documents: int, *, stream: TextIO | None = None) -> None:
        self.total = total_documents
        self.done = 0
        self.pages = 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last_line = self.started
        self._bar = (
            tqdm(total=total_documents, unit="Dok.", desc="Aufnahme", file=self.stream)
            if self.stream.isatty()
            else None
        )

    def update(self, pages: int) -> None:
        """Count one finished document with ``pages`` pages."""
        self.done += 1
        self.pages += pages
        minutes = max(time.monotonic() - self.started, 1e-6) / 60
        rate = self.pages / minutes
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self.pages} Seiten, {rate:.0f} Seiten/min")
            self._bar.update(1)
            return
        now = time.monotonic()
        if now - self._last_line >= JSON_INTERVAL_S:
            self._last_line = now
            left = (self.total - self.done) * (now - self.started) / self.done
            line = {
                "progress": {
                    "documents_done": self.done,
                    "documents_total": self.total,
                    "pages_done": self.pages,
                    "pages_per_minute": round(rate, 1),
                    "seconds_left": round(left),
                }
            }
            print(json.dumps(line), file=self.stream, flush=True)

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()
