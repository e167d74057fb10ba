"""Page images for reading: the scan itself, or a rendered PDF page, made on request."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
from PIL import Image, ImageSequence

MAX_WIDTH = 1600


def page_png(path: Path, media_type: str, page: int, *, width: int, rotation: int = 0) -> bytes:
    """PNG of one page (1-based), ``width`` pixels wide, upright.

    Raises:
        ValueError: the page does not exist or the file cannot be drawn.
    """
    width = max(64, min(width, MAX_WIDTH))
    if media_type == "application/pdf":
        image = _pdf_page(path, page, width)
    else:
        with Image.open(path) as img:
            frames = ImageSequence.Iterator(img)
            image = next(f for i, f in enumerate(frames, start=1) if i == page).copy()
        if rotation:
            image = image.rotate(-rotation, expand=True)
    image.thumbnail((width, width * 2))
    out = io.BytesIO()
    image.convert("L" if image.mode in ("1", "L") else "RGB").save(out, format="PNG")
    return out.getvalue()


def _pdf_page(path: Path, page: int, width: int) -> Image.Image:
    pdf = pypdfium2.PdfDocument(path)
    try:
        if not 1 <= page <= len(pdf):
            raise ValueError(f"page {page} of {len(pdf)}")
        pdf_page = pdf[page - 1]
        scale = width / pdf_page.get_width()
        return pdf_page.render(scale=scale).to_pil()
    finally:
        pdf.close()
