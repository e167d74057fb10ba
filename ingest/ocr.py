"""Tesseract through pytesseract: the only module that imports it."""

from __future__ import annotations

import os
from functools import lru_cache

import pytesseract
from PIL import Image

from findbuch.errors import InputFileError, MissingDependencyError, OcrTimeoutError

# Tesseract's OpenMP threads fight each other on small machines: one 300 dpi page took 6.4 s
# with the default and 1.3 s with one thread (2 cores, bench/RESULTS.md). pytesseract cannot
# pass an environment to its subprocess, so the variable is set for this process's children.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_APT_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng"


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
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise MissingDependencyError(
            f"Tesseract-Sprachdaten fehlen ({', '.join(missing)}): sudo apt-get install {packages}"
        )
    return version


def ocr_image(image: Image.Image, *, languages: str, timeout: float) -> str:
    """Read the text of one page image.

    Raises:
        MissingDependencyError: Tesseract or a language is missing.
        OcrTimeoutError: the page took longer than ``timeout`` seconds.
        InputFileError: Tesseract could not read the image.
    """
    probe_tesseract(languages)
    try:
        return pytesseract.image_to_string(image, lang=languages, timeout=timeout)
    except pytesseract.TesseractError as e:  # a RuntimeError subclass: catch it first
        raise InputFileError(f"Texterkennung fehlgeschlagen: {e.message}") from e
    except RuntimeError as e:  # pytesseract's timeout
        raise OcrTimeoutError(
            f"Texterkennung einer Seite dauerte länger als {timeout:g} s und wurde abgebrochen."
        ) from e
