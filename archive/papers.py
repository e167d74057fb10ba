"""Council papers from OParl in the catalog: papers, consultations, file links, sync state.

Also the values a council system states about a document ("stated"): they sit between what the
machine extracted (which they outrank) and archivists' corrections (which outrank them), so the
extracted values stay beside them and an archivist's correction survives the next sync.
Tables are created with ``IF NOT EXISTS``, so a home from before opens without a migration.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any

from archive.paper_rows import (
    DONE,
    INDEX_FACTS,
    MERGED_FIELDS,
    ConsultationRow,
    FileRow,
    PaperRow,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS oparl_papers (
    paper_id    TEXT PRIMARY KEY,
    body_id     TEXT NOT NULL,
    body_name   TEXT NOT NULL DEFAULT '',
    reference   TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    paper_type  TEXT NOT NULL DEFAULT '',
    date        TEXT NOT NULL DEFAULT '',
    web         TEXT NOT NULL DEFAULT '',
    modified    TEXT NOT NULL DEFAULT '',
    deleted     INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oparl_consultations (
    paper_id           TEXT NOT NULL,
    position           INTEGER NOT NULL,
    consultation_id    TEXT NOT NULL DEFAULT '',
    role               TEXT NOT NULL DEFAULT '',
    authoritative      INTEGER NOT NULL DEFAULT 0,
    meeting_id         TEXT NOT NULL DEFAULT '',
    meeting_name       TEXT NOT NULL DEFAULT '',
    meeting_start      TEXT NOT NULL DEFAULT '',
    organization_id    TEXT NOT NULL DEFAULT '',
    organization_name  TEXT NOT NULL DEFAULT '',
    agenda_item_number TEXT NOT NULL DEFAULT '',
    agenda_item_name   TEXT NOT NULL DEFAULT '',
    result             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (paper_id, position)
);
CREATE TABLE IF NOT EXISTS oparl_files (
    paper_id     TEXT NOT NULL,
    file_id      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    file_name    TEXT NOT NULL DEFAULT '',
    access_url   TEXT NOT NULL DEFAULT '',
    download_url TEXT NOT NULL DEFAULT '',
    modified     TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'pending',
    error        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (paper_id, file_id)
);
CREATE INDEX IF NOT EXISTS oparl_files_by_sha256 ON oparl_files (sha256);
CREATE TABLE IF NOT EXISTS oparl_sync (
    body_id      TEXT PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    last_sync    TEXT NOT NULL DEFAULT '',
    last_started TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS stated (
    doc_id   TEXT NOT NULL,
    field    TEXT NOT NULL,
    position INTEGER NOT NULL,
    value    TEXT NOT NULL,
    source   TEXT NOT NULL,
    PRIMARY KEY (doc_id, field, position)
);
"""


def ensure_paper_tables(conn: sqlite3.Connection) -> None:
    """Create the tables of this module where they are missing."""
    conn.executescript(_SCHEMA)


def stated_values(conn: sqlite3.Connection, doc_id: str) -> dict[str, list[str]]:
    """The values a council system states for a document, by field (empty when none)."""
    if not _has_tables(conn):  # a read-only catalog from before OParl import
        return {}
    rows = conn.execute(
        "SELECT field, value FROM stated WHERE doc_id = ? ORDER BY field, position", (doc_id,)
    )
    found: dict[str, list[str]] = {}
    for name, value in rows:
        found.setdefault(name, []).append(value)
    return found


def apply_stated(values: dict[str, list[str]], stated: dict[str, list[str]]) -> None:
    """Let stated values outrank extracted ones in ``values`` (field -> values), in place."""
    for name, given in stated.items():
        if name in MERGED_FIELDS:
            values[name] = given + [v for v in values.get(name, []) if v not in given]
        else:
            values[name] = given


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stated'")
    return row.fetchone() is not None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _columns(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def papers_for(catalog: Any) -> Papers:
    """The OParl tables of a ``Catalog``, on its connection (the catalog's one writer)."""
    return Papers(catalog._conn)


class Papers:
    """The OParl tables of one catalog, on the catalog's own connection (one writer)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def save_paper(self, paper: PaperRow, consultations: list[ConsultationRow]) -> None:
        """Record a paper and replace its consultations, in one transaction."""
        columns = _columns(PaperRow)
        values = [getattr(paper, c) for c in columns]
        with self._conn:
            self._conn.execute(
                f"INSERT OR REPLACE INTO oparl_papers ({', '.join(columns)}, imported_at) "
                f"VALUES ({', '.join('?' * (len(columns) + 1))})",
                (*values, _now()),
            )
            self._conn.execute(
                "DELETE FROM oparl_consultations WHERE paper_id = ?", (paper.paper_id,)
            )
            c_columns = _columns(ConsultationRow)
            self._conn.executemany(
                f"INSERT INTO oparl_consultations (paper_id, position, {', '.join(c_columns)}) "
                f"VALUES ({', '.join('?' * (len(c_columns) + 2))})",
                [
                    (paper.paper_id, i, *(getattr(c, n) for n in c_columns))
                    for i, c in enumerate(consultations)
                ],
            )

    def mark_deleted(self, paper_id: str, body_id: str, modified: str) -> bool:
        """Mark a paper deleted upstream, keeping what was known; returns whether it was known."""
        with self._conn:
            cur = self._conn.execute(
                "UPDATE oparl_papers SET deleted = 1, modified = ? WHERE paper_id = ?",
                (modified, paper_id),
            )
            if cur.rowcount:
                return True
            self._conn.execute(
                "INSERT INTO oparl_papers (paper_id, body_id, modified, deleted, imported_at) "
                "VALUES (?, ?, ?, 1, ?)",
                (paper_id, body_id, modified, _now()),
            )
        return False

    def paper(self, paper_id: str) -> PaperRow | None:
        """The recorded paper, or ``None``."""
        columns = _columns(PaperRow)
        row = self._conn.execute(
            f"SELECT {', '.join(columns)} FROM oparl_papers WHERE paper_id = ?", (paper_id,)
        ).fetchone()
        return PaperRow(*row[:-1], deleted=bool(row[-1])) if row else None

    def consultations(self, paper_id: str) -> list[ConsultationRow]:
        """A paper's consultations in the paper's order."""
        columns = _columns(ConsultationRow)
        rows = self._conn.execute(
            f"SELECT {', '.join(columns)} FROM oparl_consultations WHERE paper_id = ? "
            "ORDER BY position",
            (paper_id,),
        )
        return [ConsultationRow(*row[:2], bool(row[2]), *row[3:]) for row in rows]

    def sync_files(self, paper_id: str, files: list[FileRow]) -> None:
        """Record a paper's files: new ones pending, changed ones (``modified``) pending again.

        Files no longer listed are kept (their documents stay in the archive).
        """
        with self._conn:
            for f in files:
                known = self._conn.execute(
                    "SELECT modified FROM oparl_files WHERE paper_id = ? AND file_id = ?",
                    (paper_id, f.file_id),
                ).fetchone()
                if known is None:
                    self._conn.execute(
                        "INSERT INTO oparl_files (paper_id, file_id, position, name, file_name, "
                        "access_url, download_url, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (paper_id, f.file_id, f.position, f.name, f.file_name, f.access_url,
                         f.download_url, f.modified),
                    )  # fmt: skip
                    continue
                changed = known[0] != f.modified
                self._conn.execute(
                    "UPDATE oparl_files SET position = ?, name = ?, file_name = ?, access_url = ?, "
                    "download_url = ?, modified = ?, "
                    "status = CASE WHEN ? THEN 'pending' ELSE status END "
                    "WHERE paper_id = ? AND file_id = ?",
                    (f.position, f.name, f.file_name, f.access_url, f.download_url, f.modified,
                     changed, paper_id, f.file_id),
                )  # fmt: skip

    def files(self, paper_id: str) -> list[FileRow]:
        """A paper's files, main file first."""
        return self._files("WHERE paper_id = ? ORDER BY position", (paper_id,))

    def unfinished_files(self, body_id: str) -> list[FileRow]:
        """Files of a body's papers still to fetch or that failed last time (retried)."""
        return self._files(
            "WHERE status != 'done' AND paper_id IN "
            "(SELECT paper_id FROM oparl_papers WHERE body_id = ? AND deleted = 0) "
            "ORDER BY paper_id, position",
            (body_id,),
        )

    def done_files(self, body_id: str) -> list[FileRow]:
        """The fetched files of a body's papers."""
        return self._files(
            "WHERE status = 'done' AND paper_id IN "
            "(SELECT paper_id FROM oparl_papers WHERE body_id = ?)",
            (body_id,),
        )

    def files_with(self, sha256: str) -> list[FileRow]:
        """Every file entry whose bytes are these (one document), oldest link first."""
        return self._files("WHERE sha256 = ? ORDER BY rowid", (sha256,))

    def done_copy(self, file_id: str, modified: str) -> FileRow | None:
        """A finished entry of the same file in the same version (listed by another paper)."""
        found = self._files(
            "WHERE file_id = ? AND modified = ? AND status = 'done' LIMIT 1", (file_id, modified)
        )
        return found[0] if found else None

    def _files(self, where: str, params: tuple) -> list[FileRow]:
        columns = _columns(FileRow)
        rows = self._conn.execute(f"SELECT {', '.join(columns)} FROM oparl_files {where}", params)
        return [FileRow(*row) for row in rows]

    def set_file(self, paper_id: str, file_id: str, **changes: str) -> None:
        """Change a file entry's ``sha256``, ``status`` or ``error``."""
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self._conn:
            self._conn.execute(
                f"UPDATE oparl_files SET {assignments} WHERE paper_id = ? AND file_id = ?",
                (*changes.values(), paper_id, file_id),
            )

    def set_stated(self, doc_id: str, values: dict[str, list[str]], source: str) -> bool:
        """Replace what is stated about a document; returns whether anything changed."""
        if stated_values(self._conn, doc_id) == {k: v for k, v in values.items() if v}:
            return False
        with self._conn:
            self._conn.execute("DELETE FROM stated WHERE doc_id = ?", (doc_id,))
            self._conn.executemany(
                "INSERT INTO stated (doc_id, field, position, value, source) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (doc_id, name, i, value, source)
                    for name, given in values.items()
                    for i, value in enumerate(given)
                ],
            )
        return True

    def index_facts(self, doc_id: str) -> dict[str, list[str]]:
        """Paper types, committees and the papers a document is the main file of."""
        stated = stated_values(self._conn, doc_id)
        return {name: stated.get(name, []) for name in INDEX_FACTS}

    def sources(self, doc_id: str) -> dict[str, str]:
        """Per stated field, the OParl object it comes from."""
        if not _has_tables(self._conn):
            return {}
        rows = self._conn.execute("SELECT field, source FROM stated WHERE doc_id = ?", (doc_id,))
        return dict(rows.fetchall())

    def last_sync(self, body_id: str) -> str:
        """When a body's paper list was last walked to its end (UTC, ISO 8601), or empty."""
        row = self._conn.execute(
            "SELECT last_sync FROM oparl_sync WHERE body_id = ?", (body_id,)
        ).fetchone()
        return row[0] if row else ""

    def record_sync(self, body_id: str, name: str, *, started: str, complete: bool) -> None:
        """Note a run for a body; only a complete walk moves ``last_sync`` on."""
        with self._conn:
            self._conn.execute(
                "INSERT INTO oparl_sync (body_id, name, last_sync, last_started) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT (body_id) DO UPDATE SET name = excluded.name, "
                "last_started = excluded.last_started, "
                "last_sync = CASE WHEN ? THEN excluded.last_started ELSE last_sync END",
                (body_id, name, started if complete else "", started, complete),
            )

    def syncs(self) -> list[dict[str, str]]:
        """Every body synchronised, with its last complete and last started run."""
        rows = self._conn.execute("SELECT body_id, name, last_sync, last_started FROM oparl_sync")
        keys = ("body_id", "name", "last_sync", "last_started")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def papers_of_document(self, doc_id: str) -> list[dict]:
        """The papers a document is a file of, with consultations and all their files."""
        if not _has_tables(self._conn):
            return []
        rows = self._conn.execute(
            # A document id is its SHA-256's first 16 hex digits: a range of the sha256 index.
            "SELECT paper_id FROM oparl_files WHERE sha256 >= ? AND sha256 < ? "
            "AND status = 'done' GROUP BY paper_id ORDER BY MIN(rowid)",
            (doc_id, doc_id + "g"),
        )
        found = []
        for (paper_id,) in rows.fetchall():
            paper = self.paper(paper_id)
            if paper is None:
                continue
            found.append(
                {
                    **asdict(paper),
                    "consultations": [asdict(c) for c in self.consultations(paper_id)],
                    "files": [
                        {**asdict(f), "doc_id": f.sha256[:16] if f.status == DONE else ""}
                        for f in self.files(paper_id)
                    ],
                }
            )
        return found
