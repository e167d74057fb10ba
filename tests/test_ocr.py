"""Scans archivists can trust (issue 3): every input kind, evidence, parallel OCR, bad input."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from conftest import FIXTURES, MEMO_SCAN, NRW_PDF, PRESS_PDF, found_names, run_cli
from PIL import Image
from pypdf import PdfReader, PdfWriter

from archive import NewDocument
from common.settings import Settings
from findbuch import progress
from ingest.document import extract_pages
from ingest.ocr import lines_run_vertically, prepared, read_page
from ingest.searchable import prepare_image_pdf, searchable_pdf
from service.home import DataHome

GARBLED_FAMILY_FORM = FIXTURES / "k_kinduvv_bgbl1_2015_j2018-1_0010.pdf"
GARBLED_INSURANCE_FORM = FIXTURES / "k_kapausstv_2016_bgbl1_2016_j0795-1_0010.pdf"
IMAGE_ONLY_FORM = FIXTURES / "s_symbolvo_bgbl1_2009_j3870-1_0010.pdf"
ROTATED = FIXTURES / "004_dlt_rotated-p1.png"
SKEWED_JPEG = FIXTURES / "003_skew_kommunalpartnerschaften-p1.jpg"
TIFF = FIXTURES / "002_nrw_dnipropetrowsk.tif"
GROUND_TRUTH = FIXTURES / "ground_truth"


def _multipage_tiff(target: Path) -> Path:
    """A two-page TIFF made of two real scans."""
    first, second = Image.open(TIFF), Image.open(SKEWED_JPEG).convert("L")
    first.save(target, save_all=True, append_images=[second], compression="tiff_lzw")
    return target


def _mixed_pdf(target: Path) -> Path:
    """Two born-digital pages followed by one scanned page."""
    writer = PdfWriter()
    for source in (PRESS_PDF, IMAGE_ONLY_FORM):
        for page in PdfReader(source).pages:
            writer.add_page(page)
    with target.open("wb") as f:
        writer.write(f)
    return target


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Every input kind, ingested once with two OCR worker processes."""
    root = tmp_path_factory.mktemp("scans")
    files = [
        GARBLED_FAMILY_FORM,
        GARBLED_INSURANCE_FORM,
        IMAGE_ONLY_FORM,
        ROTATED,
        SKEWED_JPEG,
        _multipage_tiff(root / "zwei-seiten.tif"),
        _mixed_pdf(root / "gemischt.pdf"),
    ]
    settings = replace(Settings(home=root / "home"), jobs=2)
    with DataHome(settings) as home:
        results = list(home.ingest(files))
    assert [r.status for r in results] == ["added"] * len(files), results
    return root / "home", {Path(r.path).name: r.doc_id for r in results}


def _doc(home: Path, doc_id: str) -> dict:
    return json.loads(run_cli("--home", str(home), "show", doc_id, "--json").stdout)


def test_garbled_text_layers_are_noticed_and_ocrd(scans) -> None:
    home, ids = scans
    assert found_names(home, "Familiengericht") == [GARBLED_FAMILY_FORM.name]
    assert GARBLED_INSURANCE_FORM.name in found_names(home, "Solvabilitätskapitalanforderung")
    for form in (GARBLED_FAMILY_FORM, GARBLED_INSURANCE_FORM):
        assert [p["method"] for p in _doc(home, ids[form.name])["pages"]] == ["ocr"]


def test_image_only_form_becomes_searchable(scans) -> None:
    home, _ = scans
    assert IMAGE_ONLY_FORM.name in found_names(home, "Akkreditierungsstelle")


def test_mixed_pdf_is_decided_page_by_page(scans) -> None:
    home, ids = scans
    doc = _doc(home, ids["gemischt.pdf"])
    assert [p["method"] for p in doc["pages"]] == ["pdf", "pdf", "ocr"]
    [searchable] = [d for d in doc["derivatives"] if d["kind"] == "searchable_pdf"]
    pdf_path = home / "derivatives" / searchable["sha256"][:2] / searchable["sha256"]
    with pdfplumber.open(pdf_path) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    assert len(texts) == 3
    assert "Charkiw" in texts[0] and "Akkreditierungsstelle" in texts[2]


def test_multipage_tiff_is_one_document_with_a_page_per_frame(scans) -> None:
    home, ids = scans
    doc = _doc(home, ids["zwei-seiten.tif"])
    assert doc["page_count"] == 2
    assert "Dnipropetrowsk" in doc["pages"][0]["text"]
    assert "Kommunen" in doc["pages"][1]["text"]


def test_sideways_scan_is_turned_upright(scans) -> None:
    home, ids = scans
    [page] = _doc(home, ids[ROTATED.name])["pages"]
    assert page["rotation"] in (90, 270)
    assert page["confidence"] > 80
    assert "deutsch-ukrainischen kommunalen Partnerschaftskonferenz" in page["text"]


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_scan_lying_any_way_reads_upright(tmp_path: Path, turn: int) -> None:
    turned = tmp_path / f"gedreht-{turn}.png"
    with Image.open(TIFF) as scan:
        scan.rotate(turn, expand=True).save(turned, dpi=scan.info["dpi"])  # counter-clockwise
    [page] = extract_pages(turned, Settings()).pages
    assert page.rotation == turn  # degrees clockwise that turn it back
    assert page.confidence > 80
    assert "Europaminister Nathanael Liminski" in page.text


@pytest.mark.parametrize("scan", [MEMO_SCAN, SKEWED_JPEG, TIFF, ROTATED])
def test_pages_whose_lines_run_vertically_are_told_apart(scan: Path) -> None:
    with Image.open(scan) as image:
        grey = prepared(image, float(image.info["dpi"][0]), 240).grey
    sideways = scan == ROTATED
    assert lines_run_vertically(grey) is sideways
    assert lines_run_vertically(np.rot90(grey)) is not sideways


def _searchable(document: NewDocument) -> bytes:
    return next(d.data for d in document.derivatives if d.kind == "searchable_pdf")


def _page_pdf_and_words(document: NewDocument) -> tuple[PdfReader, list[list[str]]]:
    words_tsv = next(d.data for d in document.derivatives if d.kind == "ocr_words")
    rows = gzip.decompress(words_tsv).decode().splitlines()[1:]
    words = [row.split("\t") for row in rows if row.split("\t")[-1].strip()]
    return PdfReader(io.BytesIO(_searchable(document))), words


def test_fine_scans_are_read_at_the_working_resolution_with_boxes_in_their_own_pixels(
    tmp_path: Path,
) -> None:
    with Image.open(TIFF) as scan:
        width, height = scan.size  # A4 at 300 dpi
    for ocr_dpi in (240, 0):
        document = extract_pages(TIFF, replace(Settings(home=tmp_path), ocr_dpi=ocr_dpi))
        pdf, words = _page_pdf_and_words(document)
        # The searchable PDF shows the scan as archived, whatever resolution it was read at.
        [image] = pdf.pages[0].images
        assert image.image.size == (width, height)
        assert round(float(pdf.pages[0].mediabox.width)) == round(width / 300 * 72)
        assert "Dnipropetrowsk" in pdf.pages[0].extract_text()
        # So do the word boxes.
        assert width * 0.8 < max(int(w[7]) + int(w[9]) for w in words) <= width
        assert max(int(w[8]) + int(w[10]) for w in words) <= height


def test_searchable_pdf_embeds_the_scan_itself_under_a_text_layer_that_lies_on_its_words() -> None:
    document = extract_pages(SKEWED_JPEG, Settings())
    pdf, words = _page_pdf_and_words(document)
    xobjects = [x.get_object() for x in pdf.pages[0]["/Resources"]["/XObject"].values()]
    [image] = [x for x in xobjects if x["/Subtype"] == "/Image"]
    assert image.get_data() == SKEWED_JPEG.read_bytes()  # not re-encoded
    with Image.open(SKEWED_JPEG) as scan:
        points_per_pixel = 72 / scan.info["dpi"][0]
    box = next(w for w in words if w[-1] == "Kommunalpartnerschaften")
    with pdfplumber.open(io.BytesIO(_searchable(document))) as doc:
        word = next(w for w in doc.pages[0].extract_words() if w["text"] == box[-1])
    assert abs(word["x0"] - int(box[7]) * points_per_pixel) < 2
    assert abs(word["top"] - int(box[8]) * points_per_pixel) < 2


def test_a_turned_pdf_page_reads_upright_and_keeps_its_own_image(tmp_path: Path) -> None:
    turned = tmp_path / "quer.pdf"
    writer = PdfWriter()
    writer.add_page(PdfReader(FIXTURES / "001_hausmitteilung_dresden_scan.pdf").pages[0])
    writer.pages[0].rotate(90)  # shown sideways, as a careless scan to PDF leaves it
    writer.write(turned)
    document = extract_pages(turned, Settings())
    assert document.pages[0].rotation in (90, 270)
    assert "Solidaritätspartnerschaft" in document.pages[0].text
    pdf, _ = _page_pdf_and_words(document)
    assert pdf.pages[0].rotation % 360 == 0  # turned back upright for reading
    [ours] = pdf.pages[0].images
    [theirs] = PdfReader(turned).pages[0].images
    assert ours.data == theirs.data  # the original scan, not a rendering of it
    with pdfplumber.open(io.BytesIO(_searchable(document))) as searchable:
        assert "Solidaritätspartnerschaft" in searchable.pages[0].extract_text()


def test_a_scan_with_transparency_is_ingested_without_foreign_messages(tmp_path: Path) -> None:
    transparent = tmp_path / "transparent.png"
    with Image.open(MEMO_SCAN) as scan:
        scan.convert("RGBA").save(transparent, dpi=scan.info["dpi"])
    command = [sys.executable, "-m", "findbuch", "--home", str(tmp_path / "home")]
    done = subprocess.run(
        [*command, "ingest", str(transparent), "--json"], capture_output=True, text=True
    )
    assert json.loads(done.stdout)["status"] == "added"
    # A loaded machine may take longer than the 10 s after which a progress line is due.
    ours = [line for line in done.stderr.splitlines() if not line.startswith('{"progress"')]
    assert ours == ["Fertig: 1 hinzugefügt, 0 bereits im Archiv, 0 fehlgeschlagen."]


def _rare_words(ground_truth: str, count: int = 3) -> list[str]:
    """The longest words of the first lines of a ground truth: distinctive search words."""
    words = re.findall(r"[A-ZÄÖÜ][a-zäöüß]{11,}", ground_truth[:1200])
    return sorted(set(words), key=len, reverse=True)[:count]


@pytest.mark.parametrize(
    ("scan", "truth"),
    [
        (ROTATED, "004_dlt_rotated.gt.txt"),
        (SKEWED_JPEG, "003_skew_kommunalpartnerschaften.gt.txt"),
        ("zwei-seiten.tif", "002_nrw_dnipropetrowsk.gt.txt"),
    ],
)
def test_each_scan_is_found_by_words_of_its_ground_truth(scans, scan, truth: str) -> None:
    home, _ = scans
    name = scan if isinstance(scan, str) else scan.name
    words = _rare_words((GROUND_TRUTH / truth).read_text(encoding="utf-8"))
    assert len(words) == 3
    for word in words:
        assert name in found_names(home, word), word


def test_evidence_is_kept_raw_text_words_with_boxes_and_confidence(scans) -> None:
    home, ids = scans
    doc = _doc(home, ids[ROTATED.name])
    [page] = doc["pages"]
    assert page["raw"] and page["raw"] != page["text"]  # raw keeps Tesseract's line breaks
    [words] = [d for d in doc["derivatives"] if d["kind"] == "ocr_words"]
    tsv = gzip.decompress(
        (home / "derivatives" / words["sha256"][:2] / words["sha256"]).read_bytes()
    ).decode()
    header, *rows = tsv.splitlines()
    assert header.split("\t")[:2] == ["page", "level"] and header.endswith("conf\ttext")
    cells = [row.split("\t") for row in rows]
    found = {c[-1]: float(c[-2]) for c in cells if c[-1].strip()}
    assert found["Partnerschaftskonferenz"] > 80
    assert all(c[0] == "1" and int(c[9]) > 0 for c in cells if c[-1].strip())


def test_parallel_ocr_reads_the_same_as_one_process(tmp_path: Path) -> None:
    files = [SKEWED_JPEG, MEMO_SCAN]
    texts = []
    for jobs in (1, 2):
        with DataHome(replace(Settings(home=tmp_path / f"jobs{jobs}"), jobs=jobs)) as home:
            ids = [r.doc_id for r in home.ingest(files)]
            texts.append([home.pages(doc_id)[0].text for doc_id in ids])
    assert texts[0] == texts[1]


def test_low_confidence_page_is_flagged(tmp_path: Path) -> None:
    blurred = tmp_path / "unscharf.png"
    scan = Image.open(MEMO_SCAN)
    scan.resize((scan.width // 12, scan.height // 12)).save(blurred)
    result = run_cli("--home", str(tmp_path / "home"), "ingest", str(blurred), "--json")
    line = json.loads(result.stdout)
    assert line["status"] == "added"
    assert line["warnings"] and "geringe Erkennungssicherheit" in line["warnings"][0]
    [page] = _doc(tmp_path / "home", line["doc_id"])["pages"]
    assert page["problem"].startswith("geringe Erkennungssicherheit")


def _encrypted_pdf(target: Path) -> Path:
    writer = PdfWriter(clone_from=NRW_PDF)
    writer.encrypt(user_password="geheim", owner_password="geheim")
    with target.open("wb") as f:
        writer.write(f)
    return target


def _huge_pdf(target: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with target.open("wb") as f:
        writer.write(f)
    return target


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Broken files made from real ones, each with the message it must produce."""
    folder.mkdir()
    (folder / "leer.pdf").write_bytes(b"")
    (folder / "abgeschnitten.jpg").write_bytes(SKEWED_JPEG.read_bytes()[:30_000])
    _encrypted_pdf(folder / "verschluesselt.pdf")
    Image.new("1", (20_000, 20_000)).save(folder / "bombe.png")
    _huge_pdf(folder / "tausende-seiten.pdf", 5_001)
    (folder / "archiv.pdf").write_bytes(gzip.compress(NRW_PDF.read_bytes()))
    return {
        "leer.pdf": "leer",
        "abgeschnitten.jpg": "Bild ist beschädigt oder unvollständig",
        "verschluesselt.pdf": "PDF ist verschlüsselt",
        "bombe.png": "Bild ist zu groß",
        "tausende-seiten.pdf": "PDF hat 5.001 Seiten".replace(".", ","),
        "archiv.pdf": "Dateityp wird nicht unterstützt",
    }


def test_every_bad_input_fails_alone_with_one_clear_line(tmp_path: Path) -> None:
    folder = tmp_path / "eingang"
    expected = _bad_inputs(folder)
    good = folder / "gut.pdf"
    good.write_bytes(NRW_PDF.read_bytes())
    home = tmp_path / "home"
    result = run_cli("--home", str(home), "ingest", str(folder), "--json")
    assert result.exit_code == 1
    lines = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert lines["gut.pdf"]["status"] == "added"
    for name, message in expected.items():
        assert lines[name]["status"] == "failed", name
        assert message in lines[name]["error"], (name, lines[name]["error"])
    stored = [p for p in (home / "originals").rglob("*") if p.is_file()]
    assert len(stored) == 1  # nothing of the failed files was kept
    assert not (home / "derivatives").exists()


def test_ocr_timeout_fails_that_file_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = CliEnv(FINDBUCH_OCR_TIMEOUT="0.01").run(
        "--home", str(home), "ingest", str(ROTATED), str(NRW_PDF), "--json"
    )
    assert result.exit_code == 1
    scan, text = map(json.loads, result.stdout.splitlines())
    assert scan["status"] == "failed"
    assert scan["error"].startswith("Seite 1:") and "länger als 0.01 s" in scan["error"]
    assert text["status"] == "added"


class CliEnv:
    """Run the CLI with extra environment variables (settings from FINDBUCH_*)."""

    def __init__(self, **env: str) -> None:
        self.env = env

    def run(self, *args: str):
        from click.testing import CliRunner

        from findbuch.cli import cli

        return CliRunner(env=self.env).invoke(cli, list(args), catch_exceptions=False)


def test_progress_is_reported_as_json_lines_without_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "JSON_INTERVAL_S", 0.05)
    home = str(tmp_path / "home")
    result = run_cli("--home", home, "ingest", "--json", str(TIFF), str(PRESS_PDF))
    pages = sum(json.loads(line)["pages"] for line in result.stdout.splitlines())
    lines = [json.loads(line)["progress"] for line in result.stderr.splitlines() if line[:1] == "{"]
    assert lines[0]["documents_done"] == 0  # a line comes while the first file is being read
    final = {"documents_done": 2, "documents_total": 2, "pages_done": pages}
    assert lines[-1] == {**lines[-1], **final}


def test_searchable_pdf_can_be_downloaded(scans) -> None:
    from conftest import make_client

    home, ids = scans
    client = make_client(home, public=True)
    with client.get(f"/d/{ids[ROTATED.name]}/durchsuchbar.pdf") as response:
        assert response.status_code == 200
        with pdfplumber.open(io.BytesIO(response.data)) as pdf:
            assert "Partnerschaftskonferenz" in pdf.pages[0].extract_text()
    page = client.get(f"/d/{ids[ROTATED.name]}").get_data(as_text=True)
    assert "Durchsuchbares PDF" in page and "Sicherheit" in page


def test_extract_pages_reads_a_scan_without_storing_it() -> None:
    document = extract_pages(ROTATED, Settings())
    assert document.pages[0].method == "ocr"
    assert {d.kind for d in document.derivatives} == {"searchable_pdf", "ocr_words"}


def test_image_pages_prepared_while_tesseract_reads_serve_only_that_file_unchanged(
    tmp_path: Path,
) -> None:
    scan = tmp_path / "scan.png"
    with Image.open(TIFF) as tiff:
        tiff.crop((0, 0, 2480, 700)).save(scan, dpi=(300, 300))
        prepare_image_pdf(scan, 1)  # as a one-page ingest does while Tesseract reads
        tiff.crop((0, 0, 2480, 900)).save(scan, dpi=(300, 300))  # the file changes meanwhile
    with Image.open(scan) as changed:
        changed.load()
        page = read_page(changed, languages="deu", timeout=60, max_dpi=240)
    pdf = PdfReader(io.BytesIO(searchable_pdf([page], scan, is_pdf=False)))
    [image] = pdf.pages[0].images
    assert image.image.size == (2480, 900)  # the file as read, not the pages made before
    assert "Dnipropetrowsk" in pdf.pages[0].extract_text()
    layer = pdf.pages[0]["/Resources"]["/XObject"]["/FindbuchOCR"].get_object().get_data()
    assert b"3 Tr" in layer  # the text is invisible: the page shows the scan alone
