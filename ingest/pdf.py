"""PDFs page by page: text layers where they are real, OCR where not; readable if any reader can.

pdfplumber reads the text layers; PDFium reads each page too, and its reading is kept where
pdfplumber's clearly lost words (see ``reads_better``). A PDF pdfplumber cannot open (or finds
no pages in) is not refused at once: pypdf, which repairs broken cross-references, writes a
clean copy for pdfplumber to read, and when that fails too, PDFium (which renders the pages
for OCR anyway) or poppler decides whether there are pages to OCR. Only a PDF none of them can
read is refused, in German; what the libraries said goes to the log. Measured on other
projects' test suites (bench/robustness.py).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image

from common.errors import FindbuchError, InputFileError
from common.wordlist import german_words

log = logging.getLogger(__name__)
# pdfminer, pdfplumber and pypdf log every font, key and xref they repair, in English and
# without the file's name; Findbuch reports per file in German (the detail in our own log).
for _name in ("pdfminer", "pdfplumber", "pypdf"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False

OCR_RESOLUTION_DPI = 300
POPPLER_TIMEOUT_S = 120
_PDF_START = re.compile(rb"%PDF-")
_ENCRYPTED = "PDF ist verschlüsselt (Passwort nötig); bitte ungeschützt abgeben."
_UNREADABLE = "PDF ist beschädigt oder unvollständig; kein PDF-Programm kann es lesen."
# Garbled layers, told by the text itself and not by its language (English, French, Chinese
# and Arabic layers are real): glyph ids where the font has no map, as pdfminer's "(cid:3)"
# (one BGBl form: 34% of its characters), or a shifted alphabet, "Gbnjmjfohfsjdiu" for
# "Familiengericht" (another): shifted back by a few code points, its words become German.
_CID = re.compile(r"\(cid:\d+\)")
_MAX_CID_SHARE = 0.25  # math pages of a LaTeX script: 2-3%
_UNREADABLE_CHARS = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f]")
_MAX_UNREADABLE_SHARE = 0.3
_WORD = re.compile(r"[A-Za-z]{4,}")
_MIN_WORDS_TO_JUDGE = 8
_SHIFTS = (-3, -2, -1, 1, 2, 3)
# Shifted back, at least this share of its words are German and several times more than as
# it stands: the BGBl form goes from 13% to 58%; no real layer of the test suites rose above 20%.
MIN_SHIFTED_SHARE = 0.35
# PDFium's reading replaces pdfplumber's when it has this many times its words, plus a few: on
# other projects' test suites pdfplumber's broken readings (letter-spaced mirrored runs, words
# set tight and joined, signatures in annotations, formulas as glyph ids) have 1.5 to 40 times
# fewer; on every German PDF of ../shared/corpus the two readings are within 1.2 times.
BETTER_FACTOR = 1.5
BETTER_MARGIN = 5
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
# PDFium marks a hyphen it removed at a line end with \x02 and unmapped glyphs with controls.
_PDFIUM_HYPHEN = "\x02"
_PDFIUM_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f]")


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
        InputFileError: no reader can open the PDF, it is encrypted, or has too many pages.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, source in (("pdfplumber", lambda: path), ("pypdf", lambda: _repaired(path))):
            try:
                return _layer(source(), min_chars=min_chars, max_pages=max_pages)
            except FindbuchError:
                raise
            except Exception as e:  # noqa: BLE001 - damaged PDFs raise anything; next reader
                log.info("%s: %s liest das PDF nicht: %r", path, name, e)
        pages = _pdfium_pages(path) or _poppler_pages(path)
    if not pages:
        raise InputFileError(_ENCRYPTED if _encrypted(path) else _UNREADABLE)
    _check_count(pages, max_pages)
    return PdfLayer(pages=(None,) * pages, title="", author="")


def render_page(path: Path, index: int, *, dpi: int = OCR_RESOLUTION_DPI) -> Image.Image:
    """One page rendered as an image for OCR: by PDFium as pdfplumber's ``to_image``, else poppler.

    PDFium refuses some PDFs that poppler renders (pdf.js's ``pr6531_2.pdf``: "incorrect
    password" for a file without one).

    Raises:
        InputFileError: neither can render the page.
    """
    try:
        image = _pdfium_render(path, index, dpi)
    except Exception as e:  # noqa: BLE001 - PDFium's errors on damaged files; poppler is next
        log.info("%s, Seite %d: PDFium stellt sie nicht dar: %r", path, index + 1, e)
        try:
            image = _poppler_render(path, index, dpi)
        except (OSError, subprocess.SubprocessError) as again:
            log.info("%s, Seite %d: poppler stellt sie nicht dar: %r", path, index + 1, again)
            raise InputFileError("Seite lässt sich nicht darstellen (beschädigt).") from again
    image.info["dpi"] = (dpi, dpi)  # Tesseract sizes the text layer by it
    return image


def _pdfium_render(path: Path, index: int, dpi: int) -> Image.Image:
    document = pypdfium2.PdfDocument(path)
    try:
        bitmap = document[index].render(
            scale=dpi / 72, no_smoothtext=True, no_smoothpath=True, no_smoothimage=True,
            prefer_bgrx=True,
        )  # fmt: skip
        return bitmap.to_pil().convert("RGB")
    finally:
        document.close()


def _poppler_render(path: Path, index: int, dpi: int) -> Image.Image:
    page = str(index + 1)
    done = subprocess.run(
        ["pdftoppm", "-q", "-r", str(dpi), "-f", page, "-l", page, "-png", str(path)],
        capture_output=True, timeout=POPPLER_TIMEOUT_S, check=True,
    )  # fmt: skip
    try:
        with Image.open(io.BytesIO(done.stdout)) as image:
            return image.convert("RGB")
    except Image.UnidentifiedImageError as e:
        raise OSError("pdftoppm gave no image") from e


def _layer(source: Path | io.BytesIO, *, min_chars: int, max_pages: int) -> PdfLayer:
    """The text layer as pdfplumber reads it from a file or a repaired copy.

    The file is opened here, not by pdfplumber: when pdfplumber fails while opening a damaged
    PDF with anything but a pdfminer error, it leaves a file it opened itself unclosed.
    """
    with contextlib.ExitStack() as stack:
        pdfium = _pdfium_document(source)
        if pdfium is not None:
            stack.callback(pdfium.close)
        if isinstance(source, Path):
            source = stack.enter_context(source.open("rb"))
        import pdfplumber  # here: pdfminer's import (40 ms) is no scanned image's cost (#18)

        pdf = stack.enter_context(pdfplumber.open(source))
        if not pdf.pages:
            raise ValueError("no pages")
        _check_count(len(pdf.pages), max_pages)
        title = _info(pdf.metadata, "Title")
        author = _info(pdf.metadata, "Author")
        pages = tuple(_usable_text(page, min_chars, pdfium) for page in pdf.pages)
    return PdfLayer(pages=pages, title=title, author=author)


def _usable_text(page, min_chars: int, pdfium: pypdfium2.PdfDocument | None) -> str | None:
    """The page's layer when it is real, in the better of the two readings; else None (OCR)."""
    try:
        text = page.extract_text(use_text_flow=True) or ""
    except Exception as e:  # noqa: BLE001 - one broken page (font, content) goes to OCR
        log.info("Seite %d: Textebene nicht lesbar, wird erkannt: %r", page.page_number, e)
        return None
    if len("".join(text.split())) < min_chars or looks_garbled(text):
        return None
    other = _pdfium_text(pdfium, page.page_number - 1) if pdfium is not None else ""
    if other and reads_better(other, text):
        return _PDFIUM_CONTROLS.sub(" ", other)
    return text


def reads_better(candidate: str, text: str) -> bool:
    """Whether ``candidate`` reads the same page with clearly more words than ``text``.

    Words are runs of two or more letters; a glyph id ``(cid:N)`` counts as a word lost. A
    reading that spaces letters out ("T h e m o v i e") or joins words ("DISTRICTDIRECTOR")
    has far fewer of them; so has one that misses lines. A garbled candidate never wins.
    """
    if looks_garbled(candidate):
        return False
    return _word_score(candidate) >= BETTER_FACTOR * max(_word_score(text), 0) + BETTER_MARGIN


def _word_score(text: str) -> int:
    glyph_ids = len(_CID.findall(text))
    return len(_LETTER_WORD.findall(_CID.sub(" ", text))) - glyph_ids


def _pdfium_document(source: Path | io.BytesIO) -> pypdfium2.PdfDocument | None:
    """PDFium's view of the same file, or None when it cannot open it (pdfplumber's alone)."""
    try:
        return pypdfium2.PdfDocument(source if isinstance(source, Path) else source.getvalue())
    except Exception as e:  # noqa: BLE001 - PDFium refuses some files pdfplumber reads
        log.info("PDFium liest das PDF nicht, nur pdfplumber: %r", e)
        return None


def _pdfium_text(document: pypdfium2.PdfDocument, index: int) -> str:
    """PDFium's text of one page, with what its annotations show (signatures, form fields).

    Annotations are flattened into the page first: pdftotext reads their appearance too. The
    control characters PDFium gives for unmapped glyphs are kept for ``looks_garbled``.
    """
    try:
        page = document[index]
        if pypdfium2.raw.FPDFPage_GetAnnotCount(page) > 0:
            flat = pypdfium2.raw.FPDFPage_Flatten(page, pypdfium2.raw.FLAT_NORMALDISPLAY)
            if flat == pypdfium2.raw.FLATTEN_SUCCESS:  # the page must be loaded again
                page.close()
                page = document[index]
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_bounded()
        finally:
            textpage.close()
            page.close()
    except Exception as e:  # noqa: BLE001 - PDFium's reading is only a second opinion
        log.info("Seite %d: PDFium liest den Text nicht: %r", index + 1, e)
        return ""
    return raw.replace("\r\n", "\n").replace("\r", "\n").replace(_PDFIUM_HYPHEN, "")


def looks_garbled(text: str) -> bool:
    """Whether a text layer is not text: glyph ids, unreadable characters or a shifted alphabet."""
    stripped = "".join(text.split())
    if not stripped:
        return False
    cids = _CID.findall(stripped)
    characters = len(stripped) - len("".join(cids)) + len(cids)  # a glyph id is one character
    if len(cids) > _MAX_CID_SHARE * characters:
        return True
    if len(_UNREADABLE_CHARS.findall(stripped)) > _MAX_UNREADABLE_SHARE * len(stripped):
        return True
    words = _WORD.findall(text)
    if len(words) < _MIN_WORDS_TO_JUDGE:
        return False
    known = german_words().words
    as_is = _known_share(words, 0, known)
    shifted = max(_known_share(words, k, known) for k in _SHIFTS)
    return shifted >= MIN_SHIFTED_SHARE and shifted > 2 * as_is


def _known_share(words: list[str], shift: int, known: frozenset[str]) -> float:
    moved = (w.lower() if not shift else _shifted(w, shift).lower() for w in words)
    return sum(w in known for w in moved) / len(words)


def _shifted(word: str, shift: int) -> str:
    return "".join(chr(ord(c) + shift) for c in word)


def _info(metadata: dict, key: str) -> str:
    value = metadata.get(key)
    return value.strip() if isinstance(value, str) else ""


def _check_count(pages: int, max_pages: int) -> None:
    if pages > max_pages:
        raise InputFileError(
            f"PDF hat {pages:,} Seiten; höchstens {max_pages:,} werden angenommen "
            "(Einstellung max_pages)."
        )


def _repaired(path: Path) -> io.BytesIO:
    """A copy pypdf writes from what it can read (also after bytes before ``%PDF-``)."""
    from pypdf import PdfReader, PdfWriter  # here, as pdfplumber: no scanned image's cost

    data = path.read_bytes()
    start = _PDF_START.search(data, 0, 1024)
    reader = PdfReader(io.BytesIO(data[start.start() :] if start else data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    if not reader.pages:
        raise ValueError("no pages")
    out = io.BytesIO()
    PdfWriter(clone_from=reader).write(out)
    out.seek(0)
    return out


def _pdfium_pages(path: Path) -> int:
    """Pages PDFium finds (empty user passwords open), 0 when it cannot open the file."""
    try:
        document = pypdfium2.PdfDocument(path)
    except Exception as e:  # noqa: BLE001 - PDFium cannot read it either: the PDF is refused
        log.info("%s: PDFium liest das PDF nicht: %r", path, e)
        return 0
    try:
        return len(document)
    finally:
        document.close()


def _poppler_pages(path: Path) -> int:
    """Pages poppler's ``pdfinfo`` finds (it reads some PDFs PDFium refuses), else 0."""
    try:
        info = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, timeout=POPPLER_TIMEOUT_S
        )
    except (OSError, subprocess.SubprocessError) as e:
        log.info("%s: pdfinfo: %r", path, e)
        return 0
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    return int(found.group(1)) if info.returncode == 0 and found else 0


def _encrypted(path: Path) -> bool:
    """Whether the PDF needs a password: pypdf finds it encrypted and the empty one fails."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path, strict=False)
        return bool(reader.is_encrypted and not reader.decrypt(""))
    except Exception:  # noqa: BLE001 - unreadable is not encrypted
        return False
