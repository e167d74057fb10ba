"""The ingestion pipeline: detect, extract per page, clean, find metadata, archive, index.

Pages that need OCR are read by worker processes (``jobs``), several documents at a time;
this process is the single writer: it assembles each document in input order, stores it and
indexes it. A file that cannot be ingested costs one failed result, never the batch.
"""

from __future__ import annotations

import gzip
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from pypdf.errors import PyPdfError

from archive import Document, ExtractedValue, NewDerivative, NewDocument, Page, sha256_file
from findbuch.errors import InputFileError
from findbuch.home import Home, index_document
from findbuch.settings import Settings
from index import IndexDocument
from ingest.cleanup import clean_page_text
from ingest.detect import HEAD_BYTES, IMAGE_TYPES, PDF, TEXT, detect_media_type
from ingest.found import Found
from ingest.image import count_frames
from ingest.jobs import IMAGE_FRAME, PDF_PAGE, OcrJob, OcrOutcome, init_worker, run_ocr_job
from ingest.metadata import Metadata, extract_metadata
from ingest.pdf import PdfLayer, read_pdf
from ingest.plaintext import decode_text, split_text_pages
from ingest.quality import ocr_problem
from ingest.searchable import searchable_pdf

ADDED = "added"
DUPLICATE = "duplicate"
FAILED = "failed"
SEARCHABLE_PDF = "searchable_pdf"
OCR_WORDS = "ocr_words"
# Index writes are batched: one commit costs 0.3-0.5 s (research/whoosh.md), so commit every
# this many documents or seconds. A crash in between is mended by the next run (see _plan).
COMMIT_EVERY_DOCS = 25
COMMIT_EVERY_S = 30.0
# Documents being read at once, per worker: enough to keep every core busy between documents.
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


@dataclass
class _Planned:
    """A document whose pages are being read: text pages at hand, OCR pages in flight."""

    path: Path
    sha256: str
    media_type: str
    texts: list[tuple[str, str] | None]
    ocr: dict[int, Future[OcrOutcome]] = field(default_factory=dict)
    pdf_title: str = ""
    pdf_author: str = ""
    layer: Future[PdfLayer] | None = None  # a PDF's text layer, being read by a worker


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


PageProgress = Callable[[Path, int, int], None]


def ingest_paths(
    paths: Iterable[Path], home: Home, *, on_page: PageProgress | None = None
) -> Iterator[IngestResult]:
    """Ingest files and folders, yielding one result per file in input order.

    Args:
        paths: files and folders.
        home: the data home to write to.
        on_page: called with (file, pages done, pages in total) as pages are read.
    """
    with _Ingestion(home, on_page) as ingestion:
        yield from ingestion.run(iter_input_files(paths))


class _Ingestion:
    """One ingest run: a lazily started worker pool and the batched index writes."""

    def __init__(self, home: Home, on_page: PageProgress | None = None) -> None:
        self.home = home
        self.on_page = on_page
        self.settings = home.settings
        self.jobs = self.settings.jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._pending_index: list[IndexDocument] = []
        self._in_flight: set[str] = set()
        self._last_commit = time.monotonic()

    def __enter__(self) -> _Ingestion:
        return self

    def __exit__(self, *exc: object) -> None:
        self._commit()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(self, files: Iterable[Path]) -> Iterator[IngestResult]:
        """Plan documents ahead (their OCR starts at once) and finish them in order."""
        window: deque[_Planned | IngestResult] = deque()
        for path in files:
            window.append(self._plan(path))
            self._start_read_layers(window)
            while len(window) > self.jobs * DOCUMENTS_IN_FLIGHT_PER_JOB:
                yield self._finish(window.popleft())
        while window:
            yield self._finish(window.popleft())

    def _start_read_layers(self, window: Iterable[_Planned | IngestResult]) -> None:
        """Submit the OCR pages of PDFs whose text layer a worker has read meanwhile."""
        for item in window:
            layer = item.layer if isinstance(item, _Planned) else None
            if layer is not None and layer.done() and layer.exception() is None:
                self._start_pages(item)

    def _start_pages(self, planned: _Planned) -> None:
        """Take a PDF's text layer (waiting for it) and submit the pages it lacks for OCR.

        Raises:
            InputFileError: the PDF cannot be read.
        """
        layer, planned.layer = planned.layer, None
        if layer is not None:
            use_layer(planned, layer.result(), self.settings, self._submit)

    def _submit(self, job: OcrJob) -> Future[OcrOutcome]:
        """Hand a page to a worker; with one job, read it right here (no process to start)."""
        if self.jobs == 1:
            return read_here(job)
        return self._workers().submit(run_ocr_job, job)

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=get_context("forkserver"), initializer=init_worker
            )
        return self._pool

    def _plan(self, path: Path) -> _Planned | IngestResult:
        try:
            check_readable(path, self.settings)
            sha256 = sha256_file(path)
            existing = self.home.archive.catalog.get_by_sha256(sha256)
            if existing is not None:
                return self._duplicate(path, existing)
            if sha256 in self._in_flight:  # the same bytes earlier in this batch
                return _Planned(path, sha256, "", texts=[])
            with path.open("rb") as f:
                media_type = detect_media_type(f.read(HEAD_BYTES))
            if media_type == PDF and self.jobs > 1:
                # pdfplumber is most of a born-digital PDF's cost: read layers in parallel too.
                planned = _Planned(path, sha256, media_type, texts=[])
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

    def _duplicate(self, path: Path, doc: Document) -> IngestResult:
        """A known file; if a killed run left it out of the index, it is indexed now."""
        if not self.home.index.has_document(doc.doc_id) and not doc.withdrawn:
            self._pending_index.append(index_document(doc, self.home.pages(doc.doc_id)))
        return _result(path, DUPLICATE, doc)

    def _finish(self, item: _Planned | IngestResult) -> IngestResult:
        if isinstance(item, IngestResult):
            self._maybe_commit()
            return item
        earlier = self.home.archive.catalog.get_by_sha256(item.sha256)
        if earlier is not None:  # an identical file earlier in this batch was stored
            return _result(item.path, DUPLICATE, earlier)
        if not item.media_type:
            error = "gleicher Inhalt wie eine frühere Datei dieses Stapels, die scheiterte"
            return IngestResult(path=str(item.path), status=FAILED, error=error)
        try:
            self._start_pages(item)
            new, warnings = _assemble(item, self.settings, self.on_page)
        except InputFileError as e:
            return IngestResult(path=str(item.path), status=FAILED, error=e.message)
        doc = self.home.archive.add(item.path, new)
        self._pending_index.append(index_document(doc, list(new.pages)))
        self._maybe_commit()
        return _result(item.path, ADDED, doc, warnings)

    def _maybe_commit(self) -> None:
        due = time.monotonic() - self._last_commit > COMMIT_EVERY_S
        if len(self._pending_index) >= COMMIT_EVERY_DOCS or due:
            self._commit()

    def _commit(self) -> None:
        if self._pending_index:
            with self.home.index.writer() as writer:
                for doc in self._pending_index:
                    writer.add(doc)
            self._pending_index.clear()
        self._last_commit = time.monotonic()


def read_here(job: OcrJob) -> Future[OcrOutcome]:
    """Run an OCR job in this process, as a completed future."""
    done: Future[OcrOutcome] = Future()
    done.set_result(run_ocr_job(job))
    return done


def plan_document(
    path: Path,
    sha256: str,
    media_type: str,
    settings: Settings,
    submit: Callable[[OcrJob], Future[OcrOutcome]],
) -> _Planned:
    """Take the pages at hand (text, PDF text layers) and submit the others for OCR.

    Raises:
        InputFileError: the file cannot be read.
    """
    planned = _Planned(path, sha256, media_type, texts=[])
    if media_type == TEXT:
        pages = split_text_pages(decode_text(path.read_bytes()))
        planned.texts = [(text, "text") for text in pages]
    elif media_type == PDF:
        layer = read_pdf(path, min_chars=settings.min_page_chars, max_pages=settings.max_pages)
        use_layer(planned, layer, settings, submit)
        return planned
    elif media_type in IMAGE_TYPES:
        planned.texts = [None] * count_frames(path)
    _submit_ocr(planned, IMAGE_FRAME, settings, submit)
    return planned


def use_layer(
    planned: _Planned,
    layer: PdfLayer,
    settings: Settings,
    submit: Callable[[OcrJob], Future[OcrOutcome]],
) -> None:
    """A PDF's pages from its text layer; the pages without a usable one go to OCR."""
    planned.texts = [(t, "pdf") if t is not None else None for t in layer.pages]
    planned.pdf_title, planned.pdf_author = layer.title, layer.author
    _submit_ocr(planned, PDF_PAGE, settings, submit)


def _submit_ocr(
    planned: _Planned,
    source: str,
    settings: Settings,
    submit: Callable[[OcrJob], Future[OcrOutcome]],
) -> None:
    for index, text in enumerate(planned.texts):
        if text is None:
            job = OcrJob(
                planned.path, source, index, settings.ocr_languages, settings.ocr_timeout,
                settings.ocr_dpi,
            )  # fmt: skip
            planned.ocr[index] = submit(job)


def extract_pages(path: Path, settings: Settings) -> NewDocument:
    """Read one file into a document without storing it (stage tests, benchmarks).

    Raises:
        InputFileError: the file cannot be read.
    """
    return read_document(path, settings)[0]


def read_document(
    path: Path, settings: Settings, on_page: PageProgress | None = None
) -> tuple[NewDocument, tuple[str, ...]]:
    """Read one file into a document and its warnings, OCR in this process (queue workers).

    Raises:
        InputFileError: the file cannot be read.
    """
    check_readable(path, settings)
    with path.open("rb") as f:
        media_type = detect_media_type(f.read(HEAD_BYTES))
    deferred: list[tuple[OcrJob, Future[OcrOutcome]]] = []

    def defer(job: OcrJob) -> Future[OcrOutcome]:
        deferred.append((job, Future()))
        return deferred[-1][1]

    planned = plan_document(path, sha256_file(path), media_type, settings, defer)
    total = len(planned.texts)
    for done, (job, future) in enumerate(deferred, start=total - len(deferred) + 1):
        future.set_result(run_ocr_job(job))
        if on_page:
            on_page(path, done, total)
    return _assemble(planned, settings)


def _assemble(
    planned: _Planned, settings: Settings, on_page: PageProgress | None = None
) -> tuple[NewDocument, tuple[str, ...]]:
    """The document from its pages (waiting for OCR), metadata and derivatives.

    Raises:
        InputFileError: a page could not be read (named); nothing of the file is stored.
    """
    total = len(planned.texts)
    outcomes = {}
    for done, (index, future) in enumerate(planned.ocr.items(), start=total - len(planned.ocr) + 1):
        outcomes[index] = future.result()
        if on_page:
            on_page(planned.path, done, total)
    failed = [o for o in outcomes.values() if o.error]
    if failed:
        first = failed[0]
        raise InputFileError(f"Seite {first.job.index + 1}: {first.error}")
    pages = tuple(
        _page(number, planned.texts[number - 1], outcomes.get(number - 1), settings)
        for number in range(1, len(planned.texts) + 1)
    )
    meta = extract_metadata(
        [p.text for p in pages], pdf_title=planned.pdf_title, pdf_author=planned.pdf_author
    )
    derivatives, derivative_warnings = _derivatives(planned, outcomes)
    new = NewDocument(
        sha256=planned.sha256,
        original_name=printable_name(planned.path),
        media_type=planned.media_type,
        size=planned.path.stat().st_size,
        pages=pages,
        extracted=extracted_values(meta),
        derivatives=derivatives,
    )
    warnings = tuple(f"Seite {p.number}: {p.problem}" for p in pages if p.problem)
    return new, warnings + derivative_warnings


def _page(
    number: int, text: tuple[str, str] | None, outcome: OcrOutcome | None, settings: Settings
) -> Page:
    if text is not None:
        return Page(number=number, text=clean_page_text(text[0]), method=text[1])
    ocr = outcome.page
    cleaned = clean_page_text(ocr.text)
    problem = ocr_problem(ocr, cleaned, settings.low_confidence)
    return Page(
        number=number,
        text=cleaned,
        method="ocr",
        raw=ocr.text,
        confidence=ocr.confidence,
        rotation=ocr.rotation,
        problem=problem,
    )


def _derivatives(
    planned: _Planned, outcomes: dict[int, OcrOutcome]
) -> tuple[tuple[NewDerivative, ...], tuple[str, ...]]:
    """A searchable PDF and the OCR word boxes for documents with OCR'd pages, and warnings.

    A damaged PDF that pdfplumber could read but pypdf cannot copy pages from keeps its text
    and word boxes; only the searchable PDF is left out (found by bench/fuzz.py).
    """
    if not outcomes:
        return (), ()
    layers = [outcomes[i].page if i in outcomes else None for i in range(len(planned.texts))]
    words = "".join(
        "".join(f"{i + 1}\t{line}\n" for line in outcomes[i].page.words_tsv.splitlines()[1:])
        for i in sorted(outcomes)
    )
    header = "page\tlevel\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\t"
    header += "height\tconf\ttext\n"
    words_derivative = NewDerivative(
        OCR_WORDS, "application/gzip", gzip.compress((header + words).encode())
    )
    try:
        pdf = searchable_pdf(layers, planned.path, is_pdf=planned.media_type == PDF)
    except PyPdfError as e:
        warning = f"kein durchsuchbares PDF: das Original lässt sich nicht kopieren ({e})"
        return (words_derivative,), (warning,)
    return (NewDerivative(SEARCHABLE_PDF, "application/pdf", pdf), words_derivative), ()


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


def _result(path: Path, status: str, doc: Document, warnings: tuple[str, ...] = ()) -> IngestResult:
    return IngestResult(
        path=str(path),
        status=status,
        doc_id=doc.doc_id,
        sha256=doc.sha256,
        pages=doc.page_count,
        warnings=warnings,
    )


def printable_name(path: Path) -> str:
    """The file name as recorded: control characters and the like removed."""
    return "".join(c for c in path.name if c.isprintable()) or "unbenannt"


def check_readable(path: Path, settings: Settings) -> None:
    """Refuse what is not a regular file or is too large, before reading it.

    Raises:
        InputFileError: the reason, in German.
    """
    if not path.exists():
        raise InputFileError("Datei nicht gefunden.")
    if not path.is_file():
        raise InputFileError("Keine reguläre Datei.")
    size = path.stat().st_size
    if size > settings.max_file_mb * 1024 * 1024:
        raise InputFileError(f"Datei ist größer als {settings.max_file_mb} MB.")
