"""The searchable PDF: the page images with an invisible text layer, one PDF per document."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter


def searchable_pdf(page_pdfs: list[bytes | None], original_pdf: Path | None) -> bytes:
    """Join per-page PDFs from Tesseract; pages without one are taken from the original PDF.

    Args:
        page_pdfs: per page Tesseract's one-page PDF, or ``None`` where the page kept its own
            text layer (born-digital pages of a mixed PDF).
        original_pdf: the original PDF, needed when any page is ``None``.
    """
    writer = PdfWriter()
    original = PdfReader(original_pdf) if original_pdf and None in page_pdfs else None
    for number, data in enumerate(page_pdfs):
        if data is None:
            writer.add_page(original.pages[number])
        else:
            writer.add_page(PdfReader(io.BytesIO(data)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
