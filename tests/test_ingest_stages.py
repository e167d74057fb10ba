"""Ingest stages on real documents: type by content, encodings, OCR, clean-up, metadata."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import DLT_TEXT, MEMO_SCAN, PRESS_PDF

from common.errors import InputFileError, MissingDependencyError
from common.settings import Settings
from ingest.cleanup import clean_page_text
from ingest.dates import find_dates, find_document_date
from ingest.detect import HEAD_BYTES, detect_media_type
from ingest.document import extract_pages
from ingest.metadata import extract_metadata
from ingest.ocr import probe_tesseract

SETTINGS = Settings()


def _head(path: Path) -> bytes:
    return path.read_bytes()[:HEAD_BYTES]


def test_type_is_recognised_by_content_not_by_name(copy_of) -> None:
    assert detect_media_type(_head(copy_of(PRESS_PDF, "liesmich.txt"))) == "application/pdf"
    assert detect_media_type(_head(copy_of(MEMO_SCAN, "scan.pdf"))) == "image/png"
    assert detect_media_type(_head(copy_of(DLT_TEXT, "text.png"))) == "text/plain"


def test_pdf_renamed_to_txt_is_still_parsed_as_pdf(copy_of) -> None:
    extracted = extract_pages(copy_of(PRESS_PDF, "liesmich.txt"), SETTINGS)
    assert extracted.media_type == "application/pdf"
    assert "Regionalpartnerschaft" in extracted.pages[0].text


def test_empty_and_unsupported_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="leer"):
        detect_media_type(b"")
    packed = gzip.compress(DLT_TEXT.read_bytes())
    with pytest.raises(InputFileError, match="nicht unterstützt"):
        detect_media_type(packed)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "iso-8859-15"])
def test_text_in_common_encodings_is_decoded_exactly(tmp_path: Path, encoding: str) -> None:
    original = DLT_TEXT.read_text(encoding="utf-8")
    # Latin-9 has no „typographic quotes“; everything else it carries must come back exactly.
    carried = original.encode(encoding, errors="replace").decode(encoding)
    target = tmp_path / f"dlt-{encoding}.txt"
    target.write_bytes(carried.encode(encoding))
    [page] = extract_pages(target, SETTINGS).pages
    assert page.method == "text"
    assert page.text == clean_page_text(carried)
    assert "Präsident" in page.text


def test_form_feeds_split_a_text_file_into_pages(tmp_path: Path) -> None:
    target = tmp_path / "zwei-seiten.txt"
    target.write_text("Erste Seite über Charkiw\fZweite Seite über Kyjiw\f", encoding="utf-8")
    pages = extract_pages(target, SETTINGS).pages
    assert [p.number for p in pages] == [1, 2]
    assert "Kyjiw" in pages[1].text


def test_scanned_memo_is_read_by_tesseract_in_german() -> None:
    [page] = extract_pages(MEMO_SCAN, SETTINGS).pages
    assert page.method == "ocr"
    for word in ("Hausmitteilung", "Oberbürgermeister", "Solidaritätspartnerschaft"):
        assert word in page.text


def test_missing_language_names_the_package_to_install() -> None:
    with pytest.raises(MissingDependencyError, match="tesseract-ocr-xyz"):
        probe_tesseract("deu+xyz")


def test_corrupt_image_is_refused(copy_of) -> None:
    damaged = copy_of(MEMO_SCAN, "kaputt.png")
    damaged.write_bytes(MEMO_SCAN.read_bytes()[:20_000])
    with pytest.raises(InputFileError, match="Bild ist beschädigt"):
        extract_pages(damaged, SETTINGS)


def test_line_break_hyphenation_is_joined_but_real_hyphens_stay() -> None:
    text = "Solidaritäts-\npartnerschaft mit Nordrhein-\nWestfalen, Hilfs-\nund Sachleistungen"
    assert clean_page_text(text) == (
        "Solidaritätspartnerschaft mit Nordrhein-Westfalen, Hilfs-\nund Sachleistungen"
    )


def test_press_release_title_and_date_come_from_the_pdf() -> None:
    found = {v.field: v for v in extract_pages(PRESS_PDF, SETTINGS).extracted}
    assert found["title"].value == (
        "Sachsen und ukrainische Region Charkiw beschließen Regionalpartnerschaft"
    )
    assert found["title"].method == "PDF-Eigenschaft „Titel“"
    assert found["issuer"].method == "PDF-Eigenschaft „Autor“"
    assert found["date"].value == "2024-03-27"


def _document_date(text: str) -> str:
    found = find_document_date([text], find_dates([text]))
    return found.value if found else ""


def test_unreadable_labelled_date_gives_no_date_rather_than_a_wrong_one() -> None:
    # "Datum: 2 IMÜZ. 2024" with no other March 2024 date to confirm the reading; the first
    # legible date (20. April 2023) is the council decision, not the memo's date.
    memo = "Datum:\n2 IMÜZ. 2024\n\nBeschluss in der Stadtratssitzung vom 20. April 2023"
    assert _document_date(memo) == ""
    assert _document_date("Datum: 27.03.2024\nam 20. April 2023") == "2024-03-27"
    assert _document_date("Bonn, 24. Februar 2024. Die russische Invasion") == "2024-02-24"
    assert _document_date("Am 29. Februar 2024 fand eine Videokonferenz statt") == ""
    assert _document_date("Datum: 30. Februar 2024") == ""


def test_ocr_damaged_date_label_is_repaired_when_the_page_confirms_it() -> None:
    memo = "Datum:\n2 IMÜZ. 2024\n\nVom 4. bis 7. März 2024 hatte Oberbürgermeister Hilbert"
    found = find_document_date([memo], find_dates([memo]))
    assert found.value == "2024-03-21"
    assert "bestätigt durch 7. März 2024" in found.method


def test_file_name_in_the_pdf_title_field_is_not_taken_for_a_title() -> None:
    memo = "Hausmitteilung\n\nBegründung einer Solidaritätspartnerschaft der Städte Dresden"
    meta = extract_metadata([memo], pdf_title="001_hausmitteilung_dresden")
    assert meta.title.value == "Begründung einer Solidaritätspartnerschaft der Städte Dresden"


def test_text_that_magic_numbers_mistake_is_still_text(tmp_path: Path) -> None:
    # Two real council texts were refused: one starts like a FrameMaker MIF file, the other
    # has a form feed between each of its pages.
    mif_like = tmp_path / "version.txt"
    mif_like.write_text("Version 2.0\n\neea®-Bericht der\nStadt Karlsruhe\nAugust 2009", "utf-8")
    paged = tmp_path / "seiten.txt"
    paged.write_text("\f".join(f"Seite {i} des Gemeinderats" for i in range(125)), "utf-8")
    assert detect_media_type(_head(mif_like)) == "text/plain"
    assert len(extract_pages(paged, SETTINGS).pages) == 125
