"""Nothing lost, nothing let in (issue 7): kills, concurrency, hostile input, fuzzing."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    ARCHIVIST,
    FIXTURES,
    NRW_PDF,
    add_accounts,
    csrf_token,
    login,
    run_cli,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from archive import safe_file_name
from common.errors import InputFileError
from common.settings import Settings
from ingest.document import extract_pages
from service.home import DataHome

FINDBUCH = Path(sys.executable).parent / "findbuch"
TEXTS = [
    FIXTURES / "003_kommunalpartnerschaften_webartikel.md",
    FIXTURES / "004_dlt_partnerschaftskonferenz.md",
]


def _paragraph_documents(folder: Path) -> list[Path]:
    """One text file per paragraph of the real fixture texts: many small real documents."""
    folder.mkdir()
    paragraphs = []
    for text in TEXTS:
        paragraphs += [
            p.strip() for p in text.read_text(encoding="utf-8").split("\n\n") if len(p) > 80
        ]
    files = []
    for i, paragraph in enumerate(dict.fromkeys(paragraphs)):
        path = folder / f"absatz-{i:03d}.txt"
        path.write_text(paragraph, encoding="utf-8")
        files.append(path)
    return files


def _ingest_process(home: Path, folder: Path, *, lines: bool = False) -> subprocess.Popen:
    """``ingest --json`` in its own process; with ``lines`` its JSON lines can be read."""
    return subprocess.Popen(
        [FINDBUCH, "--home", home, "ingest", folder, "--jobs", "1", "--json"],
        stdout=subprocess.PIPE if lines else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _assert_each_document_once(home: Path, count: int) -> None:
    with DataHome(Settings(home=home)) as h:
        docs = list(h.archive.catalog.documents())
        assert len(docs) == count
        assert h.index.document_ids() == {d.doc_id for d in docs}
        assert all(h.index.entries(d.doc_id) == d.page_count for d in docs)


def test_killed_ingest_restarted_ends_with_every_file_exactly_once(tmp_path: Path) -> None:
    files = _paragraph_documents(tmp_path / "eingang")
    home = tmp_path / "home"
    rng = random.Random(7)
    kills = 0
    for _ in range(5):
        # Killed after a random number of files, always before the last: mid-batch, however
        # fast the machine reads (a random sleep let a fast run finish before its kill).
        process = _ingest_process(home, tmp_path / "eingang", lines=True)
        for _line in range(rng.randint(1, len(files) - 1)):
            if not process.stdout.readline():
                break
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        process.stdout.close()
    final = subprocess.run(
        [FINDBUCH, "--home", home, "ingest", tmp_path / "eingang"], capture_output=True, text=True
    )
    assert final.returncode == 0, final.stderr
    assert kills >= 2
    repaired = run_cli("--home", str(home), "check", "--repair")
    assert repaired.exit_code == 0, repaired.stdout
    assert run_cli("--home", str(home), "check").exit_code == 0
    _assert_each_document_once(home, len(files))


def test_check_finds_and_repairs_what_a_crash_leaves(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli("--home", str(home), "ingest", str(NRW_PDF))
    originals = home / "originals" / "ab"
    originals.mkdir(parents=True)
    (originals / ".incoming-x1").write_bytes(b"halb")
    (originals / ("ab" + "0" * 62)).write_bytes(b"ohne Katalogeintrag")
    with DataHome(Settings(home=home)) as h:
        doc_id = next(iter(h.index.document_ids()))
        h.index.remove(doc_id)  # as if the run died before its index commit
    found = json.loads(run_cli("--home", str(home), "check", "--json").stdout)["problems"]
    assert sorted(p["kind"] for p in found) == ["incomplete", "not_indexed", "orphan"]
    assert run_cli("--home", str(home), "check").exit_code == 1
    assert run_cli("--home", str(home), "check", "--repair").exit_code == 0
    assert run_cli("--home", str(home), "check").exit_code == 0
    assert (home / "lost+found" / "originals" / "ab" / ("ab" + "0" * 62)).is_file()
    assert (
        json.loads(run_cli("--home", str(home), "search", "Liminski", "--json").stdout)["total"]
        == 1
    )


def test_searches_are_never_blocked_by_ingestion(tmp_path: Path) -> None:
    files = _paragraph_documents(tmp_path / "eingang")
    home = tmp_path / "home"
    run_cli("--home", str(home), "ingest", str(NRW_PDF))
    process = _ingest_process(home, tmp_path / "eingang")
    totals = []
    with DataHome(Settings(home=home), readonly=True) as reader:
        while process.poll() is None:
            totals.append(reader.search("Partnerschaft", limit=5).total)
    assert process.returncode == 0
    assert totals and totals == sorted(totals)  # readers see committed states, never fewer
    _assert_each_document_once(home, len(files) + 1)


def test_two_ingests_at_once_serialise_their_writes(tmp_path: Path) -> None:
    files = _paragraph_documents(tmp_path / "eingang")
    half = len(files) // 2
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for i, f in enumerate(files):
        f.rename(tmp_path / ("a" if i < half else "b") / f.name)
    home = tmp_path / "home"
    run_cli("--home", str(home), "ingest", str(NRW_PDF))  # the home exists before both start
    first, second = _ingest_process(home, tmp_path / "a"), _ingest_process(home, tmp_path / "b")
    assert first.wait(120) == 0 and second.wait(120) == 0
    _assert_each_document_once(home, len(files) + 1)


def _pdf_with_javascript_and_attachment(target: Path) -> Path:
    writer = PdfWriter(clone_from=NRW_PDF)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('Hallo');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = action
    writer.add_attachment("beilage.txt", b"eingebettete Datei")
    with target.open("wb") as f:
        writer.write(f)
    return target


def test_pdf_with_javascript_and_embedded_file_is_read_as_text_only(tmp_path: Path) -> None:
    hostile = _pdf_with_javascript_and_attachment(tmp_path / "aktiv.pdf")
    document = extract_pages(hostile, Settings())
    assert "Liminski" in document.pages[0].text
    assert "app.alert" not in document.pages[0].text


def test_pdf_with_ten_thousand_pages_is_refused_clearly(tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(10_000):
        writer.add_blank_page(width=595, height=842)
    huge = tmp_path / "zehntausend.pdf"
    with huge.open("wb") as f:
        writer.write(f)
    with pytest.raises(InputFileError, match="10,000 Seiten"):
        extract_pages(huge, Settings())


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from findbuch.cli import cli

    big = FIXTURES / "001_hausmitteilung_dresden_scan.pdf"  # 2.4 MB
    result = CliRunner(env={"FINDBUCH_MAX_FILE_MB": "1"}).invoke(
        cli, ["--home", str(tmp_path / "home"), "ingest", str(big), "--json"]
    )
    assert result.exit_code == 1
    assert "größer als 1 MB" in json.loads(result.stdout)["error"]


def test_upload_over_the_limit_is_refused_before_anything_is_stored(tmp_path: Path) -> None:
    from dataclasses import replace

    from ingest.queue import Queues
    from service.secret_key import ensure_secret_key
    from web import create_app

    home = tmp_path / "home"
    add_accounts(home)
    ensure_secret_key(home)
    settings = replace(Settings(home=home), max_upload_mb=1)
    client = create_app(settings, queue=Queues(settings)).test_client()
    login(client, ARCHIVIST)
    token = csrf_token(client.get("/hochladen").get_data(as_text=True))
    # A raw body: the test client would spool a form over 500 KB to a temporary file.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + token.encode()
        + b'\r\n--B\r\nContent-Disposition: form-data; name="dateien"; filename="gross.txt"'
        + b"\r\nContent-Type: text/plain\r\n\r\n"
        + b"x" * 1_200_000
        + b"\r\n--B--\r\n"
    )
    response = client.post("/hochladen", data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 413
    assert "zu groß" in response.get_data(as_text=True)
    assert not (home / "inbox").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("a\x00b\x01c.pdf", "abc.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        ("..", "upload"),
        (".versteckt", "versteckt"),
    ],
)
def test_hostile_file_names_stay_inside_the_inbox(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


def test_control_characters_in_file_names_are_not_recorded(tmp_path: Path) -> None:
    odd = tmp_path / "Bericht\x1b[31m rot\x07.txt"
    odd.write_text("Bericht über Charkiw", encoding="utf-8")
    result = run_cli("--home", str(tmp_path / "home"), "ingest", str(odd), "--json")
    doc_id = json.loads(result.stdout)["doc_id"]
    shown = json.loads(run_cli("--home", str(tmp_path / "home"), "show", doc_id, "--json").stdout)
    assert shown["original_name"] == "Bericht[31m rot.txt"


_FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutated(data: bytes, flips: list[tuple[int, int]], cut: int) -> bytes:
    mutable = bytearray(data[: max(1, cut)])
    for position, value in flips:
        mutable[position % len(mutable)] = value
    return bytes(mutable)


@_FUZZ
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=20),
    cut=st.integers(1, 40_000),
)
def test_fuzzed_pdfs_fail_only_with_a_clear_error(tmp_path_factory, flips, cut) -> None:
    _extract_or_clear_error(tmp_path_factory, _mutated(NRW_PDF.read_bytes(), flips, cut), "f.pdf")


@_FUZZ
@given(data=st.binary(max_size=4000))
def test_fuzzed_text_and_random_bytes_fail_only_with_a_clear_error(tmp_path_factory, data) -> None:
    _extract_or_clear_error(tmp_path_factory, data, "f.txt")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.integers(100, 60_000),
)
def test_fuzzed_images_fail_only_with_a_clear_error(tmp_path_factory, flips, cut) -> None:
    jpeg = (FIXTURES / "003_skew_kommunalpartnerschaften-p1.jpg").read_bytes()
    _extract_or_clear_error(tmp_path_factory, _mutated(jpeg, flips, cut), "f.jpg")


def _extract_or_clear_error(tmp_path_factory, data: bytes, name: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    started = time.monotonic()
    try:
        extract_pages(path, Settings(ocr_timeout=20))
    except InputFileError as e:
        assert e.message and "\n" not in e.message
    assert time.monotonic() - started < 60
    path.unlink()
