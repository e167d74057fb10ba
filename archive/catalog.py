"""The SQLite catalog: every SQL statement of Findbuch lives in this module."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from archive.models import (
    Correction,
    Derivative,
    Document,
    ExtractedValue,
    Job,
    JobBatch,
    NewDocument,
    Page,
    User,
)
from archive.papers import apply_stated, ensure_paper_tables, stated_values
from findbuch.fields import SINGLE_FIELDS

SCHEMA_VERSION = 4
# Withdrawal is recorded like a correction of this pseudo-field: its value is the reason.
WITHDRAWN = "withdrawn"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id        TEXT PRIMARY KEY,
    sha256        TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          INTEGER NOT NULL,
    ingested_at   TEXT NOT NULL,
    page_count    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id     TEXT NOT NULL REFERENCES documents(doc_id),
    number     INTEGER NOT NULL,
    text       TEXT NOT NULL,
    method     TEXT NOT NULL,
    raw        TEXT NOT NULL DEFAULT '',
    confidence REAL NOT NULL DEFAULT -1,
    rotation   INTEGER NOT NULL DEFAULT 0,
    problem    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS derivatives (
    doc_id     TEXT NOT NULL REFERENCES documents(doc_id),
    kind       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    PRIMARY KEY (doc_id, kind)
);
CREATE TABLE IF NOT EXISTS extracted (
    doc_id   TEXT NOT NULL REFERENCES documents(doc_id),
    field    TEXT NOT NULL,
    position INTEGER NOT NULL,
    value    TEXT NOT NULL,
    page     INTEGER NOT NULL,
    method   TEXT NOT NULL,
    text     TEXT NOT NULL DEFAULT '',
    kind     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc_id, field, position)
);
CREATE TABLE IF NOT EXISTS corrections (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id  TEXT NOT NULL REFERENCES documents(doc_id),
    field   TEXT NOT NULL,
    old     TEXT NOT NULL,
    new     TEXT NOT NULL,
    editor  TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_by_doc ON corrections (doc_id, field, id);
CREATE TABLE IF NOT EXISTS users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    token_hash    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id       TEXT PRIMARY KEY,
    file_name    TEXT NOT NULL,
    inbox_path   TEXT NOT NULL,
    metadata     TEXT NOT NULL,
    status       TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    pages_done   INTEGER NOT NULL DEFAULT 0,
    pages_total  INTEGER NOT NULL DEFAULT 0,
    doc_id       TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    batch        TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    worker       TEXT NOT NULL DEFAULT '',
    started_at   TEXT NOT NULL DEFAULT '',
    finished_at  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, submitted_at);
CREATE TABLE IF NOT EXISTS failed_logins (
    address TEXT NOT NULL,
    at      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS failed_logins_by_address ON failed_logins (address, at);
"""

_DOC_COLUMNS = "doc_id, sha256, original_name, media_type, size, ingested_at, page_count"
_PAGE_COLUMNS = "number, text, method, raw, confidence, rotation, problem"
# Columns added to pages in version 3, for catalogs written by earlier versions.
_PAGE_COLUMNS_V3 = (
    "raw TEXT NOT NULL DEFAULT ''",
    "confidence REAL NOT NULL DEFAULT -1",
    "rotation INTEGER NOT NULL DEFAULT 0",
    "problem TEXT NOT NULL DEFAULT ''",
)
# Columns added to jobs in version 4 (distributed workers), for catalogs written earlier.
_JOB_COLUMNS_V4 = (
    "batch TEXT NOT NULL DEFAULT ''",
    "attempts INTEGER NOT NULL DEFAULT 0",
    "worker TEXT NOT NULL DEFAULT ''",
    "started_at TEXT NOT NULL DEFAULT ''",
    "finished_at TEXT NOT NULL DEFAULT ''",
)


def doc_id_for(sha256: str) -> str:
    """The archive id of a document: stable across homes, exports and re-indexing."""
    return sha256[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Catalog:
    """Documents, page texts, extracted metadata and corrections.

    Readers open it read-only; all writes go through one writable connection.
    """

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self._conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Several writers (web upload worker, CLI ingest) wait for each other up to 60 s.
            self._conn = sqlite3.connect(path, check_same_thread=False, timeout=60)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._migrate()
        self._conn.execute("PRAGMA foreign_keys=ON")

    def _migrate(self) -> None:
        """Create the schema; bring a version-1 catalog (title and date columns) up to date."""
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        with self._conn:
            if 0 < version < 3:
                for column in _PAGE_COLUMNS_V3:
                    self._conn.execute(f"ALTER TABLE pages ADD COLUMN {column}")
            self._add_missing_job_columns()
            self._conn.executescript(_SCHEMA)
            ensure_paper_tables(self._conn)
            if version == 1:
                for column in ("title", "date"):
                    self._conn.execute(
                        "INSERT INTO extracted (doc_id, field, position, value, page, method) "
                        f"SELECT doc_id, '{column}', 0, {column}, 1, 'aus Katalogversion 1' "
                        f"FROM documents WHERE {column} != ''"
                    )
                    self._conn.execute(f"ALTER TABLE documents DROP COLUMN {column}")
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _add_missing_job_columns(self) -> None:
        present = {row[1] for row in self._conn.execute("PRAGMA table_info(jobs)")}
        if present:  # a jobs table from before version 4
            for column in _JOB_COLUMNS_V4:
                if column.split()[0] not in present:
                    self._conn.execute(f"ALTER TABLE jobs ADD COLUMN {column}")

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def add(
        self, new: NewDocument, *, derivatives: tuple[Derivative, ...] = (), ingested_at: str = ""
    ) -> Document:
        """Record a document, its pages, derivatives and findings, in one transaction."""
        doc_id = doc_id_for(new.sha256)
        with self._conn:
            self._conn.execute(
                f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    new.sha256,
                    new.original_name,
                    new.media_type,
                    new.size,
                    ingested_at or _now(),
                    len(new.pages),
                ),
            )
            self._conn.executemany(
                f"INSERT INTO pages (doc_id, {_PAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (doc_id, p.number, p.text, p.method, p.raw, p.confidence, p.rotation, p.problem)
                    for p in new.pages
                ],
            )
            self._insert_extracted(doc_id, new.extracted)
            self._conn.executemany(
                "INSERT INTO derivatives (doc_id, kind, media_type, sha256, size) "
                "VALUES (?, ?, ?, ?, ?)",
                [(doc_id, d.kind, d.media_type, d.sha256, d.size) for d in derivatives],
            )
        return self._document(doc_id)

    def derivatives(self, doc_id: str) -> list[Derivative]:
        """The stored derivatives of a document."""
        rows = self._conn.execute(
            "SELECT kind, media_type, sha256, size FROM derivatives WHERE doc_id = ? ORDER BY kind",
            (doc_id,),
        )
        return [Derivative(*row) for row in rows]

    def _insert_extracted(self, doc_id: str, values: tuple[ExtractedValue, ...]) -> None:
        positions: dict[str, int] = {}
        rows = []
        for v in values:
            position = positions.get(v.field, 0)
            positions[v.field] = position + 1
            rows.append((doc_id, v.field, position, v.value, v.page, v.method, v.text, v.kind))
        self._conn.executemany(
            "INSERT INTO extracted (doc_id, field, position, value, page, method, text, kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def restore(
        self,
        doc: Document,
        pages: list[Page],
        extracted: list[ExtractedValue],
        corrections: list[Correction],
        derivatives: list[Derivative],
    ) -> None:
        """Record a document exactly as another home had it (import of an export)."""
        new = NewDocument(
            sha256=doc.sha256,
            original_name=doc.original_name,
            media_type=doc.media_type,
            size=doc.size,
            pages=tuple(pages),
            extracted=tuple(extracted),
        )
        self.add(new, derivatives=tuple(derivatives), ingested_at=doc.ingested_at)
        with self._conn:
            self._conn.executemany(
                "INSERT INTO corrections (doc_id, field, old, new, editor, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (doc.doc_id, c.field, json.dumps(c.old), json.dumps(c.new), c.editor, c.at)
                    for c in corrections
                ],
            )

    def get(self, doc_id: str) -> Document | None:
        """The document with this id, or ``None``."""
        exists = self._conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,))
        return self._document(doc_id) if exists.fetchone() else None

    def get_by_sha256(self, sha256: str) -> Document | None:
        """The document with these original bytes, or ``None``."""
        row = self._conn.execute("SELECT doc_id FROM documents WHERE sha256 = ?", (sha256,))
        found = row.fetchone()
        return self._document(found[0]) if found else None

    def _document(self, doc_id: str) -> Document:
        row = self._conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        values: dict[str, list[str]] = {}
        for v in self.extracted(doc_id):
            values.setdefault(v.field, []).append(v.value)
        apply_stated(values, stated_values(self._conn, doc_id))  # OParl outranks extraction
        latest = self._latest_corrections(doc_id)
        for name, new in latest.items():
            values[name] = new if isinstance(new, list) else ([new] if new else [])
        single = {name: (values.get(name) or [""])[0] for name in SINGLE_FIELDS}
        lists = {
            name: vals
            for name, vals in values.items()
            if name not in SINGLE_FIELDS and name != WITHDRAWN
        }
        return Document(
            *row,
            title=single["title"],
            date=single["date"],
            doc_type=single["type"],
            issuer=single["issuer"],
            note=single["note"],
            withdrawn=single_value(latest.get(WITHDRAWN, "")),
            lists=lists,
            corrected=frozenset(latest) - {WITHDRAWN},
        )

    def _latest_corrections(self, doc_id: str) -> dict[str, str | list[str]]:
        rows = self._conn.execute(
            "SELECT field, new FROM corrections WHERE doc_id = ? ORDER BY id", (doc_id,)
        )
        return {name: json.loads(new) for name, new in rows}

    def extracted(self, doc_id: str) -> list[ExtractedValue]:
        """What the machine found about a document, with sources, in field order."""
        rows = self._conn.execute(
            "SELECT field, value, page, method, text, kind FROM extracted "
            "WHERE doc_id = ? ORDER BY field, position",
            (doc_id,),
        )
        return [ExtractedValue(*row) for row in rows]

    def corrections(self, doc_id: str) -> list[Correction]:
        """Every change made to a document, oldest first."""
        rows = self._conn.execute(
            "SELECT field, old, new, editor, at FROM corrections WHERE doc_id = ? ORDER BY id",
            (doc_id,),
        )
        return [
            Correction(name, json.loads(old), json.loads(new), editor, at)
            for name, old, new, editor, at in rows
        ]

    def correct(
        self, doc_id: str, changes: dict[str, str | list[str]], *, editor: str
    ) -> list[Correction]:
        """Record corrections of fields (only real changes); returns what was recorded."""
        doc = self._document(doc_id)
        current = {
            "title": doc.title,
            "date": doc.date,
            "type": doc.doc_type,
            "issuer": doc.issuer,
            "note": doc.note,
            WITHDRAWN: doc.withdrawn,
            **doc.lists,
        }
        at = _now()
        recorded = []
        for name, new in changes.items():
            old = current.get(name, [] if isinstance(new, list) else "")
            if old != new:
                recorded.append(Correction(name, old, new, editor, at))
        with self._conn:
            self._conn.executemany(
                "INSERT INTO corrections (doc_id, field, old, new, editor, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (doc_id, c.field, json.dumps(c.old), json.dumps(c.new), c.editor, c.at)
                    for c in recorded
                ],
            )
        return recorded

    def pages(self, doc_id: str) -> list[Page]:
        """All pages of a document, in order."""
        rows = self._conn.execute(
            f"SELECT {_PAGE_COLUMNS} FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,)
        )
        return [Page(*row) for row in rows]

    def page_text(self, doc_id: str, number: int) -> str:
        """The text of one page, or empty when the page does not exist."""
        row = self._conn.execute(
            "SELECT text FROM pages WHERE doc_id = ? AND number = ?", (doc_id, number)
        ).fetchone()
        return row[0] if row else ""

    def document_ids(self) -> list[str]:
        """Every document id, oldest first."""
        rows = self._conn.execute("SELECT doc_id FROM documents ORDER BY ingested_at, doc_id")
        return [row[0] for row in rows]

    def documents(self) -> Iterator[Document]:
        """Every document, oldest first, withdrawn ones included."""
        for doc_id in self.document_ids():
            yield self._document(doc_id)

    def count(self) -> int:
        """Number of documents."""
        return self._conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def add_user(self, user: User) -> None:
        """Create or replace a user account."""
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO users (name, role, password_hash, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (user.name, user.role, user.password_hash, user.token_hash, user.created_at),
            )

    def user(self, name: str) -> User | None:
        """The account with this name, or ``None``."""
        row = self._conn.execute(
            "SELECT name, role, password_hash, token_hash, created_at FROM users WHERE name = ?",
            (name,),
        ).fetchone()
        return User(*row) if row else None

    def user_by_token(self, token_hash: str) -> User | None:
        """The account holding this API token (by its hash), or ``None``."""
        row = self._conn.execute(
            "SELECT name, role, password_hash, token_hash, created_at FROM users "
            "WHERE token_hash = ? AND token_hash != ''",
            (token_hash,),
        ).fetchone()
        return User(*row) if row else None

    def record_failed_login(self, address: str, at: float, *, keep_s: float) -> None:
        """Note a failed login from ``address`` (Unix time); forget those older than ``keep_s``.

        Kept in the catalog, not in memory, so that every server process counts them together.
        """
        with self._conn:
            self._conn.execute("INSERT INTO failed_logins VALUES (?, ?)", (address, at))
            self._conn.execute("DELETE FROM failed_logins WHERE at < ?", (at - keep_s,))

    def failed_logins(self, address: str, since: float) -> int:
        """Failed logins from ``address`` since ``since`` (Unix time)."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM failed_logins WHERE address = ? AND at >= ?", (address, since)
        ).fetchone()
        return int(row[0])

    def add_job(self, job: Job) -> None:
        """Record a queued upload."""
        with self._conn:
            self._conn.execute(
                f"INSERT INTO jobs ({_JOB_COLUMNS}) VALUES ({', '.join('?' * 17)})",
                _job_row(job),
            )

    def update_job(self, job_id: str, **changes: str | int) -> None:
        """Change a job's status, progress, document or error."""
        columns = ", ".join(f"{name} = ?" for name in changes)
        with self._conn:
            self._conn.execute(
                f"UPDATE jobs SET {columns}, updated_at = ? WHERE job_id = ?",
                (*changes.values(), _now(), job_id),
            )

    def job(self, job_id: str) -> Job | None:
        """One job, or ``None``."""
        row = self._conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
        return _job(row) if row else None

    def jobs(
        self, *, limit: int = 200, unfinished: bool = False, status: str = "", batch: str = ""
    ) -> list[Job]:
        """The newest jobs first; ``unfinished`` only those still queued or processing."""
        conditions, params = [], []
        if unfinished:
            conditions.append("status IN ('queued', 'processing')")
        if status:
            conditions.append("status = ?")
            params.append(status)
        if batch:
            conditions.append("batch = ?")
            params.append(batch)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs {where} ORDER BY submitted_at DESC, job_id LIMIT ?",
            (*params, limit),
        )
        return [_job(row) for row in rows]

    def job_batches(self, *, unfinished_since: str) -> list[JobBatch]:
        """Progress of every batch with unfinished jobs or submitted since ``unfinished_since``."""
        rows = self._conn.execute(
            "SELECT batch, COUNT(*), SUM(status = 'done'), SUM(status = 'failed'), "
            "SUM(pages_done), SUM(pages_total), MIN(submitted_at), "
            "MIN(NULLIF(started_at, '')), MAX(finished_at) FROM jobs GROUP BY batch "
            "HAVING SUM(status IN ('queued', 'processing')) > 0 OR MAX(submitted_at) >= ? "
            "ORDER BY MIN(submitted_at) DESC",
            (unfinished_since,),
        )
        return [JobBatch(*row[:6], *(value or "" for value in row[6:])) for row in rows]


_JOB_COLUMNS = (
    "job_id, file_name, inbox_path, metadata, status, submitted_by, submitted_at, updated_at, "
    "pages_done, pages_total, doc_id, error, batch, attempts, worker, started_at, finished_at"
)


def _job_row(job: Job) -> tuple:
    return (
        job.job_id,
        job.file_name,
        job.inbox_path,
        json.dumps(job.metadata, ensure_ascii=False),
        job.status,
        job.submitted_by,
        job.submitted_at,
        job.updated_at,
        job.pages_done,
        job.pages_total,
        job.doc_id,
        job.error,
        job.batch,
        job.attempts,
        job.worker,
        job.started_at,
        job.finished_at,
    )


def _job(row: tuple) -> Job:
    values = list(row)
    values[3] = json.loads(values[3])
    return Job(*values)


def single_value(value: str | list[str]) -> str:
    """A correction's value as a single string."""
    return value if isinstance(value, str) else "; ".join(value)
