"""Open scanned images safely: every frame of a (multi-page) image, with a pixel limit."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from findbuch.errors import InputFileError

# A4 at 600 dpi is 35 megapixels; anything past this limit is refused as a decompression bomb.
MAX_PIXELS = 150_000_000


def iter_image_pages(path: Path) -> Iterator[Image.Image]:
    """Yield each frame of an image file, loaded and ready for OCR.

    Raises:
        InputFileError: the image is corrupt, truncated or absurdly large.
    """
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                for frame in ImageSequence.Iterator(img):
                    _check_pixels(frame)
                    yield frame.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise InputFileError(f"Bild ist zu groß (mehr als {MAX_PIXELS:,} Pixel).") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise InputFileError(f"Bild ist beschädigt oder unvollständig ({e}).") from e


def _check_pixels(frame: Image.Image) -> None:
    width, height = frame.size
    if width * height > MAX_PIXELS:
        raise Image.DecompressionBombError(f"{width}x{height}")
