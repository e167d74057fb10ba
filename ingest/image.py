"""Open scanned images safely: count and load frames of (multi-page) images, with a pixel limit."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from common.errors import InputFileError

# A4 at 600 dpi is 35 megapixels; anything past this limit is refused as a decompression bomb.
MAX_PIXELS = 150_000_000


@contextmanager
def _opened(path: Path) -> Iterator[Image.Image]:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                yield img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise InputFileError(f"Bild ist zu groß (mehr als {MAX_PIXELS:,} Pixel).") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise InputFileError(f"Bild ist beschädigt oder unvollständig ({e}).") from e


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
        return count


def load_frame(path: Path, index: int) -> Image.Image:
    """One page of an image file, loaded.

    Raises:
        InputFileError: the image is corrupt, truncated or absurdly large.
    """
    with _opened(path) as img:
        img.seek(index)
        _check_pixels(img)
        frame = img.copy()
        frame.load()
        return frame


def _check_pixels(frame: Image.Image) -> None:
    width, height = frame.size
    if width * height > MAX_PIXELS:
        raise Image.DecompressionBombError(f"{width}x{height}")
