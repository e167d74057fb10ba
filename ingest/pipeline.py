"""The ingestion pipeline: detect, extract per page, clean, find metadata, archive, index."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from archive import Document, ExtractedValue, NewDocument, Page, sha256_file
from findbuch.errors import InputFileError
from findbuch.home import Home, index_document
from findbuch.settings import Settings
from index import IndexDocument
from ingest.cleanup import clean_page_text
from ingest.detect import HEAD_BYTES, IMAGE_TYPES, PDF, TEXT, detect_media_type
from ingest.found import Found
from ingest.image import iter_image_pages
from ingest.metadata import Metadata, extract_metadata
from ingest.ocr import ocr_image
from ingest.pdf import extract_pdf
from ingest.plaintext import decode_text, split_text_pages

ADDED = "added"
DUPLICATE = "duplicate"
FAILED = "failed"
# Index writes are batched: one commit costs 0.3-0.5 s (research/whoosh.md), so commit every
# this many documents or seconds. A crash in between is mended by the next run (see ingest_file).
COMMIT_EVERY_DOCS = 25
COMMIT_EVERY_S = 30.0


@dataclass(frozen=True)
class IngestResult:
    """The outcome for one input file; serialised as one JSON line by ``ingest --json``."""

    path: str
    status: str
    doc_id: str | None = None
    sha256: str | None = None
    pages: int = 0
    error: str | None = None


@dataclass(frozen=True)
class _Extracted:
    media_type: str
    pages: tuple[Page, ...]
    pdf_title: str = ""
    pdf_author: str = ""


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files below folders named (recursively, sorted, hidden ones skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield child
        else:
            yield path


def ingest_paths(paths: Iterable[Path], home: Home) -> Iterator[IngestResult]:
    """Ingest files and folders, yielding one result per file; a bad file never stops the batch."""
    pending: list[IndexDocument] = []
    last_commit = time.monotonic()
    try:
        for path in iter_input_files(paths):
            result, indexable = _ingest_one(path, home)
            if indexable is not None:
                pending.append(indexable)
            if len(pending) >= COMMIT_EVERY_DOCS or time.monotonic() - last_commit > COMMIT_EVERY_S:
                _commit(home, pending)
                last_commit = time.monotonic()
            yield result
    finally:
        _commit(home, pending)


def _commit(home: Home, pending: list[IndexDocument]) -> None:
    if pending:
        with home.index.writer() as writer:
            for doc in pending:
                writer.add(doc)
        pending.clear()


def _ingest_one(path: Path, home: Home) -> tuple[IngestResult, IndexDocument | None]:
    try:
        return ingest_file(path, home)
    except InputFileError as e:
        return IngestResult(path=str(path), status=FAILED, error=e.message), None


def ingest_file(path: Path, home: Home) -> tuple[IngestResult, IndexDocument | None]:
    """Ingest one file; returns its result and what must go into the index, if anything.

    A duplicate whose index entry is missing (a run killed before its index commit) is handed
    back for indexing, so running an interrupted ingest again completes it.

    Raises:
        InputFileError: the file cannot be ingested; nothing of it was stored.
    """
    _check_readable(path, home.settings)
    sha256 = sha256_file(path)
    existing = home.archive.catalog.get_by_sha256(sha256)
    if existing is not None:
        missing = not home.index.has_document(existing.doc_id)
        pages = home.archive.catalog.pages(existing.doc_id) if missing else []
        return (
            _result(path, DUPLICATE, existing),
            index_document(existing, pages) if missing else None,
        )
    extracted = extract_pages(path, home.settings)
    texts = [p.text for p in extracted.pages]
    meta = extract_metadata(texts, pdf_title=extracted.pdf_title, pdf_author=extracted.pdf_author)
    new = NewDocument(
        sha256=sha256,
        original_name=printable_name(path),
        media_type=extracted.media_type,
        size=path.stat().st_size,
        pages=extracted.pages,
        extracted=extracted_values(meta),
    )
    doc = home.archive.add(path, new)
    return _result(path, ADDED, doc), index_document(doc, list(extracted.pages))


def _result(path: Path, status: str, doc: Document) -> IngestResult:
    return IngestResult(
        path=str(path), status=status, doc_id=doc.doc_id, sha256=doc.sha256, pages=doc.page_count
    )


def extracted_values(meta: Metadata) -> tuple[ExtractedValue, ...]:
    """Every value found, as the archive records it, field by field."""
    by_field: dict[str, tuple[Found | None, ...]] = {
        "type": (meta.doc_type,),
        "issuer": (meta.issuer,),
        "title": (meta.title,),
        "date": (meta.date,),
        "dates": meta.dates,
        "references": meta.references,
        "persons": meta.persons,
        "places": meta.places,
    }
    return tuple(
        ExtractedValue(name, f.value, f.page, f.method, f.text, f.kind)
        for name, found in by_field.items()
        for f in found
        if f is not None
    )


def printable_name(path: Path) -> str:
    """The file name as recorded: control characters and the like removed."""
    return "".join(c for c in path.name if c.isprintable()) or "unbenannt"


def _check_readable(path: Path, settings: Settings) -> None:
    if not path.exists():
        raise InputFileError("Datei nicht gefunden.")
    if not path.is_file():
        raise InputFileError("Keine reguläre Datei.")
    size = path.stat().st_size
    if size > settings.max_file_mb * 1024 * 1024:
        raise InputFileError(f"Datei ist größer als {settings.max_file_mb} MB.")


def extract_pages(path: Path, settings: Settings) -> _Extracted:
    """Detect the type by content and extract the cleaned text of every page.

    Raises:
        InputFileError: unsupported, corrupt, encrypted or unreadable.
    """
    with path.open("rb") as f:
        media_type = detect_media_type(f.read(HEAD_BYTES))
    read_image = partial(ocr_image, languages=settings.ocr_languages, timeout=settings.ocr_timeout)
    pdf_title = pdf_author = ""
    if media_type == TEXT:
        raw = [(text, "text") for text in split_text_pages(decode_text(path.read_bytes()))]
    elif media_type == PDF:
        pdf = extract_pdf(path, ocr_page=read_image, min_chars=settings.min_page_chars)
        raw, pdf_title, pdf_author = list(pdf.pages), pdf.title, pdf.author
    elif media_type in IMAGE_TYPES:
        raw = [(read_image(image), "ocr") for image in iter_image_pages(path)]
    else:  # detect_media_type only returns supported types
        raise InputFileError(f"Dateityp {media_type} wird nicht unterstützt.")
    pages = tuple(
        Page(number=i, text=clean_page_text(text), method=method)
        for i, (text, method) in enumerate(raw, start=1)
    )
    return _Extracted(media_type, pages, pdf_title=pdf_title, pdf_author=pdf_author)
