"""Tesseract through pytesseract: the only module that imports it.

Each page is read once for its text, its words with boxes and confidences (TSV)
and an invisible text layer (a text-only PDF, laid over the original page by
``ingest.searchable``). How the page is prepared is decided from the page itself
(bench/RESULTS.md, issues 3 and 18):

- A page with measurable speckle (scanned paper: more than 1.5% of its ink in isolated
  pixels) is despeckled with a 3x3 median filter; on the corpus scans that
  lowers the character error rate on every scan (200 dpi JPEG 0.92% -> 0.12%). A clean page
  (a rendered PDF, an office scan without dust) goes to Tesseract as it is, in colour if it is
  in colour, so it reads as with plain ``tesseract``: on such pages the filter erased small
  digits (the row numbers of a table) and, on noisy JPEGs, turned grey fills into letters.
- A speckled scan of up to ``_MAX_SCALED_DPI`` finer than the working resolution (``ocr_dpi``,
  240) is scaled down for reading: on the corpus scans 300 -> 240 dpi read 11% faster at equal
  or lower error rates; word boxes are scaled back to the scan's own pixels. Clean pages and
  finer scans are read at their own resolution: scaling fragmented the columns of forms and of
  480 dpi newspaper scans and interleaved their lines.

A page whose lines run up and down (scanned sideways) is turned by Tesseract's orientation
detection before it is read; a page that still reads poorly (upside down) is checked the same
way and read again, and the better of the two readings is kept. Upscaling and Sauvola
binarisation made results worse, deskewing changed nothing (Tesseract follows each line's skew
itself); none is used. The page goes to Tesseract as an uncompressed TIFF with its resolution:
pytesseract's PNG encoding cost 0.14 s a page, the TIFF 5 ms.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import pytesseract
from PIL import Image
from pytesseract.pytesseract import run_tesseract  # the call pytesseract wraps, with our config

from common.errors import InputFileError, MissingDependencyError, OcrTimeoutError

log = logging.getLogger(__name__)

# Tesseract's OpenMP threads fight each other on small machines: one 300 dpi page took 6.4 s
# with the default and 1.3 s with one thread (2 cores, bench/RESULTS.md). pytesseract cannot
# pass an environment to its subprocess, so the variable is set for this process's children.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_APT_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng"
# A page read as it lies with a mean word confidence below this is checked for being upside
# down: a sideways scan reads at 27, upright scans at 94-96.
UPRIGHT_CONFIDENCE = 70.0
# Orientation detection needs some text; below this many characters it is not attempted.
_OSD_MIN_CHARACTERS = 5
# Lines-run-vertically test: the page scaled to this long side (about 85 dpi for A4) ...
_LAYOUT_LONG_SIDE = 1000
# ... word blobs taller than wide must outweigh those wider than tall by this factor. Upright
# text pages of the corpus score 9-1,165 for wide over tall; turned by 90 degrees, the same.
_SIDEWAYS_FACTOR = 2.0
# Word boxes as TSV, and the PDF as the invisible text layer alone (no page image).
_READ_CONFIG = "-c tessedit_create_tsv=1 -c textonly_pdf=1"
# Share of isolated ink pixels above which a page counts as speckled (see ``speckle``).
_SPECKLED = 0.015
# Scans finer than this are read at their own resolution even when speckled.
_MAX_SCALED_DPI = 320
_ROTATIONS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@dataclass(frozen=True)
class OcrPage:
    """What Tesseract read on one page.

    Attributes:
        text: the text, as Tesseract gave it (clean-up happens later).
        words_tsv: Tesseract's TSV: every word with its box and confidence.
        confidence: mean word confidence, 0-100; -1 when no word was found.
        rotation: degrees the page was turned to read it upright.
        pdf: a one-page PDF holding only the invisible text layer, sized as the page read;
            ``ingest.searchable`` lays it over the original page.
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


def _translated(call, *, timeout: float, what: str = "Texterkennung"):
    """Run a pytesseract call, turning its exceptions into ours."""
    try:
        return call()
    except pytesseract.TesseractNotFoundError as e:
        raise MissingDependencyError(f"Tesseract ist nicht installiert: {_APT_HINT}") from e
    except pytesseract.TesseractError as e:  # a RuntimeError subclass: catch it first
        raise InputFileError(f"{what} fehlgeschlagen: {e.message}") from e
    except RuntimeError as e:  # pytesseract's timeout
        raise OcrTimeoutError(
            f"{what} dauerte länger als {timeout:g} s und wurde abgebrochen."
        ) from e


def speckle(grey: np.ndarray) -> float:
    """Share of the page's ink in isolated pixels (none of their 8 neighbours is ink).

    Scanned paper is dusted with single dark pixels: the corpus scans measure 2.3-40%; a
    rendered page, even as a noisy JPEG, at most 0.2%. Costs 10-40 ms a page, a third of a
    connected-component count.
    """
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    total = int(ink.sum())
    if not total:
        return 0.0
    neighbours = cv2.boxFilter(ink, cv2.CV_16U, (3, 3), normalize=False)
    return int(((ink == 1) & (neighbours == 1)).sum()) / total


class Prepared(NamedTuple):
    """A page as Tesseract reads it, grey for our own looks at it, and the scale factor."""

    pixels: np.ndarray
    grey: np.ndarray
    scale: float


def prepared(image: Image.Image, dpi: float | None, max_dpi: int) -> Prepared:
    """The page as Tesseract should see it (see module docstring).

    A clean page goes to Tesseract as it is, colour included: Tesseract's own thresholding of a
    colour scan read the Kant pages of bench/ocr_real.py better than our grey copy.
    """
    grey = np.asarray(image if image.mode == "L" else image.convert("L"))
    if speckle(grey) <= _SPECKLED:
        return Prepared(np.asarray(image) if image.mode == "RGB" else grey, grey, 1.0)
    despeckled = cv2.medianBlur(grey, 3)
    if dpi and dpi > _MAX_SCALED_DPI:
        return Prepared(despeckled, despeckled, 1.0)
    scaled, scale = working_copy(despeckled, dpi, max_dpi)
    return Prepared(scaled, scaled, scale)


def lines_run_vertically(grey: np.ndarray) -> bool:
    """Whether the page's text lines run up and down: a page scanned sideways.

    Words merge into blobs at low resolution; on an upright page most ink lies in blobs wider
    than tall, on a sideways page in blobs taller than wide. Costs about 10 ms a page, against
    0.25 s for Tesseract's orientation detection, which then decides which way to turn.
    """
    scale = _LAYOUT_LONG_SIDE / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = cv2.dilate(ink, np.ones((2, 2), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    width, height = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    short, long = np.minimum(width, height), np.maximum(width, height)
    # Word-sized blobs only: not specks, not rules or frames, not pictures.
    word = (short >= 3) & (long <= 80) & (long <= 12 * short)
    area = width * height
    wide = area[word & (width > 1.5 * height)].sum()
    tall = area[word & (height > 1.5 * width)].sum()
    return bool(tall > _SIDEWAYS_FACTOR * max(wide, 1))


def working_copy(grey: np.ndarray, dpi: float | None, max_dpi: int) -> tuple[np.ndarray, float]:
    """The page at no more than ``max_dpi`` (0: as it is), and the factor it was scaled by."""
    if not dpi or max_dpi <= 0 or dpi <= max_dpi * 1.05:
        return grey, 1.0
    scale = max_dpi / dpi
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def _scan_pixels(tsv: str, scale: float) -> str:
    """Tesseract's TSV with the boxes (columns 7-10) turned back into the scan's pixels."""
    if scale == 1.0:
        return tsv
    header, *rows = tsv.splitlines()
    out = [header]
    for row in rows:
        cells = row.split("\t")
        if len(cells) >= 12:
            cells[6:10] = [str(round(int(c) / scale)) for c in cells[6:10]]
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


class _PageReader:
    """One page in a scratch folder: Tesseract reads files, so each turn is written once."""

    def __init__(
        self, image: Image.Image, folder: Path, *, languages: str, timeout: float, max_dpi: int
    ):
        dpi = image.info.get("dpi")
        dpi = float(dpi[0]) if dpi else None
        self.pixels, self.grey, self.scale = prepared(image, dpi, max_dpi)
        self.dpi = (dpi * self.scale, dpi * self.scale) if dpi else None
        self.folder = folder
        self.languages = languages
        self.timeout = timeout

    def _file(self, rotation: int) -> str:
        path = self.folder / f"page-{rotation}.tif"
        if not path.exists():
            turned = cv2.rotate(self.pixels, _ROTATIONS[rotation]) if rotation else self.pixels
            dpi = {"dpi": self.dpi} if self.dpi else {}
            Image.fromarray(turned).save(path, format="TIFF", **dpi)  # uncompressed: fast
        return str(path)

    @cached_property
    def upright_turn(self) -> int:
        """Degrees (0, 90, 180, 270) to turn the page clockwise so that it reads upright."""
        config = f"--psm 0 -c min_characters_to_try={_OSD_MIN_CHARACTERS}"
        try:
            osd = _translated(
                lambda: pytesseract.image_to_osd(
                    self._file(0), config=config, output_type=pytesseract.Output.DICT,
                    timeout=self.timeout,
                ),
                timeout=self.timeout,
                what="Lageerkennung",
            )  # fmt: skip
        except InputFileError:
            return 0  # too little text to tell: leave the page as it is
        return int(osd.get("rotate", 0)) % 360

    def read(self, rotation: int) -> OcrPage:
        """Text, words and text layer of the page turned by ``rotation`` degrees."""
        output = self.folder / f"read-{rotation}"
        _translated(
            lambda: run_tesseract(
                self._file(rotation), str(output), extension="txt tsv pdf",
                lang=self.languages, config=_READ_CONFIG, timeout=self.timeout,
            ),
            timeout=self.timeout,
        )  # fmt: skip
        tsv = output.with_suffix(".tsv").read_text(encoding="utf-8")
        return OcrPage(
            text=output.with_suffix(".txt").read_text(encoding="utf-8"),
            words_tsv=_scan_pixels(tsv, self.scale),
            confidence=mean_confidence(tsv),
            rotation=rotation,
            pdf=output.with_suffix(".pdf").read_bytes(),
        )


def read_page(
    image: Image.Image,
    *,
    languages: str,
    timeout: float,
    max_dpi: int,
    meanwhile: Callable[[], None] | None = None,
) -> OcrPage:
    """Read one page image: text, words and text layer; turned upright first if it must be.

    ``max_dpi`` is the working resolution (see module docstring); 0 reads the page as it is.
    ``meanwhile`` runs in a thread while Tesseract's process reads the page (this one waits).

    Raises:
        MissingDependencyError: Tesseract or a language is missing.
        OcrTimeoutError: the page took longer than ``timeout`` seconds.
        InputFileError: Tesseract could not read the image.
    """
    probe_tesseract(languages)
    with tempfile.TemporaryDirectory(prefix="findbuch-ocr-") as folder:
        reader = _PageReader(
            image, Path(folder), languages=languages, timeout=timeout, max_dpi=max_dpi
        )
        rotation = reader.upright_turn if lines_run_vertically(reader.grey) else 0
        with _beside(meanwhile):
            page = reader.read(rotation)
        if page.confidence >= UPRIGHT_CONFIDENCE:
            return page
        upright = reader.upright_turn
        if upright == rotation:
            return page
        # Orientation detection errs on pages with little running text (forms, tables): a
        # second reading that is worse than the first is not taken.
        again = reader.read(upright)
        return again if again.confidence > page.confidence else page


@contextmanager
def _beside(work: Callable[[], None] | None) -> Iterator[None]:
    """Run ``work`` in a thread for the duration of the block; its failure is only logged.

    The block is a wait for Tesseract's child process, which holds no lock this process needs.
    The thread ends before the block is left, so warnings filters it sets cannot outlive it.
    """
    if work is None:
        yield
        return
    thread = threading.Thread(target=_logged, args=(work,), name="findbuch-beside", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _logged(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception as e:  # what failed beside fails again where it is needed, and is reported
        log.debug("Vorbereitung neben der Texterkennung: %r", e, exc_info=e)


def mean_confidence(tsv: str) -> float:
    """Mean confidence of the recognised words in Tesseract's TSV; -1 when there are none."""
    rows = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    confidences = [
        float(row["conf"]) for row in rows if row.get("text", "").strip() and row["conf"] != "-1"
    ]
    return round(sum(confidences) / len(confidences), 1) if confidences else -1.0
