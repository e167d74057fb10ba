"""Born-digital PDFs through pdfplumber; pages without a usable text layer go to OCR."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from findbuch.errors import InputFileError

OCR_RESOLUTION_DPI = 300


@dataclass(frozen=True)
class PdfText:
    """The text of a PDF.

    Attributes:
        pages: ``(text, method)`` per page, method ``pdf`` or ``ocr``.
        title: the title from the document information, or empty.
        author: the author from the document information, or empty.
    """

    pages: tuple[tuple[str, str], ...]
    title: str
    author: str


def extract_pdf(path: Path, *, ocr_page: Callable[[Image.Image], str], min_chars: int) -> PdfText:
    """Extract the text of every page, OCR-ing pages whose text layer is (nearly) empty.

    Args:
        path: the PDF file.
        ocr_page: reads a rendered page image.
        min_chars: pages with fewer non-blank characters in their text layer are OCR'd.

    Raises:
        InputFileError: the PDF is corrupt, truncated or encrypted.
    """
    try:
        with pdfplumber.open(path) as pdf:
            title = str(pdf.metadata.get("Title") or "").strip()
            author = str(pdf.metadata.get("Author") or "").strip()
            pages = tuple(_page_text(page, ocr_page, min_chars) for page in pdf.pages)
    except PdfminerException as e:
        raise _pdf_error(e.args[0] if e.args else e) from e
    except (PDFPasswordIncorrect, ValueError, KeyError, TypeError, AttributeError) as e:
        # pdfminer reports damaged structures with assorted built-in exceptions.
        raise _pdf_error(e) from e
    if not pages:
        raise InputFileError("PDF enthält keine Seiten.")
    return PdfText(pages=pages, title=title, author=author)


def _page_text(page, ocr_page: Callable[[Image.Image], str], min_chars: int) -> tuple[str, str]:
    text = page.extract_text(use_text_flow=True) or ""
    if len("".join(text.split())) >= min_chars:
        return text, "pdf"
    image = page.to_image(resolution=OCR_RESOLUTION_DPI).original
    return ocr_page(image), "ocr"


def _pdf_error(cause: object) -> InputFileError:
    if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
        return InputFileError("PDF ist verschlüsselt (Passwort nötig); bitte ungeschützt abgeben.")
    return InputFileError(f"PDF ist beschädigt oder unvollständig ({cause or 'unlesbar'}).")
