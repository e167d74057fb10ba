"""Tesseract through pytesseract: the only module that imports it.

Each page is made grey and despeckled with a 3x3 median filter, then read once for its text, its
words with boxes and confidences (TSV) and an invisible text layer (PDF). When that reading is
poor, Tesseract's orientation detection turns the page upright and it is read again.
Measured on ../shared/corpus/scans (bench/RESULTS.md): the median filter lowers the character
error rate on every scan (200 dpi JPEG 0.92% -> 0.12%), rotation takes the sideways scan from
89% to 0.08%; upscaling and Sauvola binarisation made results worse and are not used.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from functools import lru_cache

import pytesseract
from PIL import Image, ImageFilter, ImageOps

from findbuch.errors import InputFileError, MissingDependencyError, OcrTimeoutError

# Tesseract's OpenMP threads fight each other on small machines: one 300 dpi page took 6.4 s
# with the default and 1.3 s with one thread (2 cores, bench/RESULTS.md). pytesseract cannot
# pass an environment to its subprocess, so the variable is set for this process's children.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_APT_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng"
# Orientation detection costs a Tesseract run, so it runs only when the page read as it lies
# gave a poor mean word confidence: a sideways scan reads at 27, upright scans at 94-96.
UPRIGHT_CONFIDENCE = 70.0
# Orientation detection needs some text; below this many characters it is not attempted.
_OSD_MIN_CHARACTERS = 5


@dataclass(frozen=True)
class OcrPage:
    """What Tesseract read on one page.

    Attributes:
        text: the text, as Tesseract gave it (clean-up happens later).
        words_tsv: Tesseract's TSV: every word with its box and confidence.
        confidence: mean word confidence, 0-100; -1 when no word was found.
        rotation: degrees the page was turned to read it upright.
        pdf: a one-page PDF with the page image and an invisible text layer.
    """

    text: str
    words_tsv: str
    confidence: float
    rotation: int
    pdf: bytes


@lru_cache(maxsize=8)
def probe_tesseract(languages: str) -> str:
    """Check once that Tesseract and every requested language are installed.

    Returns:
        Tesseract's version.

    Raises:
        MissingDependencyError: the binary or a language is missing; names the package.
    """
    try:
        version = str(pytesseract.get_tesseract_version())
        installed = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as e:
        raise MissingDependencyError(f"Tesseract ist nicht installiert: {_APT_HINT}") from e
    missing = [lang for lang in [*languages.split("+"), "osd"] if lang not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise MissingDependencyError(
            f"Tesseract-Sprachdaten fehlen ({', '.join(missing)}): sudo apt-get install {packages}"
        )
    return version


def _translated(call, *, timeout: float):
    """Run a pytesseract call, turning its exceptions into ours."""
    try:
        return call()
    except pytesseract.TesseractNotFoundError as e:
        raise MissingDependencyError(f"Tesseract ist nicht installiert: {_APT_HINT}") from e
    except pytesseract.TesseractError as e:  # a RuntimeError subclass: catch it first
        raise InputFileError(f"Texterkennung fehlgeschlagen: {e.message}") from e
    except RuntimeError as e:  # pytesseract's timeout
        raise OcrTimeoutError(
            f"Texterkennung dauerte länger als {timeout:g} s und wurde abgebrochen."
        ) from e


def detect_rotation(image: Image.Image, *, timeout: float) -> int:
    """Degrees (0, 90, 180, 270) to turn the page clockwise so that it reads upright."""
    config = f"--psm 0 -c min_characters_to_try={_OSD_MIN_CHARACTERS}"
    try:
        osd = pytesseract.image_to_osd(
            image, config=config, output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except pytesseract.TesseractError:
        return 0  # too little text to tell: leave the page as it is
    except RuntimeError as e:
        raise OcrTimeoutError(
            f"Lageerkennung dauerte länger als {timeout:g} s und wurde abgebrochen."
        ) from e
    return int(osd.get("rotate", 0)) % 360


def prepare_page(image: Image.Image, rotation: int) -> Image.Image:
    """Upright, grey and despeckled: what Tesseract reads best (see module docstring)."""
    if rotation:
        image = image.rotate(-rotation, expand=True)
    return ImageOps.grayscale(image).filter(ImageFilter.MedianFilter(3))


def read_page(image: Image.Image, *, languages: str, timeout: float) -> OcrPage:
    """Read one page image: text, words and text layer; turned upright first if it must be.

    Raises:
        MissingDependencyError: Tesseract or a language is missing.
        OcrTimeoutError: the page took longer than ``timeout`` seconds.
        InputFileError: Tesseract could not read the image.
    """
    probe_tesseract(languages)
    page = _read_prepared(image, 0, languages=languages, timeout=timeout)
    if page.confidence >= UPRIGHT_CONFIDENCE:
        return page
    rotation = detect_rotation(image, timeout=timeout)
    if not rotation:
        return page
    return _read_prepared(image, rotation, languages=languages, timeout=timeout)


def _read_prepared(image: Image.Image, rotation: int, *, languages: str, timeout: float) -> OcrPage:
    prepared = prepare_page(image, rotation)
    text, tsv, pdf = _translated(
        lambda: pytesseract.run_and_get_multiple_output(
            prepared, extensions=["txt", "tsv", "pdf"], lang=languages, timeout=timeout
        ),
        timeout=timeout,
    )
    return OcrPage(
        text=text, words_tsv=tsv, confidence=mean_confidence(tsv), rotation=rotation, pdf=pdf
    )


def mean_confidence(tsv: str) -> float:
    """Mean confidence of the recognised words in Tesseract's TSV; -1 when there are none."""
    rows = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    confidences = [
        float(row["conf"]) for row in rows if row.get("text", "").strip() and row["conf"] != "-1"
    ]
    return round(sum(confidences) / len(confidences), 1) if confidences else -1.0
