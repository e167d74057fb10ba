"""The ingestion pipeline: detect, extract per page, clean, find metadata, hand to a sink.

Pages that need OCR are read by worker processes (``jobs``), several documents at a time;
this process assembles each document in input order and hands it to the ``DocumentSink``
(the data home's one write path). A file that cannot be ingested costs one failed result,
never the batch.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Protocol

from archive import Document, NewDocument, sha256_file
from common.errors import InputFileError, MissingDependencyError
from common.settings import Settings
from ingest.detect import HEAD_BYTES, IMAGE_TYPES, PDF, detect_media_type
from ingest.document import (
    PageProgress,
    PlannedDocument,
    assemble,
    check_readable,
    plan_document,
    read_here,
    use_layer,
)
from ingest.image import count_frames
from ingest.page_tasks import OcrOutcome, PageTask, init_worker, run_page_task
from ingest.pdf import read_pdf

log = logging.getLogger(__name__)
ADDED = "added"
DUPLICATE = "duplicate"
FAILED = "failed"


DOCUMENTS_IN_FLIGHT_PER_JOB = 2


@dataclass(frozen=True)
class IngestResult:
    """The outcome for one input file; serialised as one JSON line by ``ingest --json``.

    ``warnings`` names pages read with low confidence; ``job_id`` is set when the file was
    only queued (``ingest --queue``).
    """

    path: str
    status: str
    doc_id: str | None = None
    sha256: str | None = None
    pages: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    job_id: str | None = None


class DocumentSink(Protocol):
    """Where documents read here are written: the data home's one write path."""

    def known(self, sha256: str) -> Document | None:
        """The archived document with these bytes, if any."""

    def store(self, path: Path, new: NewDocument) -> Document:
        """Archive a document read from ``path``; it is indexed in the next commit."""

    def ensure_indexed(self, doc: Document) -> None:
        """Index an archived document a killed run left out of the index."""

    def commit_if_due(self) -> None:
        """Commit the index when enough documents wait."""


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


def ingest_paths(
    paths: Iterable[Path],
    settings: Settings,
    sink: DocumentSink,
    *,
    on_page: PageProgress | None = None,
) -> Iterator[IngestResult]:
    """Ingest files and folders, yielding one result per file in input order.

    Args:
        paths: files and folders.
        settings: limits and OCR options.
        sink: where the documents are written; the caller commits at the end.
        on_page: called with (file, pages done, pages in total) as pages are read.
    """
    files = list(iter_input_files(paths))
    if len(files) == 1 and _one_image_page(files[0]):
        # One scanned page is read here: a worker process would cost its start and imports
        # (about a second) and run nothing in parallel.
        settings = replace(settings, jobs=1)
    with _Ingestion(settings, sink, on_page) as ingestion:
        yield from ingestion.run(files)


def _one_image_page(path: Path) -> bool:
    """Whether a file is an image of a single frame (a file that cannot be read: no)."""
    try:
        with path.open("rb") as f:
            media_type = detect_media_type(f.read(HEAD_BYTES))
        return media_type in IMAGE_TYPES and count_frames(path) == 1
    except (InputFileError, OSError):
        return False


class _Ingestion:
    """One ingest run: a lazily started worker pool, documents finished in input order."""

    def __init__(
        self, settings: Settings, sink: DocumentSink, on_page: PageProgress | None = None
    ) -> None:
        self.sink = sink
        self.on_page = on_page
        self.settings = settings
        self.jobs = self.settings.jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._in_flight: set[str] = set()

    def __enter__(self) -> _Ingestion:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(self, files: Iterable[Path]) -> Iterator[IngestResult]:
        """Plan documents ahead (their OCR starts at once) and finish them in order."""
        window: deque[PlannedDocument | IngestResult] = deque()
        for path in files:
            window.append(self._plan(path))
            self._start_read_layers(window)
            while len(window) > self.jobs * DOCUMENTS_IN_FLIGHT_PER_JOB:
                yield self._finish(window.popleft())
        while window:
            yield self._finish(window.popleft())

    def _start_read_layers(self, window: Iterable[PlannedDocument | IngestResult]) -> None:
        """Submit the OCR pages of PDFs whose text layer a worker has read meanwhile."""
        for item in window:
            layer = item.layer if isinstance(item, PlannedDocument) else None
            if layer is not None and layer.done() and layer.exception() is None:
                self._start_pages(item)

    def _start_pages(self, planned: PlannedDocument) -> None:
        """Take a PDF's text layer (waiting for it) and submit the pages it lacks for OCR.

        Raises:
            InputFileError: the PDF cannot be read.
        """
        layer, planned.layer = planned.layer, None
        if layer is not None:
            use_layer(planned, layer.result(), self.settings, self._submit)

    def _submit(self, job: PageTask) -> Future[OcrOutcome]:
        """Hand a page to a worker; with one job, read it right here (no process to start)."""
        if self.jobs == 1:
            return read_here(job)
        return self._workers().submit(run_page_task, job)

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=get_context("forkserver"), initializer=init_worker
            )
        return self._pool

    def _plan(self, path: Path) -> PlannedDocument | IngestResult:
        try:
            check_readable(path, self.settings)
            sha256 = sha256_file(path)
            existing = self.sink.known(sha256)
            if existing is not None:
                return self._duplicate(path, existing)
            if sha256 in self._in_flight:  # the same bytes earlier in this batch
                return PlannedDocument(path, sha256, "", texts=[])
            with path.open("rb") as f:
                media_type = detect_media_type(f.read(HEAD_BYTES))
            if media_type == PDF and self.jobs > 1:
                # pdfplumber is most of a born-digital PDF's cost: read layers in parallel too.
                planned = PlannedDocument(path, sha256, media_type, texts=[])
                planned.layer = self._workers().submit(
                    read_pdf, path, min_chars=self.settings.min_page_chars,
                    max_pages=self.settings.max_pages,
                )  # fmt: skip
            else:
                planned = plan_document(path, sha256, media_type, self.settings, self._submit)
            self._in_flight.add(sha256)
            return planned
        except InputFileError as e:
            return IngestResult(path=str(path), status=FAILED, error=e.message)
        except MissingDependencyError:
            raise
        except Exception as e:  # noqa: BLE001 - one file's unforeseen failure, not the batch's
            return unexpected_failure(path, e)

    def _duplicate(self, path: Path, doc: Document) -> IngestResult:
        """A known file; if a killed run left it out of the index, it is indexed now."""
        self.sink.ensure_indexed(doc)
        return _result(path, DUPLICATE, doc)

    def _finish(self, item: PlannedDocument | IngestResult) -> IngestResult:
        if isinstance(item, IngestResult):
            self.sink.commit_if_due()
            return item
        earlier = self.sink.known(item.sha256)
        if earlier is not None:  # an identical file earlier in this batch was stored
            return _result(item.path, DUPLICATE, earlier)
        if not item.media_type:
            error = "gleicher Inhalt wie eine frühere Datei dieses Stapels, die scheiterte"
            return IngestResult(path=str(item.path), status=FAILED, error=error)
        try:
            self._start_pages(item)
            new, warnings = assemble(item, self.settings, self.on_page)
        except InputFileError as e:
            return IngestResult(path=str(item.path), status=FAILED, error=e.message)
        except MissingDependencyError:
            raise
        except Exception as e:  # noqa: BLE001 - one file's unforeseen failure, not the batch's
            return unexpected_failure(item.path, e)
        doc = self.sink.store(item.path, new)
        self.sink.commit_if_due()
        return _result(item.path, ADDED, doc, warnings)


def unexpected_failure(path: Path, error: Exception) -> IngestResult:
    """A failure nobody foresaw while reading one file: it fails, with its detail in the log."""
    log.info("%s: unerwarteter Fehler", path, exc_info=error)
    message = "Datei nicht lesbar (unerwarteter Fehler; Einzelheiten mit --verbose)."
    return IngestResult(path=str(path), status=FAILED, error=message)


def _result(path: Path, status: str, doc: Document, warnings: tuple[str, ...] = ()) -> IngestResult:
    return IngestResult(
        path=str(path),
        status=status,
        doc_id=doc.doc_id,
        sha256=doc.sha256,
        pages=doc.page_count,
        warnings=warnings,
    )
