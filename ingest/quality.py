"""How readable an OCR'd page is, and whether to flag it as read badly."""

from __future__ import annotations

from ingest.ocr import OcrPage


def low_quality(page: OcrPage, text: str, low_confidence: float) -> bool:
    """Whether the page reads badly: its mean word confidence is below ``low_confidence``."""
    return page.confidence < low_confidence
