"""The catalog's tables and how older catalogs are brought up to date.

Existing data homes open without steps by the user: each version's new columns are added in
place when a catalog is opened for writing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.papers import ensure_paper_tables

SCHEMA_VERSION = 5

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
    created_at    TEXT NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 0
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
CREATE TABLE IF NOT EXISTS fingerprints (
    doc_id    TEXT PRIMARY KEY REFERENCES documents(doc_id),
    signature BLOB NOT NULL,
    words     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fingerprint_bands (
    band   INTEGER NOT NULL,
    hash   INTEGER NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    PRIMARY KEY (band, hash, doc_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS same_text (
    doc_id       TEXT NOT NULL REFERENCES documents(doc_id),
    other        TEXT NOT NULL REFERENCES documents(doc_id),
    similarity   REAL NOT NULL,
    found_at     TEXT NOT NULL,
    separated_by TEXT NOT NULL DEFAULT '',
    separated_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc_id, other)
);
"""
# Version 5 adds the tables fingerprints, fingerprint_bands and same_text (same text in
# several files); CREATE TABLE IF NOT EXISTS brings them into older catalogs.
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
# Added to users for revocable sessions, for catalogs written earlier.
_USER_SESSION_COLUMN = "session_version INTEGER NOT NULL DEFAULT 0"


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection to the catalog: read-only for readers, migrated for the writer."""
    if readonly:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several writers (web upload worker, CLI ingest) wait for each other up to 60 s.
        conn = sqlite3.connect(path, check_same_thread=False, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        migrate(conn)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    """Create the schema; bring a version-1 catalog (title and date columns) up to date."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    with conn:
        if 0 < version < 3:
            for column in _PAGE_COLUMNS_V3:
                conn.execute(f"ALTER TABLE pages ADD COLUMN {column}")
        _add_missing_job_columns(conn)
        _add_session_version_column(conn)
        conn.executescript(_SCHEMA)
        ensure_paper_tables(conn)
        if version == 1:
            for column in ("title", "date"):
                conn.execute(
                    "INSERT INTO extracted (doc_id, field, position, value, page, method) "
                    f"SELECT doc_id, '{column}', 0, {column}, 1, 'aus Katalogversion 1' "
                    f"FROM documents WHERE {column} != ''"
                )
                conn.execute(f"ALTER TABLE documents DROP COLUMN {column}")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _add_missing_job_columns(conn: sqlite3.Connection) -> None:
    present = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    if present:  # a jobs table from before version 4
        for column in _JOB_COLUMNS_V4:
            if column.split()[0] not in present:
                conn.execute(f"ALTER TABLE jobs ADD COLUMN {column}")


def _add_session_version_column(conn: sqlite3.Connection) -> None:
    present = {row[1] for row in conn.execute("PRAGMA table_info(users)")}
    if present and "session_version" not in present:  # a users table from before it
        conn.execute(f"ALTER TABLE users ADD COLUMN {_USER_SESSION_COLUMN}")
