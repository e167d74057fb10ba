"""The SQLite catalog: every SQL statement of Findbuch lives in this module."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from archive.models import Document, NewDocument, Page

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id        TEXT PRIMARY KEY,
    sha256        TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          INTEGER NOT NULL,
    ingested_at   TEXT NOT NULL,
    page_count    INTEGER NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    date          TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id  TEXT NOT NULL REFERENCES documents(doc_id),
    number  INTEGER NOT NULL,
    text    TEXT NOT NULL,
    method  TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
"""

_DOC_COLUMNS = (
    "doc_id, sha256, original_name, media_type, size, ingested_at, page_count, title, date"
)


def doc_id_for(sha256: str) -> str:
    """The archive id of a document: stable across homes, exports and re-indexing."""
    return sha256[:16]


class Catalog:
    """Documents and their page texts. Open read-only for readers, writable for the one writer."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self._conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._conn.execute("PRAGMA foreign_keys=ON")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def add(self, new: NewDocument) -> Document:
        """Record a document and all its pages in one transaction."""
        doc = Document(
            doc_id=doc_id_for(new.sha256),
            sha256=new.sha256,
            original_name=new.original_name,
            media_type=new.media_type,
            size=new.size,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            page_count=len(new.pages),
            title=new.title,
            date=new.date,
        )
        with self._conn:
            self._conn.execute(
                f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.doc_id,
                    doc.sha256,
                    doc.original_name,
                    doc.media_type,
                    doc.size,
                    doc.ingested_at,
                    doc.page_count,
                    doc.title,
                    doc.date,
                ),
            )
            self._conn.executemany(
                "INSERT INTO pages (doc_id, number, text, method) VALUES (?, ?, ?, ?)",
                [(doc.doc_id, p.number, p.text, p.method) for p in new.pages],
            )
        return doc

    def get(self, doc_id: str) -> Document | None:
        """The document with this id, or ``None``."""
        row = self._conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        return Document(*row) if row else None

    def get_by_sha256(self, sha256: str) -> Document | None:
        """The document with these original bytes, or ``None``."""
        row = self._conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return Document(*row) if row else None

    def pages(self, doc_id: str) -> list[Page]:
        """All pages of a document, in order."""
        rows = self._conn.execute(
            "SELECT number, text, method FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,)
        )
        return [Page(*row) for row in rows]

    def page_text(self, doc_id: str, number: int) -> str:
        """The text of one page, or empty when the page does not exist."""
        row = self._conn.execute(
            "SELECT text FROM pages WHERE doc_id = ? AND number = ?", (doc_id, number)
        ).fetchone()
        return row[0] if row else ""

    def documents(self) -> Iterator[Document]:
        """Every document, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY ingested_at, doc_id"
        ).fetchall()
        for row in rows:
            yield Document(*row)

    def count(self) -> int:
        """Number of documents."""
        return self._conn.execute("SELECT count(*) FROM documents").fetchone()[0]
