"""Baselines for bench.relevance: plain Whoosh and SQLite FTS5 over a home's page texts.

Both read the same extracted page texts as Findbuch (from the catalog), so only analysis and
ranking differ. The bench imports Whoosh directly on purpose: the baseline is Whoosh as it
comes, not Findbuch's index package. Both indexes are cached and rebuilt when the home's
documents change (see ``home_fingerprint``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import fields, index
from whoosh.analysis import StandardAnalyzer
from whoosh.qparser import OrGroup, QueryParser

from service.home import DataHome

STAMP_FILE = "baseline-stamp.json"
# Page entries per FTS5 insert batch.
FTS_BATCH = 500


def home_fingerprint(home: DataHome) -> str:
    """What the page texts of a home depend on: its documents and when they were ingested.

    Re-indexing never changes page texts, re-ingesting (``--fresh``) always changes
    ``ingested_at``; so this is enough to tell when a baseline index is stale, and cheap.
    """
    digest = hashlib.sha256()
    for doc in home.archive.catalog.documents():
        digest.update(f"{doc.doc_id}\t{doc.ingested_at}\t{doc.page_count}\n".encode())
    return digest.hexdigest()


def iter_pages(home: DataHome) -> Iterator[tuple[str, int, str]]:
    """``(doc_id, page number, text)`` of every page in the home, as Findbuch extracted it."""
    for doc in home.archive.catalog.documents():
        for page in home.pages(doc.doc_id):
            yield doc.doc_id, page.number, page.text


def best_documents(doc_ids: Iterable[str], limit: int) -> list[str]:
    """The first ``limit`` distinct documents of page hits ranked best first."""
    seen: dict[str, None] = {}
    for doc_id in doc_ids:
        seen.setdefault(doc_id, None)
        if len(seen) == limit:
            break
    return list(seen)


class WhooshBaseline:
    """Whoosh with ``StandardAnalyzer``, one entry per page, BM25F, words OR'd."""

    def __init__(self, path: Path, home: DataHome) -> None:
        stamp = home_fingerprint(home)
        if _read_stamp(path) != stamp:
            _build_whoosh(path, iter_pages(home))
            (path / STAMP_FILE).write_text(json.dumps(stamp))
        self._ix = index.open_dir(path)
        self._parser = QueryParser("body", self._ix.schema, group=OrGroup)

    def search(self, text: str, *, limit: int) -> list[str]:
        """Doc ids of the best ``limit`` documents (best page score = document score)."""
        q = self._parser.parse(text)
        with self._ix.searcher() as searcher:
            return best_documents((hit["doc_id"] for hit in searcher.search(q, limit=None)), limit)

    def close(self) -> None:
        """Release the index."""
        self._ix.close()


def _read_stamp(path: Path) -> str | None:
    try:
        return json.loads((path / STAMP_FILE).read_text())
    except (OSError, ValueError):
        return None


def _build_whoosh(path: Path, pages: Iterable[tuple[str, int, str]]) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    schema = fields.Schema(
        doc_id=fields.ID(stored=True), body=fields.TEXT(analyzer=StandardAnalyzer())
    )
    ix = index.create_in(path, schema)
    writer = ix.writer(limitmb=256)
    for doc_id, _number, text in pages:
        writer.add_document(doc_id=doc_id, body=text)
    writer.commit()
    ix.close()


def fts5_query(text: str) -> str:
    """The OR of the query's words, each a double-quoted FTS5 string; empty when none."""
    words = [w for w in text.split() if any(c.isalnum() for c in w)]
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


class Fts5Baseline:
    """SQLite FTS5 with the ``unicode61`` tokenizer, one row per page, ranked by ``bm25()``."""

    def __init__(self, path: Path, home: DataHome) -> None:
        stamp = home_fingerprint(home)
        self._conn = sqlite3.connect(path)
        if _fts5_stamp(self._conn) != stamp:
            _build_fts5(self._conn, iter_pages(home), stamp)

    def search(self, text: str, *, limit: int) -> list[str]:
        """Doc ids of the best ``limit`` documents (best page score = document score)."""
        match = fts5_query(text)
        if not match:
            return []
        rows = self._conn.execute(
            "SELECT doc_id FROM pages WHERE pages MATCH ? ORDER BY bm25(pages)", (match,)
        )
        return best_documents((doc_id for (doc_id,) in rows), limit)

    def close(self) -> None:
        """Close the database."""
        self._conn.close()


def _fts5_stamp(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _build_fts5(
    conn: sqlite3.Connection, pages: Iterable[tuple[str, int, str]], stamp: str
) -> None:
    with conn:
        conn.executescript(
            """
            DROP TABLE IF EXISTS pages;
            DROP TABLE IF EXISTS meta;
            CREATE VIRTUAL TABLE pages USING fts5(doc_id UNINDEXED, body, tokenize='unicode61');
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """
        )
        batch: list[tuple[str, str]] = []
        for doc_id, _number, text in pages:
            batch.append((doc_id, text))
            if len(batch) >= FTS_BATCH:
                conn.executemany("INSERT INTO pages (doc_id, body) VALUES (?, ?)", batch)
                batch.clear()
        conn.executemany("INSERT INTO pages (doc_id, body) VALUES (?, ?)", batch)
        conn.execute("INSERT INTO meta (key, value) VALUES ('stamp', ?)", (stamp,))
