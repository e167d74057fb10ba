"""The searchable PDF: the original pages with Tesseract's invisible text layer laid over them.

As OCRmyPDF does, the text layer is grafted onto the original: a PDF's own page, or an image's
frames embedded without re-encoding (img2pdf), so the derivative shows each page as it was
scanned (colour, full resolution) while Tesseract read a grey working copy of it.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import img2pdf
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from ingest.image import load_frame
from ingest.ocr import OcrPage

_LAYER_NAME = "/FindbuchOCR"
# img2pdf reports on stderr, in English, what it handles itself (an alpha channel becomes a
# soft mask); the ingest's own lines are German and name the file.
logging.getLogger("img2pdf").setLevel(logging.ERROR)
# What img2pdf refuses to embed as it is (alpha channels, odd colour spaces, broken EXIF):
# such frames are converted to plain grey or RGB first, losslessly.
_NOT_EMBEDDABLE = (
    img2pdf.AlphaChannelError,
    img2pdf.UnsupportedColorspaceError,
    img2pdf.JpegColorspaceError,
    img2pdf.ExifOrientationError,
    img2pdf.ImageOpenError,
)


def searchable_pdf(layers: list[OcrPage | None], original: Path, *, is_pdf: bool) -> bytes:
    """The original's pages, each OCR'd one with its text layer; in page order.

    Args:
        layers: per page what Tesseract read (its text-only PDF layer and the turn it was
            read at), or ``None`` where the page kept its own text (born-digital pages of a
            mixed PDF).
        original: the original file.
        is_pdf: the original is a PDF; otherwise an image with one frame per page.

    Raises:
        pypdf.errors.PyPdfError: the original PDF cannot be copied page by page.
    """
    pages = PdfReader(original if is_pdf else io.BytesIO(_image_pdf(original, len(layers))))
    writer = PdfWriter(clone_from=pages)
    for page, layer in zip(writer.pages, layers, strict=True):
        if layer is not None:
            _lay_over(writer, page, layer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_pdf(image: Path, frames: int) -> bytes:
    """One page per frame, at the image's own size and resolution, pixels as stored."""
    try:
        return img2pdf.convert(str(image), rotation=img2pdf.Rotation.none)
    except _NOT_EMBEDDABLE:
        pngs = []
        for index in range(frames):
            frame = load_frame(image, index)
            grey = frame.mode in ("1", "L", "LA", "I", "I;16", "F")
            plain = frame.convert("L" if grey else "RGB")  # colour stays colour
            png = io.BytesIO()
            plain.save(png, "PNG", dpi=frame.info.get("dpi", (300, 300)))
            pngs.append(png.getvalue())
        return img2pdf.convert(pngs)


def _lay_over(writer: PdfWriter, page: PageObject, layer: OcrPage) -> None:
    """Draw the text layer over the page as a form XObject, turned and scaled onto what was read.

    Tesseract's layer is in the upright page's coordinates. The page is turned for display by
    its own /Rotate plus the turn that made it readable; the form's matrix maps the layer back
    into the unturned page space (PDF rotations run counter-clockwise). Neither content stream
    is parsed: pypdf's ``merge_transformed_page`` did that, 90 ms a page in pure Python.
    """
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
    contents = page.get("/Contents")
    if contents is None:
        return []
    streams = contents.get_object()
    return list(streams) if isinstance(streams, ArrayObject) else [contents]


def _content_bytes(page: PageObject) -> bytes:
    """The page's drawing operators, decoded but not parsed."""
    return b"\n".join(stream.get_object().get_data() for stream in _content_streams(page))
