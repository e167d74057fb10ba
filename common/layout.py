"""The layout of a data home: every path inside one, declared once.

Existing homes keep working because these names are the ones homes have always used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HomeLayout:
    """Where each part of a data home lives, below its root folder."""

    root: Path

    @property
    def config(self) -> Path:
        """The home's own settings (TOML), read before ``FINDBUCH_*`` variables and flags."""
        return self.root / "findbuch.toml"

    @property
    def catalog(self) -> Path:
        """SQLite catalog of documents, pages, corrections, accounts and jobs."""
        return self.root / "catalog.sqlite"

    @property
    def originals(self) -> Path:
        """Content-addressed store of the original files."""
        return self.root / "originals"

    @property
    def derivatives(self) -> Path:
        """Content-addressed store of files made from the originals (searchable PDFs, words)."""
        return self.root / "derivatives"

    @property
    def inbox(self) -> Path:
        """Uploaded and queued files waiting to be read."""
        return self.root / "inbox"

    @property
    def results(self) -> Path:
        """What workers read, waiting for the writer to apply it (``ingest.handoff``)."""
        return self.root / "results"

    @property
    def index(self) -> Path:
        """Whoosh index, derived from the archive and rebuildable at any time."""
        return self.root / "index"

    @property
    def queue(self) -> Path:
        """The built-in task queue (Huey's SQLite storage) when no Redis is configured."""
        return self.root / "queue.sqlite"

    @property
    def writer_lock(self) -> Path:
        """Held by the one process that writes this home; names its host and process id."""
        return self.root / "writer.lock"

    @property
    def secret_key(self) -> Path:
        """The secret that signs web sessions, made on the first ``serve``."""
        return self.root / "secret_key"

    @property
    def lost_and_found(self) -> Path:
        """Where ``check --repair`` moves stray files (never deleting them)."""
        return self.root / "lost+found"

    @property
    def demo_login(self) -> Path:
        """Only in a demo home made by ``findbuch demo`` (``make run``): its archivist login."""
        return self.root / "demo-login"
