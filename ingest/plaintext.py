"""Decode text files in whatever common encoding they come, and split them into pages."""

from __future__ import annotations

from charset_normalizer import from_bytes

from common.errors import InputFileError

FORM_FEED = "\f"


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 when they are, otherwise in the encoding charset-normalizer finds.

    Raises:
        InputFileError: no common encoding reads the bytes.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise InputFileError("Textkodierung nicht erkannt; bitte als UTF-8 speichern.")
    return str(best)


def split_text_pages(text: str) -> list[str]:
    """Pages of a text file: form feeds separate pages, as in ``pdftotext`` output."""
    pages = text.split(FORM_FEED)
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    return pages
