"""OCR page tasks: small picklable descriptions run by worker processes, one page each.

The workers only read; the parent process is the single writer of archive and index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common.errors import FindbuchError, MissingDependencyError
from common.wordlist import german_words
from ingest.image import count_frames, load_frame
from ingest.ocr import OcrPage, read_page
from ingest.pdf import OCR_RESOLUTION_DPI, render_page
from ingest.searchable import prepare_image_pdf

log = logging.getLogger(__name__)

PDF_PAGE = "pdf"
IMAGE_FRAME = "image"


@dataclass(frozen=True)
class PageTask:
    """One page to read.

    Attributes:
        path: the file.
        source: ``pdf`` (render page ``index``) or ``image`` (frame ``index``).
        index: 0-based page or frame.
        languages: Tesseract languages.
        timeout: seconds one page may take.
        max_dpi: working resolution (``ocr_dpi``); 0 reads at the scan's own.
    """

    path: Path
    source: str
    index: int
    languages: str
    timeout: float
    max_dpi: int


@dataclass(frozen=True)
class OcrOutcome:
    """A job's result: the page read, or the reason it could not be (the page is flagged)."""

    job: PageTask
    page: OcrPage | None = None
    error: str = ""


def run_page_task(job: PageTask, meanwhile: Callable[[], None] | None = None) -> OcrOutcome:
    """Read one page; a failure of this page is returned, not raised, so the rest goes on.

    ``meanwhile`` runs in a thread while Tesseract reads the page (see ``read_page_here``).

    Raises:
        MissingDependencyError: Tesseract is missing; fatal for the whole run.
    """
    try:
        image = (
            render_page(job.path, job.index, dpi=job.max_dpi or OCR_RESOLUTION_DPI)
            if job.source == PDF_PAGE
            else load_frame(job.path, job.index)
        )
        page = read_page(
            image, languages=job.languages, timeout=job.timeout, max_dpi=job.max_dpi,
            meanwhile=meanwhile,
        )  # fmt: skip
        return OcrOutcome(job, page)
    except MissingDependencyError:
        raise
    except FindbuchError as e:
        log.warning("%s, Seite %d: %s", job.path, job.index + 1, e.message)
        return OcrOutcome(job, error=e.message)
    except Exception as e:  # a library's failure on one page fails that page
        log.info("%s, Seite %d: %r", job.path, job.index + 1, e, exc_info=e)
        return OcrOutcome(job, error="Seite konnte nicht gelesen werden (unerwarteter Fehler).")


def read_page_here(job: PageTask) -> OcrOutcome:
    """Read one page in the process that assembles its document (one file, ``--jobs 1``).

    Tesseract reads in a child process and this one would wait: meanwhile a thread prepares
    what assembling needs anyway and does not depend on the reading, the word list (page
    quality) and, with an image's first frame, the image pages of its searchable copy.
    """
    return run_page_task(job, lambda: _ahead_of(job))


def _ahead_of(job: PageTask) -> None:
    german_words()
    if job.source == IMAGE_FRAME and job.index == 0:
        prepare_image_pdf(job.path, count_frames(job.path))


def init_worker() -> None:
    """Worker process start: Tesseract single-threaded (set by ingest.ocr on import)."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
