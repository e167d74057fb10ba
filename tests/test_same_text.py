"""Same text in several files: found at ingest, shown on both pages, once in search, undone."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from common.settings import Settings
from service.home import DataHome
from service.queue_writer import ingestion_service
from tests.conftest import (
    ARCHIVIST,
    DLT_TEXT,
    FIXTURES,
    NRW_PDF,
    READER,
    add_accounts,
    csrf_token,
    login,
    make_client,
    run_cli,
    search_json,
)

NRW_SCAN = FIXTURES / "002_nrw_dnipropetrowsk.tif"
DLT_PDF = FIXTURES / "004_dlt_partnerschaftskonferenz.pdf"
# Two Karlsruhe council papers opening with the same 30-word form header, different subjects.
BOILERPLATE_PAIR = ("591080", "591081")


def _council_papers(folder: Path) -> list[Path]:
    with gzip.open(FIXTURES / "karlsruhe_200.jsonl.gz", "rt", encoding="utf-8") as lines:
        texts = {str(r["file_id"]): r["text"] for r in map(json.loads, lines)}
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for file_id in BOILERPLATE_PAIR:
        path = folder / f"vorlage_{file_id}.txt"
        path.write_text(texts[file_id], encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def same_text_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a PDF and its scan, a Markdown file and its PDF, two council papers."""
    root = tmp_path_factory.mktemp("same_text")
    files = [NRW_PDF, NRW_SCAN, DLT_TEXT, DLT_PDF, *_council_papers(root / "input")]
    with DataHome(Settings(home=root / "home")) as h:
        results = list(h.ingest(files))
    assert [r.status for r in results] == ["added"] * len(files), results
    add_accounts(root / "home")
    return root / "home"


def _ids(home: Path) -> dict[str, str]:
    with DataHome(Settings(home=home), readonly=True) as h:
        return {d.original_name: d.doc_id for d in h.archive.catalog.documents()}


def test_both_pages_of_a_pdf_and_its_scan_link_each_other(same_text_home: Path) -> None:
    ids = _ids(same_text_home)
    client = make_client(same_text_home)
    login(client, READER)
    for name, other in (
        (NRW_PDF.name, NRW_SCAN.name),
        (NRW_SCAN.name, NRW_PDF.name),
        (DLT_TEXT.name, DLT_PDF.name),
    ):
        page = client.get(f"/d/{ids[name]}").get_data(as_text=True)
        same = re.search(r"gleicher Text wie(.*?)</p>", page, re.S)
        assert same, name
        assert f'href="/d/{ids[other]}"' in same.group(1)
        assert other in same.group(1)
        assert "Kein gleicher Text" not in page  # readers cannot undo a match


def test_search_shows_the_text_once_with_the_other_file_reachable(same_text_home: Path) -> None:
    ids = _ids(same_text_home)
    hits = search_json(same_text_home, "Dnipropetrowsk")["hits"]
    nrw = {ids[NRW_PDF.name], ids[NRW_SCAN.name]}
    shown = [h for h in hits if h["doc_id"] in nrw]
    assert len(shown) == 1
    assert shown[0]["same_text"] == sorted(nrw - {shown[0]["doc_id"]})
    client = make_client(same_text_home, public=True)
    page = client.get("/?q=Dnipropetrowsk").get_data(as_text=True)
    other = shown[0]["same_text"][0]
    assert page.count('class="hit"') == len(hits)
    assert re.search(rf'Gleicher Text auch in: <a href="/d/{other}">', page)


def test_council_papers_sharing_a_form_header_are_not_the_same_text(same_text_home: Path):
    ids = _ids(same_text_home)
    with DataHome(Settings(home=same_text_home), readonly=True) as h:
        for file_id in BOILERPLATE_PAIR:
            assert h.same_text(ids[f"vorlage_{file_id}.txt"]) == []
        assert [m.other for m in h.same_text(ids[NRW_PDF.name])] == [ids[NRW_SCAN.name]]


def _two_files_of_one_text(tmp_path: Path) -> tuple[Path, str, str]:
    """A home with the DLT statement as Markdown and as PDF (one text), with accounts."""
    home = tmp_path / "home"
    with DataHome(Settings(home=home)) as h:
        assert [r.status for r in h.ingest([DLT_TEXT, DLT_PDF])] == ["added", "added"]
    add_accounts(home)
    ids = _ids(home)
    return home, ids[DLT_TEXT.name], ids[DLT_PDF.name]


def test_archivist_undoes_a_wrong_match_through_the_web(tmp_path: Path) -> None:
    home, md, pdf = _two_files_of_one_text(tmp_path)
    assert len(search_json(home, "Partnerschaftskonferenz")["hits"]) == 1
    with ingestion_service(Settings(home=home), worker=False) as queues:  # the one writer
        client = make_client(home, queue=queues)
        login(client, ARCHIVIST)
        page = client.get(f"/d/{md}").get_data(as_text=True)
        assert "Kein gleicher Text" in page
        without_token = client.post(f"/d/{md}/gleicher-text", data={"anderes": pdf})
        assert without_token.status_code == 400
        response = client.post(
            f"/d/{md}/gleicher-text", data={"anderes": pdf, "csrf_token": csrf_token(page)}
        )
        assert response.status_code == 302
        for doc_id in (md, pdf):
            assert "gleicher Text wie" not in client.get(f"/d/{doc_id}").get_data(as_text=True)
        history = client.get(f"/d/{pdf}").get_data(as_text=True)
        assert f"getrennt von {ARCHIVIST[0]}" in history
    hits = search_json(home, "Partnerschaftskonferenz")["hits"]
    assert sorted(h["doc_id"] for h in hits) == sorted([md, pdf])
    assert all(h["same_text"] == [] for h in hits)
    with DataHome(Settings(home=home), readonly=True) as h:
        (match,) = h.same_text(md, separated=True)
    assert match.separated_by == ARCHIVIST[0]
    assert match.separated_at


def test_without_a_writer_an_undo_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    home, md, pdf = _two_files_of_one_text(tmp_path)
    client = make_client(home)  # no queue: the web process may not write
    login(client, ARCHIVIST)
    token = csrf_token(client.get(f"/d/{md}").get_data(as_text=True))
    response = client.post(f"/d/{md}/gleicher-text", data={"anderes": pdf, "csrf_token": token})
    assert response.status_code == 409
    assert "Schreibdienst" in response.get_data(as_text=True)
    with DataHome(Settings(home=home), readonly=True) as h:
        assert [m.other for m in h.same_text(md)] == [pdf]


def test_readers_cannot_undo_a_match(tmp_path: Path) -> None:
    home, md, pdf = _two_files_of_one_text(tmp_path)
    client = make_client(home)
    login(client, READER)
    token = csrf_token(client.get("/").get_data(as_text=True) + _any_form(client))
    response = client.post(f"/d/{md}/gleicher-text", data={"anderes": pdf, "csrf_token": token})
    assert response.status_code == 403
    with DataHome(Settings(home=home), readonly=True) as h:
        assert [m.other for m in h.same_text(md)] == [pdf]


def _any_form(client) -> str:
    return client.get("/anmelden").get_data(as_text=True)


def _karlsruhe(folder: Path) -> dict[str, Path]:
    with gzip.open(FIXTURES / "karlsruhe_same_text.jsonl.gz", "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for row in rows:
        paths[str(row["file_id"])] = folder / f"vorlage_{row['file_id']}.txt"
        paths[str(row["file_id"])].write_text(row["text"], encoding="utf-8")
    return paths


def test_sister_papers_stay_apart_and_one_paper_filed_twice_is_matched(tmp_path: Path) -> None:
    papers = _karlsruhe(tmp_path / "input")
    with DataHome(Settings(home=tmp_path / "home")) as h:
        assert {r.status for r in h.ingest(papers.values())} == {"added"}
        ids = {
            d.original_name.removeprefix("vorlage_").removesuffix(".txt"): d.doc_id
            for d in h.archive.catalog.documents()
        }
        # the 3rd and the 2nd amendment of one by-law: dates and numbers differ
        assert h.same_text(ids["19322"]) == []
        assert h.same_text(ids["26315"]) == []
        # one enquiry under two file ids, some words joined differently
        (match,) = h.same_text(ids["25924"])
    assert match.other == ids["505604"]
    assert match.similarity > 0.97


def test_a_catalog_from_before_same_text_opens_and_gains_its_tables(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with DataHome(Settings(home=home)) as h:
        list(h.ingest([DLT_TEXT]))
    catalog = Settings(home=home).layout.catalog
    conn = sqlite3.connect(catalog)
    with conn:
        for table in ("same_text", "fingerprint_bands", "fingerprints"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version=4")
    conn.close()
    with DataHome(Settings(home=home), readonly=True) as h:
        doc_id = h.archive.catalog.document_ids()[0]
        assert h.same_text(doc_id) == []  # read before any writer migrated it
        assert len(h.search("Partnerschaftskonferenz").hits) == 1
    reexport = tmp_path / "dlt_neu.md"  # the same text, other bytes
    reexport.write_bytes(DLT_TEXT.read_bytes() + b"\n")
    with DataHome(Settings(home=home)) as h:
        assert [r.status for r in h.ingest([DLT_PDF, reexport])] == ["added", "added"]
        # documents archived before the tables existed have no fingerprint (README)
        hits = h.search("Partnerschaftskonferenz").hits
        assert sorted(len(hit.same_text) for hit in hits) == [0, 1]


def test_the_duplicates_bench_runs_on_the_fixture_papers() -> None:
    corpus = FIXTURES / "karlsruhe_same_text.jsonl.gz"
    done = subprocess.run(
        [sys.executable, "-m", "bench.duplicates", "--corpus", str(corpus), "--show", "1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert "matched pairs: 1: identical words 0, other 1" in done.stdout
    assert "--- 19322 / 26315" in done.stdout  # the sister papers, rejected, shown for reading
    assert "0.1% of letters changed: 1.000, 1.000" in done.stdout


def test_reindex_finds_the_same_text_in_documents_archived_before_fingerprints(tmp_path: Path):
    home = tmp_path / "home"
    with DataHome(Settings(home=home)) as h:
        list(h.ingest([DLT_TEXT, DLT_PDF]))
    ids = _ids(home)
    with sqlite3.connect(home / "catalog.sqlite") as old:  # as a home from before issue 19
        for table in ("fingerprints", "fingerprint_bands", "same_text"):
            old.execute(f"DELETE FROM {table}")
    with DataHome(Settings(home=home), readonly=True) as h:
        assert h.same_text(ids[DLT_TEXT.name]) == []
    assert run_cli("--home", str(home), "reindex").exit_code == 0
    with DataHome(Settings(home=home), readonly=True) as h:
        assert [m.other for m in h.same_text(ids[DLT_TEXT.name])] == [ids[DLT_PDF.name]]
    assert len(search_json(home, "Partnerschaftskonferenz")["hits"]) == 1
