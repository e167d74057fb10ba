"""The catalog's text fingerprints and the documents found to hold the same text."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from archive.models import utc_now


@dataclass(frozen=True)
class SameText:
    """A match between two documents with the same text.

    Attributes:
        other: the id of the other document.
        similarity: the share of words alike, OCR misreadings counted as alike (0 to 1).
        found_at: when the match was found (UTC, ISO 8601).
        separated_by: the archivist who undid a wrong match, or empty while it holds.
        separated_at: when it was undone, or empty.
    """

    other: str
    similarity: float
    found_at: str
    separated_by: str = ""
    separated_at: str = ""


class SameTextTable:
    """Fingerprints, their LSH bands and same-text matches; part of the ``Catalog``."""

    _conn: sqlite3.Connection

    def add_fingerprint(self, doc_id: str, signature: bytes, words: int, bands: list[int]) -> None:
        """Record a document's fingerprint and its band hashes (for finding candidates)."""
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO fingerprints (doc_id, signature, words) VALUES (?, ?, ?)",
                (doc_id, signature, words),
            )
            self._conn.executemany(
                "INSERT OR IGNORE INTO fingerprint_bands (band, hash, doc_id) VALUES (?, ?, ?)",
                [(band, value, doc_id) for band, value in enumerate(bands)],
            )

    def without_fingerprint(self) -> list[str]:
        """Documents never fingerprinted (archived before fingerprints, or too short)."""
        rows = self._conn.execute(
            "SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM fingerprints) "
            "ORDER BY rowid"
        )
        return [doc_id for (doc_id,) in rows]

    def fingerprint_candidates(self, doc_id: str, bands: list[int]) -> dict[str, bytes]:
        """Signatures of the other documents that share at least one band hash."""
        found: dict[str, bytes] = {}
        for band, value in enumerate(bands):
            rows = self._conn.execute(
                "SELECT f.doc_id, f.signature FROM fingerprint_bands b "
                "JOIN fingerprints f ON f.doc_id = b.doc_id "
                "WHERE b.band = ? AND b.hash = ? AND b.doc_id != ?",
                (band, value, doc_id),
            )
            found.update(rows)
        return found

    def add_same_text(self, doc_id: str, matches: dict[str, float]) -> None:
        """Record that ``doc_id`` holds the same text as each of ``matches`` (id: similarity).

        A pair an archivist has separated is never joined again.
        """
        at = utc_now()
        with self._conn:
            for other, score in matches.items():
                if self._pair(doc_id, other) is None:
                    self._conn.execute(
                        "INSERT INTO same_text (doc_id, other, similarity, found_at) "
                        "VALUES (?, ?, ?, ?)",
                        (doc_id, other, score, at),
                    )

    def same_text(self, doc_id: str, *, separated: bool = False) -> list[SameText]:
        """The documents matched with this one (also the separated ones if asked), oldest first."""
        if not self._has_same_text_table():
            return []  # a catalog of version 4 not yet opened for writing
        rows = self._conn.execute(
            "SELECT other, similarity, found_at, separated_by, separated_at FROM same_text "
            "WHERE doc_id = ? UNION ALL "
            "SELECT doc_id, similarity, found_at, separated_by, separated_at FROM same_text "
            "WHERE other = ? ORDER BY 3, 1",
            (doc_id, doc_id),
        )
        return [SameText(*row) for row in rows if separated or not row[3]]

    def same_text_links(self, doc_ids: Iterable[str]) -> dict[str, set[str]]:
        """For each given document, the ids it holds the same text as (matches that hold)."""
        ids = list(doc_ids)
        links: dict[str, set[str]] = {doc_id: set() for doc_id in ids}
        if not ids or not self._has_same_text_table():
            return links
        wanted = json.dumps(ids)  # one parameter, however many hits
        rows = self._conn.execute(
            "SELECT doc_id, other FROM same_text WHERE separated_by = '' AND ("
            "doc_id IN (SELECT value FROM json_each(?)) "
            "OR other IN (SELECT value FROM json_each(?)))",
            (wanted, wanted),
        )
        for left, right in rows:
            for one, two in ((left, right), (right, left)):
                if one in links:
                    links[one].add(two)
        return links

    def separate(self, doc_id: str, other: str, *, editor: str) -> bool:
        """Undo a wrong match, recorded with editor and time; returns whether one held."""
        pair = self._pair(doc_id, other)
        if pair is None or pair[1]:
            return False
        with self._conn:
            self._conn.execute(
                "UPDATE same_text SET separated_by = ?, separated_at = ? "
                "WHERE doc_id = ? AND other = ?",
                (editor, utc_now(), *pair[0]),
            )
        return True

    def _pair(self, one: str, two: str) -> tuple[tuple[str, str], str] | None:
        for key in ((one, two), (two, one)):
            row = self._conn.execute(
                "SELECT separated_by FROM same_text WHERE doc_id = ? AND other = ?", key
            ).fetchone()
            if row:
                return key, row[0]
        return None

    def _has_same_text_table(self) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'same_text'"
        ).fetchone()
        return row is not None
