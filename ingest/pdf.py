"""PDFs through pdfplumber, page by page: text layers where they are real, OCR where not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image

from common.errors import FindbuchError, InputFileError
from common.wordlist import german_words

OCR_RESOLUTION_DPI = 300
# _DAMAGE: pdfminer and pdfplumber report damaged PDFs with whatever built-in exception the
# broken structure causes (IndexError from a short MediaBox, KeyError, struct.error, zlib.error,
# RecursionError ...; found by tests/test_safety.py fuzzing). At this boundary, where untrusted
# files are parsed, each becomes one clear error for that file.
# A text layer counts as garbled when fewer of its longer words than this share are German
# (or at least known) words: shifted glyph codes read "Gbnjmjfohfsjdiu" for "Familiengericht".
MIN_KNOWN_WORD_SHARE = 0.35
_MIN_WORDS_TO_JUDGE = 8
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class PdfLayer:
    """What the PDF's own text layer gives.

    Attributes:
        pages: per page the text of its layer, or ``None`` when the page must be OCR'd
            (no layer, too few characters, or a garbled layer).
        title: the title from the document information, or empty.
        author: the author from the document information, or empty.
    """

    pages: tuple[str | None, ...]
    title: str
    author: str


def read_pdf(path: Path, *, min_chars: int, max_pages: int) -> PdfLayer:
    """Read every page's text layer and decide which pages need OCR.

    Raises:
        InputFileError: the PDF is corrupt, truncated, encrypted, empty or has too many pages.
    """
    try:
        # Opened here: pdfplumber leaves its own handle open when a damaged PDF fails to open.
        with path.open("rb") as stream, pdfplumber.open(stream) as pdf:
            if len(pdf.pages) > max_pages:
                raise InputFileError(
                    f"PDF hat {len(pdf.pages):,} Seiten; höchstens {max_pages:,} werden "
                    "angenommen (Einstellung max_pages)."
                )
            title = str(pdf.metadata.get("Title") or "").strip()
            author = str(pdf.metadata.get("Author") or "").strip()
            pages = tuple(_usable_text(page, min_chars) for page in pdf.pages)
    except FindbuchError:
        raise
    except PdfminerException as e:
        raise _pdf_error(e.args[0] if e.args else e) from e
    except Exception as e:
        raise _pdf_error(e) from e
    if not pages:
        raise InputFileError("PDF enthält keine Seiten.")
    return PdfLayer(pages=pages, title=title, author=author)


def render_page(path: Path, index: int, *, dpi: int = OCR_RESOLUTION_DPI) -> Image.Image:
    """One page rendered as an image for OCR.

    Raises:
        InputFileError: the page cannot be rendered.
    """
    try:
        with path.open("rb") as stream, pdfplumber.open(stream) as pdf:
            image = pdf.pages[index].to_image(resolution=dpi).original.copy()
            image.info["dpi"] = (dpi, dpi)  # Tesseract sizes the text layer by it
            return image
    except PdfminerException as e:
        raise _pdf_error(e.args[0] if e.args else e) from e
    except Exception as e:
        raise _pdf_error(e) from e


def looks_garbled(text: str) -> bool:
    """Whether a text layer is mostly not words (wrong glyph codes, a shifted alphabet)."""
    words = _WORD.findall(text)
    if len(words) < _MIN_WORDS_TO_JUDGE:
        return False
    known = german_words().words
    share = sum(w.lower() in known for w in words) / len(words)
    return share < MIN_KNOWN_WORD_SHARE


def _usable_text(page, min_chars: int) -> str | None:
    text = page.extract_text(use_text_flow=True) or ""
    if len("".join(text.split())) < min_chars or looks_garbled(text):
        return None
    return text


def _pdf_error(cause: object) -> InputFileError:
    if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
        return InputFileError("PDF ist verschlüsselt (Passwort nötig); bitte ungeschützt abgeben.")
    return InputFileError(f"PDF ist beschädigt oder unvollständig ({cause or 'unlesbar'}).")
