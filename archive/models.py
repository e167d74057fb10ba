"""Value objects the archive hands out: documents, pages, extracted fields and corrections."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now() -> str:
    """The time now as the catalog records it: UTC, ISO 8601, whole seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Page:
    """The extracted text of one page.

    Attributes:
        number: 1-based page number within the document.
        text: cleaned text as indexed and shown.
        method: how the text was obtained: ``text`` (text file), ``pdf`` (text layer) or ``ocr``.
        raw: Tesseract's output before clean-up (OCR pages only).
        confidence: mean OCR word confidence 0-100; -1 where no OCR was done or no word found.
        rotation: degrees the scan was turned to read it upright.
        problem: what went wrong reading this page (OCR aborted, low confidence), or empty.
    """

    number: int
    text: str
    method: str
    raw: str = ""
    confidence: float = -1.0
    rotation: int = 0
    problem: str = ""


@dataclass(frozen=True)
class NewDerivative:
    """A file made from the original (searchable PDF, OCR word boxes), to be stored beside it.

    Attributes:
        kind: ``searchable_pdf`` or ``ocr_words``.
        media_type: its MIME type.
        data: its bytes.
    """

    kind: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Derivative:
    """A stored derivative of a document.

    Attributes:
        kind: ``searchable_pdf`` or ``ocr_words``.
        media_type: its MIME type.
        sha256: hex digest; its content address in the derivatives store.
        size: bytes.
    """

    kind: str
    media_type: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ExtractedValue:
    """One value the machine found, with its source; kept even when corrected.

    Attributes:
        field: metadata field (see ``common.fields``).
        value: canonical value.
        page: page it was found on; 0 for the file's own properties.
        method: how it was found.
        text: spelling found in the document, where it differs.
        kind: sub-kind of reference numbers.
    """

    field: str
    value: str
    page: int
    method: str
    text: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Correction:
    """One change an archivist made to a field.

    Attributes:
        field: metadata field.
        old: value before the change (a string, or a list for list fields).
        new: value after it.
        editor: who made it.
        at: UTC time, ISO 8601.
    """

    field: str
    old: str | list[str]
    new: str | list[str]
    editor: str
    at: str


@dataclass(frozen=True)
class NewDocument:
    """What ingestion hands to the archive for one file.

    Attributes:
        sha256: hex digest of the original bytes; the archive's content address.
        original_name: file name as uploaded (base name only, never a path).
        media_type: detected MIME type, by content.
        size: size of the original in bytes.
        pages: the extracted pages, in order.
        extracted: every metadata value found, with its source.
    """

    sha256: str
    original_name: str
    media_type: str
    size: int
    pages: tuple[Page, ...]
    extracted: tuple[ExtractedValue, ...] = ()
    derivatives: tuple[NewDerivative, ...] = ()


@dataclass(frozen=True)
class Document:
    """A document's catalog record with its effective (corrected where corrected) metadata.

    Attributes:
        doc_id: stable archive id (first 16 hex digits of the SHA-256).
        sha256: hex digest of the original bytes.
        original_name: file name as first ingested.
        media_type: detected MIME type.
        size: size of the original in bytes.
        ingested_at: UTC time of ingestion, ISO 8601.
        page_count: number of pages.
        title: title, or empty.
        date: document date as ISO ``YYYY-MM-DD``, or empty.
        doc_type: type key (``memo``, ``press_release`` …).
        issuer: issuing body, or empty.
        note: the archivists' note, or empty.
        withdrawn: reason the document was withdrawn from search, or empty.
        withdrawn_readable: a withdrawn document stays readable by id for everyone (a
            superseded version, a duplicate); otherwise only archivists read it (personal
            data, a legal hold).
        lists: the list fields (dates, references, persons, places) by name.
        corrected: names of the fields an archivist corrected.
    """

    doc_id: str
    sha256: str
    original_name: str
    media_type: str
    size: int
    ingested_at: str
    page_count: int
    title: str = ""
    date: str = ""
    doc_type: str = ""
    issuer: str = ""
    note: str = ""
    withdrawn: str = ""
    withdrawn_readable: bool = False
    lists: dict[str, list[str]] = field(default_factory=dict)
    corrected: frozenset[str] = frozenset()

    def field_values(self) -> dict[str, str | list[str]]:
        """The effective value of every metadata field, by its field name (``type`` …)."""
        return {
            "title": self.title,
            "date": self.date,
            "type": self.doc_type,
            "issuer": self.issuer,
            "note": self.note,
            **self.lists,
        }


@dataclass(frozen=True)
class User:
    """An account of the web app.

    Attributes:
        name: login name.
        role: ``archivar`` (upload, edit, withdraw) or ``leser`` (search, read, cite).
        password_hash: Argon2 hash of the password.
        token_hash: SHA-256 of the API token, or empty when the user has none.
        created_at: UTC time, ISO 8601.
    """

    name: str
    role: str
    password_hash: str
    token_hash: str
    created_at: str


@dataclass(frozen=True)
class Job:
    """An uploaded file waiting for, in, or done with ingestion.

    Attributes:
        job_id: random id.
        file_name: the uploaded file's name.
        inbox_path: where the upload waits, inside the data home.
        metadata: what the uploader said about it (type, issuer, date, note).
        status: ``queued``, ``processing``, ``done`` or ``failed``.
        submitted_by: user name.
        submitted_at: UTC time, ISO 8601.
        updated_at: UTC time of the last change.
        pages_done: pages read so far.
        pages_total: pages to read (0 while unknown).
        doc_id: the document, once ingested.
        error: why it failed, in words an archivist understands.
        batch: jobs submitted together share it (one upload, one ``ingest --queue``).
        attempts: how often a worker took the job up.
        worker: the worker that last took it up.
        started_at: when a worker first took it up (UTC, ISO 8601; empty while queued).
        finished_at: when it was done or failed.
    """

    job_id: str
    file_name: str
    inbox_path: str
    metadata: dict
    status: str
    submitted_by: str
    submitted_at: str
    updated_at: str
    pages_done: int = 0
    pages_total: int = 0
    doc_id: str = ""
    error: str = ""
    batch: str = ""
    attempts: int = 0
    worker: str = ""
    started_at: str = ""
    finished_at: str = ""

    def public_fields(self) -> dict[str, Any]:
        """The job as the CLI and the API show it: all but the inbox path, a server detail."""
        fields = asdict(self)
        del fields["inbox_path"]
        return fields


@dataclass(frozen=True)
class JobBatch:
    """Progress of jobs submitted together."""

    batch: str
    jobs: int
    done: int
    failed: int
    pages_done: int
    pages_total: int
    submitted_at: str
    started_at: str
    finished_at: str
