"""Value objects the archive hands out: a document's catalog record and its pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """The extracted text of one page.

    Attributes:
        number: 1-based page number within the document.
        text: cleaned text as indexed and shown.
        method: how the text was obtained: ``text`` (text file), ``pdf`` (text layer) or ``ocr``.
    """

    number: int
    text: str
    method: str


@dataclass(frozen=True)
class NewDocument:
    """What ingestion hands to the archive for one file.

    Attributes:
        sha256: hex digest of the original bytes; the archive's content address.
        original_name: file name as uploaded (base name only, never a path).
        media_type: detected MIME type, by content.
        size: size of the original in bytes.
        title: extracted title, or empty.
        date: document date as ISO ``YYYY-MM-DD``, or empty when none was found.
        pages: the extracted pages, in order.
    """

    sha256: str
    original_name: str
    media_type: str
    size: int
    title: str
    date: str
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Document:
    """A document's catalog record.

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
    """

    doc_id: str
    sha256: str
    original_name: str
    media_type: str
    size: int
    ingested_at: str
    page_count: int
    title: str
    date: str
