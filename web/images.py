"""Page images for reading: the scan itself, or a rendered PDF page, made on request.

A page is drawn at most ``MAX_WIDTH`` pixels wide and twice its width high, whatever its
shape: a PDF page of 10 x 14,400 points drawn 700 pixels wide used to be rendered a million
pixels high (11.5 s, 4.5 GB) before it was shrunk (#17). Drawings are kept in a small
cache per server process, and one is drawn at a time (PDFium is not thread-safe).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

import pypdfium2
from PIL import Image, ImageSequence

MAX_WIDTH = 1600
MIN_WIDTH = 64
HEIGHT_PER_WIDTH = 2  # a page image is at most twice as high as wide: 1600 x 3200 pixels
CACHE_BYTES = 32 * 1024 * 1024


class _PngCache:
    """The most recently drawn pages, at most ``limit`` bytes of PNG in all."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key: tuple, png: bytes) -> None:
        with self._lock:
            if key in self._items or len(png) > self._limit // 4:
                return
            self._items[key] = png
            self._bytes += len(png)
            while self._bytes > self._limit:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)


_cache = _PngCache(CACHE_BYTES)
_render_lock = threading.Lock()


def page_png(path: Path, media_type: str, page: int, *, width: int, rotation: int = 0) -> bytes:
    """PNG of one page (1-based), at most ``width`` pixels wide and twice that high, upright.

    Raises:
        ValueError: the page does not exist or the file cannot be drawn.
    """
    width = max(MIN_WIDTH, min(width, MAX_WIDTH))
    key = (str(path), page, width, rotation)
    png = _cache.get(key)
    if png is None:
        with _render_lock:
            png = _draw(path, media_type, page, width, rotation)
        _cache.put(key, png)
    return png


def _draw(path: Path, media_type: str, page: int, width: int, rotation: int) -> bytes:
    box = (width, width * HEIGHT_PER_WIDTH)
    if media_type == "application/pdf":
        image = _pdf_page(path, page, box)
    else:
        with Image.open(path) as img:
            frames = ImageSequence.Iterator(img)
            frame = next(f for i, f in enumerate(frames, start=1) if i == page)
            frame.draft("RGB", box)  # JPEG decodes at a fraction of its size where it can
            image = frame.copy()
        if rotation:
            image = image.rotate(-rotation, expand=True)
    image.thumbnail(box)
    out = io.BytesIO()
    image.convert("L" if image.mode in ("1", "L") else "RGB").save(out, format="PNG")
    return out.getvalue()


def _pdf_page(path: Path, page: int, box: tuple[int, int]) -> Image.Image:
    pdf = pypdfium2.PdfDocument(path)
    try:
        if not 1 <= page <= len(pdf):
            raise ValueError(f"page {page} of {len(pdf)}")
        pdf_page = pdf[page - 1]
        width, height = pdf_page.get_size()
        if width <= 0 or height <= 0:
            raise ValueError(f"page {page} has no area")
        # Fit the page into the box: the page's shape never decides how many pixels are drawn.
        scale = min(box[0] / width, box[1] / height)
        return pdf_page.render(scale=scale).to_pil()
    finally:
        pdf.close()
