"""One file read into a document: its pages at hand or sent to OCR, then assembled.

A planned document holds the pages already read (text files, PDF text layers) and the OCR
pages in flight; ``assemble`` waits for them and adds metadata and derivatives. Nothing here
writes to the archive.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from archive import ExtractedValue, NewDerivative, NewDocument, Page, sha256_file
from common.errors import InputFileError
from common.settings import Settings
from ingest.cleanup import clean_page_text
from ingest.detect import HEAD_BYTES, IMAGE_TYPES, PDF, TEXT, detect_media_type
from ingest.found import Found
from ingest.image import count_frames
from ingest.metadata import Metadata, extract_metadata
from ingest.page_tasks import IMAGE_FRAME, PDF_PAGE, OcrOutcome, PageTask, read_page_here
from ingest.pdf import PdfLayer, read_pdf
from ingest.plaintext import decode_text, split_text_pages
from ingest.quality import ocr_problem
from ingest.searchable import SearchablePdfError, searchable_pdf

SEARCHABLE_PDF = "searchable_pdf"
OCR_WORDS = "ocr_words"


PageProgress = Callable[[Path, int, int], None]


@dataclass
class PlannedDocument:
    """A document whose pages are being read: text pages at hand, OCR pages in flight."""

    path: Path
    sha256: str
    media_type: str
    texts: list[tuple[str, str] | None]
    ocr: dict[int, Future[OcrOutcome]] = field(default_factory=dict)
    pdf_title: str = ""
    pdf_author: str = ""
    layer: Future[PdfLayer] | None = None  # a PDF's text layer, being read by a worker


def read_here(job: PageTask) -> Future[OcrOutcome]:
    """Run an OCR job in this process, as a completed future."""
    done: Future[OcrOutcome] = Future()
    done.set_result(read_page_here(job))
    return done


def plan_document(
    path: Path,
    sha256: str,
    media_type: str,
    settings: Settings,
    submit: Callable[[PageTask], Future[OcrOutcome]],
) -> PlannedDocument:
    """Take the pages at hand (text, PDF text layers) and submit the others for OCR.

    Raises:
        InputFileError: the file cannot be read.
    """
    planned = PlannedDocument(path, sha256, media_type, texts=[])
    if media_type == TEXT:
        pages = split_text_pages(decode_text(path.read_bytes()))
        planned.texts = [(text, "text") for text in pages]
    elif media_type == PDF:
        layer = read_pdf(path, min_chars=settings.min_page_chars, max_pages=settings.max_pages)
        use_layer(planned, layer, settings, submit)
        return planned
    elif media_type in IMAGE_TYPES:
        planned.texts = [None] * count_frames(path)
    if len(planned.texts) > settings.max_pages:
        raise InputFileError(
            f"Datei hat {len(planned.texts):,} Seiten; höchstens {settings.max_pages:,} werden "
            "angenommen (Einstellung max_pages)."
        )
    _submit_ocr(planned, IMAGE_FRAME, settings, submit)
    return planned


def use_layer(
    planned: PlannedDocument,
    layer: PdfLayer,
    settings: Settings,
    submit: Callable[[PageTask], Future[OcrOutcome]],
) -> None:
    """A PDF's pages from its text layer; the pages without a usable one go to OCR."""
    planned.texts = [(t, "pdf") if t is not None else None for t in layer.pages]
    planned.pdf_title, planned.pdf_author = layer.title, layer.author
    _submit_ocr(planned, PDF_PAGE, settings, submit)


def _submit_ocr(
    planned: PlannedDocument,
    source: str,
    settings: Settings,
    submit: Callable[[PageTask], Future[OcrOutcome]],
) -> None:
    for index, text in enumerate(planned.texts):
        if text is None:
            job = PageTask(
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
    deferred: list[tuple[PageTask, Future[OcrOutcome]]] = []

    def defer(job: PageTask) -> Future[OcrOutcome]:
        deferred.append((job, Future()))
        return deferred[-1][1]

    planned = plan_document(path, sha256_file(path), media_type, settings, defer)
    total = len(planned.texts)
    for done, (job, future) in enumerate(deferred, start=total - len(deferred) + 1):
        future.set_result(read_page_here(job))
        if on_page:
            on_page(path, done, total)
    return assemble(planned, settings)


def assemble(
    planned: PlannedDocument, settings: Settings, on_page: PageProgress | None = None
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
    planned: PlannedDocument, outcomes: dict[int, OcrOutcome]
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
    except SearchablePdfError:
        warning = "kein durchsuchbares PDF: das Original lässt sich nicht Seite für Seite kopieren"
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
