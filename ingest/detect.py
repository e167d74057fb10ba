"""Recognise a file's type by its content (magic bytes), never by its name."""

from __future__ import annotations

import puremagic

from common.errors import InputFileError
from ingest.plaintext import looks_decodable

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
TEXT = "text/plain"
IMAGE_TYPES = frozenset({PNG, JPEG, TIFF})
SUPPORTED = frozenset({PDF, TEXT, *IMAGE_TYPES})
# How much of the file detection reads: enough for magic bytes and a charset guess.
HEAD_BYTES = 64 * 1024
# Readers accept a PDF whose "%PDF-" comes after a banner (poppler, pypdf, PDFium: 1,024 bytes).
_PDF_WINDOW = 1024


def detect_media_type(head: bytes) -> str:
    """The MIME type of a file from its first bytes.

    Args:
        head: the first ``HEAD_BYTES`` bytes (or the whole file, if shorter).

    Returns:
        One of the supported MIME types.

    Raises:
        InputFileError: the file is empty or of a type Findbuch does not ingest.
    """
    if not head:
        raise InputFileError("Die Datei ist leer (0 Bytes).")
    if b"%PDF-" in head[:_PDF_WINDOW]:
        return PDF
    try:
        media_type = puremagic.from_string(head, mime=True)
    except puremagic.PureError:
        media_type = ""
    if media_type in SUPPORTED:
        return media_type
    # Magic numbers misfire on text: a council text starting "\n\nVersion 2.0" was taken for
    # application/x-mif (bench/scale.py on the Karlsruhe corpus). Text is text.
    if _looks_like_text(head):
        return TEXT
    shown = media_type or "unbekannt"
    raise InputFileError(
        f"Dateityp wird nicht unterstützt ({shown}); möglich sind PDF, PNG, JPEG, TIFF und Text."
    )


def _looks_like_text(head: bytes) -> bool:
    """Text decodes in some encoding and is mostly printable (see ``ingest.plaintext``)."""
    return looks_decodable(head)
