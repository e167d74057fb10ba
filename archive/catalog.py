"""The SQLite catalog of documents, pages, extracted values and corrections.

With ``schema``, ``accounts_table``, ``jobs_table`` and ``same_text_table`` it holds every SQL
statement of Findbuch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from archive.accounts_table import AccountsTable
from archive.jobs_table import JobsTable
from archive.models import (
    Correction,
    Derivative,
    Document,
    ExtractedValue,
    NewDocument,
    Page,
    utc_now,
)
from archive.papers import apply_stated, stated_values
from archive.same_text_table import SameTextTable
from archive.schema import connect
from common.fields import LIST_FIELDS, SINGLE_FIELDS

# Withdrawal is recorded like a correction of this pseudo-field: its value is the reason.
WITHDRAWN = "withdrawn"
# Recorded with a withdrawal: "ja" when the document stays readable by id (models.Document).
WITHDRAWN_READABLE = "withdrawn_readable"
READABLE = "ja"

_DOC_COLUMNS = "doc_id, sha256, original_name, media_type, size, ingested_at, page_count"
_PAGE_COLUMNS = "number, text, method, raw, confidence, rotation, problem"


def doc_id_for(sha256: str) -> str:
    """The archive id of a document: stable across homes, exports and re-indexing."""
    return sha256[:16]


class Catalog(AccountsTable, JobsTable, SameTextTable):
    """Documents, page texts, extracted metadata and corrections.

    Readers open it read-only; all writes go through one writable connection.
    """

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self._conn = connect(path, readonly=readonly)

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
                    ingested_at or utc_now(),
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
            if name in LIST_FIELDS  # not the facts stated for the index only (archive.papers)
        }
        return Document(
            *row,
            title=single["title"],
            date=single["date"],
            doc_type=single["type"],
            issuer=single["issuer"],
            note=single["note"],
            withdrawn=single_value(latest.get(WITHDRAWN, "")),
            withdrawn_readable=bool(single_value(latest.get(WITHDRAWN_READABLE, ""))),
            lists=lists,
            corrected=frozenset(latest) - {WITHDRAWN, WITHDRAWN_READABLE},
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
            **doc.field_values(),
            WITHDRAWN: doc.withdrawn,
            WITHDRAWN_READABLE: READABLE if doc.withdrawn_readable else "",
        }
        at = utc_now()
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


def single_value(value: str | list[str]) -> str:
    """A correction's value as a single string."""
    return value if isinstance(value, str) else "; ".join(value)
