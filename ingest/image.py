"""Open scanned images safely: count and load frames of (multi-page) images, with a pixel limit.

Frames come out as OCR and the searchable PDF can take them: 8-bit grey or RGB, with a
resolution only when it is plausible. Real files carry 16-bit grey, LAB, CMYK, palettes, a
32x32 icon claiming 15,628 dpi (scaled to nothing) or damaged TIFF tags (Pillow's test suite);
whatever Pillow raises on one file becomes one German message for that file.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from PIL import Image, ImageSequence

from common.errors import InputFileError

log = logging.getLogger(__name__)
# A4 at 600 dpi is 35 megapixels; anything past this limit is refused as a decompression bomb.
MAX_PIXELS = 150_000_000
# A resolution is believed when it lies in this range and the page's short side is at least
# half an inch at it; otherwise the frame is read at its own pixels (no dpi).
_DPI_RANGE = (20.0, 4800.0)
_MIN_SHORT_SIDE_INCH = 0.5
_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


@contextmanager
def _opened(path: Path) -> Iterator[Image.Image]:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow's warnings (odd EXIF, truncated chunks) are English and name no file.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                yield img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise InputFileError(f"Bild ist zu groß (mehr als {MAX_PIXELS:,} Pixel).") from e
    except InputFileError:
        raise
    except Exception as e:  # a damaged image raises anything; one file fails
        log.info("%s: Bild nicht lesbar: %r", path, e)
        raise InputFileError("Bild ist beschädigt oder unvollständig.") from e


def count_frames(path: Path) -> int:
    """How many pages an image file holds, checking every frame's size.

    Pixels are not decoded here: the OCR worker decodes each frame once, and a frame that turns
    out damaged then fails the whole file (decoding twice cost 0.02 s a page).

    Raises:
        InputFileError: the image is not readable or absurdly large.
    """
    with _opened(path) as img:
        count = 0
        for frame in ImageSequence.Iterator(img):
            _check_pixels(frame)
            count += 1
        if not count:
            raise InputFileError("Bild enthält keine Seite.")
        return count


def load_frame(path: Path, index: int) -> Image.Image:
    """One page of an image file, loaded, as 8-bit grey or RGB.

    Raises:
        InputFileError: the image is corrupt, truncated or absurdly large.
    """
    with _opened(path) as img:
        img.seek(index)
        _check_pixels(img)
        with _libtiff_said(path) if img.format == "TIFF" else nullcontext():
            frame = img.copy()
            frame.load()
        return plain(frame)


@contextmanager
def _libtiff_said(path: Path) -> Iterator[None]:
    """Keep what libtiff writes to the process's stderr itself (English, no file name) for the log.

    libtiff reports damaged strips ("TIFFFillStrip: Read error") on file descriptor 2, past
    Python; for the moment of decoding, that descriptor points at a scratch file.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            said = sink.read().decode("utf-8", "replace").strip()
            if said:
                log.info("%s: libtiff: %s", path, said)


def plain(frame: Image.Image) -> Image.Image:
    """The frame as 8-bit grey or RGB (colour stays colour) with a believable resolution."""
    if frame.mode in ("L", "RGB"):
        out = frame
    elif frame.mode in _GREY_MODES:
        out = _grey_8bit(frame)
    elif frame.mode == "LAB":  # Pillow converts LAB to nothing; its lightness is the grey
        out = frame.getchannel(0)
    else:  # palettes, CMYK, RGBA, ...
        out = frame.convert("RGBA" if "A" in frame.mode or "transparency" in frame.info else "RGB")
        if out.mode == "RGBA":  # transparent parts are paper: white, not black
            white = Image.new("RGB", out.size, "white")
            white.paste(out, mask=out.getchannel("A"))
            out = white
    # The frame is flat now: a transparency entry would make every later convert() warn.
    info = {k: v for k, v in frame.info.items() if k not in ("dpi", "transparency")}
    dpi = believable_dpi(frame)
    if dpi:
        info["dpi"] = (dpi, dpi)
    out.info = info
    return out


def _grey_8bit(frame: Image.Image) -> Image.Image:
    """16-bit and float grey scaled into 0-255 by its own range (Pillow's convert clips)."""
    if frame.mode in ("1", "LA", "La"):
        return frame.convert("L")
    wide = frame.convert("F") if frame.mode != "F" else frame
    low, high = wide.getextrema()
    if high <= low:
        return Image.new("L", frame.size, 255 if high > 0 else 0)
    scale = 255.0 / (high - low)
    return wide.point(lambda v: (v - low) * scale).convert("L")


def believable_dpi(frame: Image.Image) -> float | None:
    """The frame's resolution when it is plausible for a scanned page, else ``None``."""
    dpi = frame.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    low, high = _DPI_RANGE
    if not low <= value <= high or min(frame.size) / value < _MIN_SHORT_SIDE_INCH:
        return None
    return value


def _check_pixels(frame: Image.Image) -> None:
    width, height = frame.size
    if width * height > MAX_PIXELS:
        raise Image.DecompressionBombError(f"{width}x{height}")
    if width < 1 or height < 1:
        raise InputFileError("Bild hat keine Pixel.")
