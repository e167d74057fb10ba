"""Files nobody here wrote, from other projects' test suites: one bad file costs one line.

The fixtures in tests/fixtures/realworld are real files of Pillow, pdf.js, pdfplumber, pypdf,
chardet and charset_normalizer (sources in tests/fixtures/README.md); each once stopped a
batch, lost its text or was refused although other readers read it. bench/robustness.py runs
790 such files.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli, search_json

REALWORLD = FIXTURES / "realworld"
# Library text in a message or on stderr: English words, empty brackets, a double full stop.
ENGLISH = re.compile(
    r"\b(the|is|not|of|and|error|invalid|missing|unexpected|cannot|unable|must|argument|"
    r"object|dimensions|Warning|Traceback)\b|\(\)|\.\."
)
# Added as documents although each stopped the batch or was refused before.
ADDED = (
    "16bit.deflate.tif",  # 16 bits per sample: img2pdf cannot keep them
    "lab.tif",  # LAB colour: Pillow converts it to nothing
    "apng_num_plays.png",  # animated: 3 frames, img2pdf wrote 1
    "exif_gps.jpg",  # 8x8 pixels declaring 4,294,967,295 dpi
    "tRNS_null_1x1.png",  # one pixel: below PDF's smallest page
    "issue21436.pdf",  # pypdf raised AttributeError while building the searchable copy
    "issue-848.pdf",  # a Ghostscript banner before %PDF-
    "r6-empty-password.pdf",  # encrypted with an empty user password
    "senate-expenditures.pdf",  # an English text layer
    "issue16063.pdf",  # a Japanese text layer
)
# Added before too, but with text lost: letter-spaced or joined words, a signature's text, and
# Central European texts decoded as cp1252 (chardet's test files, named after their encoding).
TEXT_LOST = (
    "bug854315.pdf",  # a signature widget: its text only in the annotation's appearance
    "iso-8859-2-hungarian_ude_1.txt",
    "iso-8859-2-polish_ude_1.txt",
    "windows-1250-hungarian_ude_1.txt",
)
FAILED = {
    "crash-1185209c.tif": "Bild ist beschädigt oder unvollständig",
    "r6-both-passwords.pdf": "PDF ist verschlüsselt",
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict:
    """One ingest of every real-world fixture by the real command, as a user runs it."""
    folder = tmp_path_factory.mktemp("eingang")
    names = sorted([*ADDED, *TEXT_LOST, *FAILED])
    # The bad files first: the batch must go on behind them.
    for index, name in enumerate(sorted(names, key=lambda n: n not in FAILED)):
        shutil.copy(REALWORLD / name, folder / f"{index:02d}_{name}")
    home = tmp_path_factory.mktemp("home")
    done = subprocess.run(
        [sys.executable, "-m", "findbuch", "--home", str(home), "ingest", str(folder), "--json",
         "--jobs", "2"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = {
        Path(r["path"]).name.split("_", 1)[1]: r for r in map(json.loads, done.stdout.splitlines())
    }
    return {"home": home, "lines": lines, "stderr": done.stderr, "exit": done.returncode}


def test_every_real_world_file_costs_at_most_its_own_line(batch) -> None:
    assert batch["exit"] == 1  # two files failed
    assert set(batch["lines"]) == {*ADDED, *TEXT_LOST, *FAILED}
    for name in (*ADDED, *TEXT_LOST):
        assert batch["lines"][name]["status"] == "added", (name, batch["lines"][name])
    for name, message in FAILED.items():
        line = batch["lines"][name]
        assert line["status"] == "failed"
        assert line["error"].startswith(message) or f": {message}" in line["error"], line
        assert not ENGLISH.search(line["error"]), line["error"]


def test_stderr_holds_german_lines_only(batch) -> None:
    for line in batch["stderr"].splitlines():
        if line.startswith('{"progress"'):
            continue
        assert "site-packages" not in line, line
        assert not ENGLISH.search(re.sub(r"\S*/\S*", "", line)), line  # paths aside


def test_a_document_whose_searchable_copy_fails_is_kept_with_a_warning(batch) -> None:
    line = batch["lines"]["issue21436.pdf"]
    assert any("kein durchsuchbares PDF" in w for w in line["warnings"])
    assert not any(ENGLISH.search(w) for w in line["warnings"])


def test_every_frame_of_an_animated_png_is_a_page(batch) -> None:
    assert batch["lines"]["apng_num_plays.png"]["pages"] == 3
    shown = _show(batch, "apng_num_plays.png")
    assert [p["method"] for p in shown["pages"]] == ["ocr"] * 3


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("senate-expenditures.pdf", "Citibank"),  # stands 22 times in its layer
        ("issue-848.pdf", "Boddicker"),
    ],
)
def test_foreign_and_bannered_text_layers_are_kept_and_found(batch, name, word) -> None:
    shown = _show(batch, name)
    assert {p["method"] for p in shown["pages"]} == {"pdf"}
    hits = search_json(batch["home"], word)["hits"]
    assert batch["lines"][name]["doc_id"] in [h["doc_id"] for h in hits]


def test_mirrored_glyph_runs_are_stored_as_words_on_every_page(batch) -> None:
    # pdfplumber reads the mirrored runs of six of its eight pages "T h e m o v i e".
    shown = _show(batch, "issue-848.pdf")
    assert len(shown["pages"]) == 8
    for page in shown["pages"]:
        assert "Frederickson" in page["text"] and "Boddicker" in page["text"], page["number"]


def test_words_set_tight_are_stored_apart_and_found(batch) -> None:
    # pdfplumber joins them: "DISTRICTDIRECTOR", "LEGISLATIVECORRESPONDENT".
    text = _show(batch, "senate-expenditures.pdf")["pages"][0]["text"]
    assert "DISTRICT DIRECTOR" in text and "LEGISLATIVE CORRESPONDENT" in text
    hits = search_json(batch["home"], "correspondent")["hits"]
    assert batch["lines"]["senate-expenditures.pdf"]["doc_id"] in [h["doc_id"] for h in hits]


def test_the_text_of_a_signature_annotation_is_kept_and_found(batch) -> None:
    shown = _show(batch, "bug854315.pdf")
    assert shown["pages"][0]["method"] == "pdf"
    assert "Firmato elettronicamente" in shown["pages"][0]["text"]
    hits = search_json(batch["home"], "Rüschlikon")["hits"]
    assert batch["lines"]["bug854315.pdf"]["doc_id"] in [h["doc_id"] for h in hits]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("iso-8859-2-hungarian_ude_1.txt", "iso8859_2"),
        ("iso-8859-2-polish_ude_1.txt", "iso8859_2"),
        ("windows-1250-hungarian_ude_1.txt", "cp1250"),
    ],
)
def test_central_european_texts_are_decoded_in_their_own_code_page(batch, name, encoding) -> None:
    # charset-normalizer rates cp1252 alike; its "õ û" and "³ ¿ œ" spell no language.
    truth = (REALWORLD / name).read_bytes().decode(encoding)
    stored = " ".join(p["text"] for p in _show(batch, name)["pages"])
    assert stored.split() == truth.split()


def test_a_japanese_text_layer_is_kept_not_ocrd_in_german(batch) -> None:
    shown = _show(batch, "issue16063.pdf")
    assert shown["pages"][0]["method"] == "pdf"
    assert "電線接続端子部" in shown["pages"][0]["text"]


def test_an_empty_user_password_opens_the_pdf(batch) -> None:
    shown = _show(batch, "r6-empty-password.pdf")
    assert shown["pages"][0]["method"] == "pdf" and shown["pages"][0]["text"].strip()


@pytest.mark.parametrize(
    "encoding", ["cp1252", "mac_roman", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32"]
)
def test_french_text_keeps_its_accents_in_every_encoding(tmp_path: Path, encoding) -> None:
    text = (REALWORLD / "sample-french.txt").read_text(encoding="utf-8")
    path = tmp_path / "molière.txt"
    path.write_bytes(text.encode(encoding))  # no byte order mark but for "utf-32"
    home = tmp_path / "home"
    result = run_cli("--home", str(home), "ingest", str(path), "--json")
    line = json.loads(result.stdout)
    assert line["status"] == "added", line
    shown = json.loads(run_cli("--home", str(home), "show", line["doc_id"], "--json").stdout)
    stored = " ".join(p["text"] for p in shown["pages"])
    assert "NÉ LE 15 JANVIER 1622, MORT LE 17 FÉVRIER 1673" in stored
    assert "légende de Molière" in stored
    assert stored.split() == text.split()


def test_text_with_control_characters_is_kept_without_them(tmp_path: Path) -> None:
    path = tmp_path / "ratsvorlage.txt"
    path.write_bytes(b"Vorlage\x02 Nr. 17\x07\nBeschluss\x1b des Gemeinderats\n" * 20)
    home = tmp_path / "home"
    line = json.loads(run_cli("--home", str(home), "ingest", str(path), "--json").stdout)
    assert line["status"] == "added", line
    shown = json.loads(run_cli("--home", str(home), "show", line["doc_id"], "--json").stdout)
    assert "Vorlage Nr. 17\nBeschluss des Gemeinderats" in shown["pages"][0]["text"]


def _show(batch: dict, name: str) -> dict:
    doc_id = batch["lines"][name]["doc_id"]
    result = run_cli("--home", str(batch["home"]), "show", doc_id, "--json")
    return json.loads(result.stdout)
