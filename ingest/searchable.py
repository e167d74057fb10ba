"""The searchable PDF: the original pages with Tesseract's invisible text layer laid over them.

As OCRmyPDF does, the text layer is grafted onto the original: a PDF's own page, or an image's
frames embedded without re-encoding (img2pdf), so the derivative shows each page as it was
scanned (colour, full resolution) while Tesseract read a grey working copy of it.

pypdf and img2pdf (0.1 s to import with cryptography and pikepdf) are imported where they are
used: a one-page ingest imports them in the thread that makes the image pages while Tesseract
reads (``prepare_image_pdf``), not before Tesseract starts.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.image import believable_dpi, load_frame
from ingest.ocr import OcrPage

if TYPE_CHECKING:
    from pypdf import PageObject, PdfWriter

log = logging.getLogger(__name__)
_LAYER_NAME = "/FindbuchOCR"
# The smallest page PDF allows is 3 units; tiny frames get a resolution that keeps them above.
_MIN_PAGE_UNITS = 3.5
# img2pdf reports on stderr, in English, what it handles itself (an alpha channel becomes a
# soft mask); the ingest's own lines are German and name the file.
logging.getLogger("img2pdf").setLevel(logging.ERROR)
# Image pages prepared ahead (``prepare_image_pdf``) by (path, size, modification time, frames),
# each taken by the copy that needs it. ``ingest --jobs 1`` has up to three documents read
# before it assembles the first (ingest.pipeline); older pages are dropped.
_ahead: dict[tuple[Path, int, int, int], bytes] = {}
_AHEAD_KEPT = 4


class SearchablePdfError(Exception):
    """The searchable copy could not be made; the document is kept without it."""


def searchable_pdf(layers: list[OcrPage | None], original: Path, *, is_pdf: bool) -> bytes:
    """The original's pages, each OCR'd one with its text layer; in page order.

    Any failure of pypdf or img2pdf on one original (pdf.js's ``issue21436.pdf`` raised an
    AttributeError, a 1-pixel-high PNG is below PDF's smallest page) costs only this copy.

    Raises:
        SearchablePdfError: the copy cannot be made; its cause is chained and logged.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf's and Pillow's notes on damaged files
            return _searchable_pdf(layers, original, is_pdf=is_pdf)
    except Exception as e:  # whatever the libraries raise, the document stays
        log.info("%s: kein durchsuchbares PDF: %r", original, e)
        raise SearchablePdfError(str(e)) from e


def _searchable_pdf(layers: list[OcrPage | None], original: Path, *, is_pdf: bool) -> bytes:
    """The original's pages, each OCR'd one with its text layer; in page order.

    Args:
        layers: per page what Tesseract read (its text-only PDF layer and the turn it was
            read at), or ``None`` where the page kept its own text (born-digital pages of a
            mixed PDF).
        original: the original file.
        is_pdf: the original is a PDF; otherwise an image with one frame per page.
    """
    from pypdf import PdfReader, PdfWriter

    pages = PdfReader(original if is_pdf else io.BytesIO(_image_pdf(original, len(layers))))
    writer = PdfWriter(clone_from=pages)
    for page, layer in zip(writer.pages, layers, strict=True):
        if layer is not None:
            _lay_over(writer, page, layer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def prepare_image_pdf(image: Path, frames: int) -> None:
    """Build an image original's pages for its searchable copy ahead, while Tesseract reads it.

    The pages do not depend on the reading; made beside Tesseract's child process they cost a
    one-page ingest nothing (0.13 s for a 300 dpi TIFF otherwise, bench/RESULTS.md). What
    fails here fails again when the copy is made, which reports it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pdf = _build_image_pdf(image, frames)
    _ahead[_identity(image, frames)] = pdf
    while len(_ahead) > _AHEAD_KEPT:
        del _ahead[next(iter(_ahead))]


def _identity(image: Path, frames: int) -> tuple[Path, int, int, int]:
    stat = image.stat()
    return image, stat.st_size, stat.st_mtime_ns, frames


def _image_pdf(image: Path, frames: int) -> bytes:
    """The image's pages, as prepared ahead for this very file or built now."""
    ahead = _ahead.pop(_identity(image, frames), None)
    return ahead if ahead is not None else _build_image_pdf(image, frames)


def _build_image_pdf(image: Path, frames: int) -> bytes:
    """One page per frame, at the image's own size and resolution, pixels as stored.

    What img2pdf cannot embed as stored (alpha, 16 bits, odd colour spaces, absurd dpi) or
    embeds with another number of pages (an animated PNG: img2pdf takes its first frame) is
    embedded as the frames OCR read, losslessly as PNG.
    """
    import img2pdf
    from pypdf import PdfReader

    # What img2pdf refuses to embed as it is (alpha channels, odd colour spaces, broken EXIF):
    # such frames are converted to plain grey or RGB first, losslessly.
    not_embeddable = (
        img2pdf.AlphaChannelError,
        img2pdf.UnsupportedColorspaceError,
        img2pdf.JpegColorspaceError,
        img2pdf.ExifOrientationError,
        img2pdf.ImageOpenError,
    )
    try:
        pdf = img2pdf.convert(str(image), rotation=img2pdf.Rotation.none)
        if len(PdfReader(io.BytesIO(pdf)).pages) == frames and _sizes_believable(image):
            return pdf
    except (*not_embeddable, ValueError, OSError):
        pass
    pngs = []
    for index in range(frames):
        frame = load_frame(image, index)  # 8-bit grey or RGB: colour stays colour
        dpi = frame.info.get("dpi", (300.0, 300.0))[0]
        dpi = min(dpi, min(frame.size) * 72 / _MIN_PAGE_UNITS)  # PDF pages are >= 3 units
        png = io.BytesIO()
        frame.save(png, "PNG", dpi=(dpi, dpi))
        pngs.append(png.getvalue())
    return img2pdf.convert(pngs)


def _sizes_believable(image: Path) -> bool:
    """Whether img2pdf's page sizes follow a resolution OCR believed too (see ingest.image)."""
    from PIL import Image, ImageSequence

    with Image.open(image) as img:
        return all(
            "dpi" not in frame.info or believable_dpi(frame) is not None
            for frame in ImageSequence.Iterator(img)
        )


def _lay_over(writer: PdfWriter, page: PageObject, layer: OcrPage) -> None:
    """Draw the text layer over the page as a form XObject, turned and scaled onto what was read.

    Tesseract's layer is in the upright page's coordinates. The page is turned for display by
    its own /Rotate plus the turn that made it readable; the form's matrix maps the layer back
    into the unturned page space (PDF rotations run counter-clockwise). Neither content stream
    is parsed: pypdf's ``merge_transformed_page`` did that, 90 ms a page in pure Python.
    """
    from pypdf import PdfReader, Transformation
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
    )

    if layer.rotation:
        page.rotate(layer.rotation)
    turn = page.rotation % 360
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    shown_width, shown_height = (height, width) if turn in (90, 270) else (width, height)
    text = PdfReader(io.BytesIO(layer.pdf)).pages[0]
    place = Transformation().scale(
        shown_width / float(text.mediabox.width), shown_height / float(text.mediabox.height)
    )
    if turn:
        offset = {90: (width, 0.0), 180: (width, height), 270: (0.0, height)}[turn]
        place = place.rotate(turn).translate(*offset)
    place = place.translate(float(box.left), float(box.bottom))

    form = DecodedStreamObject()
    form.set_data(_content_bytes(text))
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in text.mediabox),
            NameObject("/Matrix"): ArrayObject(FloatObject(v) for v in place.ctm),
            NameObject("/Resources"): text["/Resources"].clone(writer),
        }
    )
    # pypdf has no public call to add a new indirect object; a stream must be one.
    form_ref = writer._add_object(form)
    resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
    resources = resources.get_object()
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
    xobjects[NameObject(_LAYER_NAME)] = form_ref
    # The page's own drawing is wrapped in q ... Q, so whatever it leaves set cannot move ours.
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(f"\nQ\nq {_LAYER_NAME} Do Q\n".encode())
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *_content_streams(page), writer._add_object(after)]
    )


def _content_streams(page: PageObject) -> list:
    """The page's content streams (as referenced), none for an empty page."""
    from pypdf.generic import ArrayObject

    contents = page.get("/Contents")
    if contents is None:
        return []
    streams = contents.get_object()
    return list(streams) if isinstance(streams, ArrayObject) else [contents]


def _content_bytes(page: PageObject) -> bytes:
    """The page's drawing operators, decoded but not parsed."""
    return b"\n".join(stream.get_object().get_data() for stream in _content_streams(page))
