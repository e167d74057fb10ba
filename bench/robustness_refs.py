"""What other readers make of each corpus file: the yardstick bench/robustness.py judges by.

A PDF counts as readable when poppler's ``pdfinfo`` or pypdf opens it with at least one page
(an empty user password allowed); its words per page come from ``pdftotext``. An image counts
as readable when Pillow decodes every frame and it is a PNG, JPEG or TIFF (the types Findbuch
takes). A text file's true encoding is the one its test suite names (chardet's folders are
called after it).
"""

from __future__ import annotations

import codecs
import logging
import re
import subprocess
import warnings
from concurrent.futures import ProcessPoolExecutor, TimeoutError
from pathlib import Path

PDF, IMAGE, TEXT = "pdf", "image", "text"
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".apng"}
_FINDBUCH_IMAGE_FORMATS = {"PNG", "JPEG", "MPO", "TIFF"}
WORD = re.compile(r"[^\W\d_]{2,}")
REFERENCE_TIMEOUT_S = 60
# pypdf logs what it repairs; the bench's own output stays the table.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def file_class(path: str) -> str:
    """pdf, image or text, by the name the test suite gave the file."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return PDF
    return IMAGE if suffix in _IMAGE_SUFFIXES else TEXT


def true_encoding(repo: str, path: str) -> str | None:
    """The encoding chardet's test suite names for a file (its folder), if Python knows it."""
    if repo != "chardet/chardet":
        return None
    folder = path.split("/")[1]
    parts = folder.split("-")
    for end in range(len(parts), 0, -1):
        try:
            return codecs.lookup("-".join(parts[:end])).name
        except LookupError:
            continue
    return None


def words(text: str) -> list[str]:
    """Words of two or more letters, lower-cased: what the page comparison counts."""
    return [w.lower() for w in WORD.findall(text)]


def _pdf_reference(path: Path) -> dict:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60)
    poppler_pages = 0
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            poppler_pages = int(line.split()[1])
    pypdf_pages = _pypdf_pages(path)
    pages: list[list[str]] = []
    if info.returncode == 0 and poppler_pages:
        out = subprocess.run(
            ["pdftotext", "-q", str(path), "-"], capture_output=True, timeout=120
        ).stdout.decode("utf-8", "replace")
        pages = [words(page) for page in out.split("\f")[:poppler_pages]]
    readable = bool(poppler_pages or pypdf_pages)
    return {"readable": readable, "poppler_pages": poppler_pages, "pypdf_pages": pypdf_pages,
            "page_words": pages}  # fmt: skip


def _pypdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return 0
            return len(reader.pages)
    except Exception:  # noqa: BLE001 - any failure means: pypdf cannot read it
        return 0


def _image_reference(path: Path) -> dict:
    from PIL import Image, ImageSequence

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                fmt = img.format
                frames = 0
                for frame in ImageSequence.Iterator(img):
                    frame.load()
                    frames += 1
    except Exception:  # noqa: BLE001 - any failure means: Pillow cannot read it
        return {"readable": False, "format": None}
    return {"readable": fmt in _FINDBUCH_IMAGE_FORMATS, "format": fmt, "frames": frames}


def _text_reference(path: Path, encoding: str | None) -> dict:
    if encoding is None:
        return {"readable": None, "encoding": None}
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError:
        return {"readable": None, "encoding": encoding}
    return {"readable": True, "encoding": encoding, "words": words(text)}


def reference(path: Path, kind: str, encoding: str | None) -> dict:
    """What poppler, pypdf, Pillow or the named encoding make of one file."""
    if kind == PDF:
        return _pdf_reference(path)
    if kind == IMAGE:
        return _image_reference(path)
    return _text_reference(path, encoding)


def references(files: list[tuple[Path, str, str | None]]) -> list[dict]:
    """The reference reading of every file, two at a time, each within a time limit."""
    with ProcessPoolExecutor(2) as pool:
        futures = [pool.submit(reference, *f) for f in files]
        out = []
        for future in futures:
            try:
                out.append(future.result(timeout=REFERENCE_TIMEOUT_S))
            except (TimeoutError, subprocess.TimeoutExpired):
                out.append({"readable": None, "timeout": True})
        return out
