"""OParl import (issue 20) against a real OParl server on loopback (tests/oparl_server.py).

The Karlsruhe objects are read from ../shared/oparl (they may not be shipped, see
tests/fixtures/README.md); tests of malformed input build their own small objects.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from conftest import run_cli, search_json

from archive.papers import papers_for
from common.settings import Settings
from ingest.oparl.schema import schema_errors
from service.home import DataHome
from tests.oparl_server import BODY, PREFIX, TYPE, OParlServer, Sample, load_karlsruhe

KARLSRUHE = Path(__file__).resolve().parents[2] / "shared" / "oparl" / "karlsruhe"
needs_karlsruhe = pytest.mark.skipif(
    not KARLSRUHE.is_dir(), reason="../shared/oparl fehlt (Karlsruher Daten nicht mitgeliefert)"
)
# An Antrag with 5 files and 4 consultations, a scan, an Antrag with one consultation id three
# times, an Informationsvorlage without files, a tombstone.
SAMPLE = ["47116", "35722", "39860", "49761", "52240"]
SCANNED_FILE = "598343"
FINDBUCH = Path(sys.executable).parent / "findbuch"


def _import(home: Path, url: str, *extra: str) -> tuple[Result, list[dict]]:
    result = run_cli(
        "--home", str(home), "import-oparl", url, "--json", "--rate", "0", "--jobs", "1",
        "--backoff", "0.05", *extra,
    )  # fmt: skip
    return result, [json.loads(line) for line in result.stdout.splitlines()]


def _sample(papers: list[str]) -> Sample:
    return load_karlsruhe(KARLSRUHE, papers, max_chars=1500)


def _file_ids(sample: Sample) -> dict[str, list[str]]:
    """Per live paper, its file numbers in order."""
    return {
        pid: [f["id"].rsplit("/", 1)[1] for f in paper.get("auxiliaryFile", [])]
        for pid, paper in sample.papers.items()
        if not paper.get("deleted")
    }


def _docs_by_file(home: Path) -> dict[str, str]:
    """File number -> document id, for every file imported."""
    with DataHome(Settings(home=home)) as h:
        rows = h.archive.catalog._conn.execute(
            "SELECT file_id, sha256 FROM oparl_files WHERE status = 'done'"
        )
        return {file_id.rsplit("/", 1)[1]: sha[:16] for file_id, sha in rows}


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory):
    """The sample imported once into a home; tests read from it."""
    if not KARLSRUHE.is_dir():
        pytest.skip("../shared/oparl fehlt")
    sample = _sample(SAMPLE)
    home = tmp_path_factory.mktemp("oparl") / "home"
    with OParlServer(sample) as server:
        result, events = _import(home, server.system_url)
        assert result.exit_code == 0, result.stderr
        yield server, home, sample, events


@needs_karlsruhe
def test_every_file_is_imported_with_the_papers_metadata(synced) -> None:
    _server, home, sample, events = synced
    docs = _docs_by_file(home)
    expected = _file_ids(sample)
    assert set(docs) == {n for numbers in expected.values() for n in numbers}
    assert [e["status"] for e in events if e["kind"] == "file"] == ["added"] * len(docs)
    with DataHome(Settings(home=home)) as h:
        for pid, numbers in expected.items():
            paper = sample.papers[pid]
            for position, number in enumerate(numbers):
                doc = h.describe(docs[number])
                assert doc["references"][0] == paper["reference"]
                assert doc["date"] == paper["date"]
                assert doc["issuer"] == "Stadt Karlsruhe"
                assert doc["type"] == "council_paper"
                assert doc["title"].startswith(paper["name"])
                assert (doc["title"] == paper["name"]) == (position == 0)
                [stated] = doc["papers"]
                assert stated["paper_type"] == paper["paperType"]
                assert stated["paper_id"].endswith(pid.removeprefix(PREFIX))
                assert [f["doc_id"] for f in stated["files"]] == [docs[n] for n in numbers]
        scan = h.describe(docs[SCANNED_FILE])
        assert [p["method"] for p in scan["pages"]] == ["ocr"]
        assert "2017/0482" in scan["pages"][0]["text"]
        # Extracted values stay beside the stated ones.
        assert scan["metadata"]["references"]["extracted"]
        consultations = h.describe(docs["638965"])["papers"][0]["consultations"]
    assert len(consultations) == 4
    first = consultations[0]
    assert first["meeting_start"].startswith("2022-")
    assert first["organization_name"] and first["role"] == "Entscheidung"
    assert any(c["result"] for c in consultations)


@needs_karlsruhe
def test_search_for_a_reference_finds_the_papers_files_first(synced) -> None:
    _server, home, sample, _events = synced
    docs = _docs_by_file(home)
    numbers = _file_ids(sample)[PREFIX + "bodies/0001/papers/vo/47116"]
    found = search_json(home, "2022/0799")
    assert {h["doc_id"] for h in found["hits"][: len(numbers)]} == {docs[n] for n in numbers}
    for pid, listed in _file_ids(sample).items():  # of every paper, the main file first
        if listed:
            first = search_json(home, sample.papers[pid]["reference"])["hits"][0]
            assert first["doc_id"] == docs[listed[0]], pid
    assert found["facets"]["doc_type"] == [["council_paper", len(numbers)]]
    assert found["facets"]["issuer"] == [["Stadt Karlsruhe", len(numbers)]]


@needs_karlsruhe
def test_facets_and_filters_name_paper_types_and_committees(synced) -> None:
    from conftest import make_client

    _server, home, sample, _events = synced
    docs = _docs_by_file(home)
    files = _file_ids(sample)
    by_type: dict[str, set[str]] = {}
    for pid, numbers in files.items():
        by_type.setdefault(sample.papers[pid]["paperType"], set()).update(docs[n] for n in numbers)
    pid = PREFIX + "bodies/0001/papers/vo/47116"
    paper_type, numbers = sample.papers[pid]["paperType"], files[pid]
    with DataHome(Settings(home=home)) as h:
        consulted = h.describe(docs[numbers[0]])["papers"][0]["consultations"]
    committees = sorted({c["organization_name"] for c in consulted})
    found = search_json(home, "2022/0799")
    assert found["facets"]["paper_types"][0] == [paper_type, len(numbers)]
    assert {name for name, _ in found["facets"]["committees"]} >= set(committees)
    assert len(by_type) > 1  # the sample holds more than one type
    for each, doc_ids in by_type.items():
        typed = search_json(home, f'vorlagenart:"{each}"', "--limit", "50")
        assert {h["doc_id"] for h in typed["hits"]} == doc_ids
    on_committee = search_json(home, f'gremium:"{committees[0]}"', "--limit", "50")
    assert {docs[n] for n in numbers} <= {h["doc_id"] for h in on_committee["hits"]}
    client = make_client(home, public=True)
    html = client.get("/", query_string={"q": "2022/0799"}).get_data(as_text=True)
    assert "Vorlagenart" in html and "Gremien" in html and committees[0] in html
    clicked = client.get("/", query_string={"q": "Karlsruhe", "vorlagenart": paper_type})
    listed = clicked.get_data(as_text=True)
    assert f"/d/{docs[numbers[0]]}" in listed
    others = set().union(*(ids for t, ids in by_type.items() if t != paper_type))
    assert not any(f"/d/{d}" in listed for d in others - by_type[paper_type])


@needs_karlsruhe
def test_the_document_page_shows_the_paper_with_its_consultations_and_files(synced) -> None:
    from conftest import make_client

    _server, home, sample, _events = synced
    docs = _docs_by_file(home)
    pid = PREFIX + "bodies/0001/papers/vo/47116"
    paper, numbers = sample.papers[pid], _file_ids(sample)[pid]
    page = make_client(home, public=True).get(f"/d/{docs[numbers[1]]}").get_data(as_text=True)
    assert f"Vorlage {paper['reference']}" in page
    assert paper["paperType"] in page
    assert "Dateien der Vorlage" in page and "(Hauptdatei)" in page
    assert f'href="/d/{docs[numbers[0]]}"' in page  # the main file, linked from an attachment
    assert "(diese Datei)" in page


@needs_karlsruhe
def test_second_run_fetches_nothing_new(synced) -> None:
    server, home, _sample, _events = synced
    before = len(server.log)
    result, events = _import(home, server.system_url)
    assert result.exit_code == 0, result.stderr
    assert server.log[before:] == ["/oparl/system", "/oparl/bodies", "/oparl/bodies/0001/papers"]
    assert [e for e in events if e.get("kind") == "file"] == []
    with DataHome(Settings(home=home)) as h:
        [sync] = papers_for(h.archive.catalog).syncs()
    assert sync["last_sync"] == sync["last_started"] != ""


@needs_karlsruhe
def test_modified_paper_is_updated_and_corrections_still_win(tmp_path: Path) -> None:
    sample = _sample(["47116", "39860"])
    home = tmp_path / "home"
    antrag, deferred = (PREFIX + f"bodies/0001/papers/vo/{n}" for n in ("47116", "39860"))
    with OParlServer(sample) as server:
        assert _import(home, server.system_url)[0].exit_code == 0
        docs = _docs_by_file(home)
        corrected = run_cli("--home", str(home), "edit", docs["639957"], "title=Stellungnahme OB")
        assert corrected.exit_code == 0, corrected.stderr
        files = sample.papers[antrag]["auxiliaryFile"]
        sample.texts["642915"] = "Neue Fassung des Protokolls zur Vorlage 2022/0799."
        changed = {**files[2], "modified": "2026-01-01T00:00:00+01:00"}
        server.touch(antrag, name="Sicherheit auf dem Straßenstrich", auxiliaryFile=[
            *files[:2], changed, *files[3:]])  # fmt: skip
        server.touch(deferred, deleted=True, name="", reference="", paperType="")
        before = len(server.log)
        result, events = _import(home, server.system_url)
        assert result.exit_code == 0, result.stderr
        downloads = [p for p in server.log[before:] if "/downloadfiles/" in p]
    assert downloads == ["/oparl/bodies/0001/downloadfiles/00642915.pdf"]
    after = _docs_by_file(home)
    assert after["642915"] != docs["642915"]
    with DataHome(Settings(home=home)) as h:
        main = h.describe(after["638965"])
        assert main["title"] == "Sicherheit auf dem Straßenstrich"
        assert main["metadata"]["title"]["extracted"]  # the machine's reading is kept
        mine = h.describe(docs["639957"])
        assert mine["title"] == "Stellungnahme OB" and mine["metadata"]["title"]["corrected"]
        assert h.document(docs["642915"]).withdrawn.startswith("Im Ratsinformationssystem")
        tombstone = h.describe(docs["617828"])  # a file of the paper deleted upstream
        assert tombstone["papers"][0]["deleted"] is True
        assert tombstone["references"][0] == "2020/0652"
        assert h.archive.catalog.count() == len(docs) + 1
    assert sum(e.get("status") == "deleted" for e in events) == 0  # files events only
    assert [h["doc_id"] for h in search_json(home, "Stellungnahme OB")["hits"]][:1] == [
        docs["639957"]
    ]


@needs_karlsruhe
def test_a_flaky_server_still_gives_a_complete_import(tmp_path: Path) -> None:
    sample = _sample(["47116", "39860", "49761"])
    with OParlServer(sample) as server:
        server.fail_every = 3
        server.throttle_once = True
        result, events = _import(tmp_path / "home", server.system_url)
        assert result.exit_code == 0, result.stderr
        assert not server.throttle_once  # the 429 was answered
    expected = {n for numbers in _file_ids(sample).values() for n in numbers}
    assert set(_docs_by_file(tmp_path / "home")) == expected
    assert [e for e in events if e.get("kind") == "problem"] == []


@needs_karlsruhe
def test_a_killed_import_run_again_leaves_every_file_once(tmp_path: Path) -> None:
    sample = _sample(["47116", "39860", "49761"])
    home = tmp_path / "home"
    command = [str(FINDBUCH), "--home", str(home), "import-oparl", "--json", "--rate", "0",
               "--jobs", "1", "--batch", "2"]  # fmt: skip
    with OParlServer(sample, page_size=1) as server:
        for kill_after in (1, 2):  # killed right after a batch, while the next one is read
            process = subprocess.Popen(
                [*command, server.system_url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
            seen = 0
            for line in process.stdout:
                seen += json.loads(line).get("kind") == "file"
                if seen == kill_after:
                    break
            process.send_signal(signal.SIGKILL)
            process.wait()
            process.stdout.close()
        done = subprocess.run([*command, server.system_url], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    expected = {n for numbers in _file_ids(sample).values() for n in numbers}
    docs = _docs_by_file(home)
    assert set(docs) == expected
    check = run_cli("--home", str(home), "check")
    assert check.exit_code == 0, check.stdout
    with DataHome(Settings(home=home)) as h:
        assert h.archive.catalog.count() == len(expected)
        assert h.index.document_ids() == set(docs.values())


def _synthetic() -> Sample:
    """Four papers: one good, one without id, one with fields of the wrong type, one whose
    file is missing and whose meeting link is broken."""

    def paper(n: str, **fields: object) -> dict:
        return {"id": f"{BODY}/papers/{n}", "type": TYPE + "Paper", "body": BODY,
                "modified": "2024-01-01T00:00:00+01:00", **fields}  # fmt: skip

    def file(n: str) -> dict:
        return {"id": f"{BODY}/files/{n}", "type": TYPE + "File", "name": "Vorlage",
                "fileName": f"{int(n):08d}.pdf", "modified": "2024-01-01T00:00:00+01:00",
                "accessUrl": f"{BODY}/downloadfiles/{int(n):08d}.pdf"}  # fmt: skip

    good = paper("1", name="Radweg am Rhein", reference="2024/0001", paperType="Antrag",
                 date="2024-01-10", auxiliaryFile=[file("11"), file("11")])  # fmt: skip
    nameless = {k: v for k, v in paper("2").items() if k != "id"}
    wrong = paper("3", reference=5, auxiliaryFile="anlage.pdf")
    consultation = {"id": f"{BODY}/consultations/9", "type": TYPE + "Consultation",
                    "meeting": f"{BODY}/meetings/404", "role": "Beratung"}  # fmt: skip
    missing = paper("4", name="Spielplatz", reference="2024/0004", auxiliaryFile=[file("44")],
                    consultation=[consultation])  # fmt: skip
    sample = Sample(texts={"11": "Antrag: Radweg am Rhein. Vorlage 2024/0001.", "44": None})
    for p in (good, nameless, wrong, missing):
        sample.papers[p.get("id", f"{BODY}/papers/2")] = p
    return sample


def test_malformed_oparl_is_reported_by_object_and_the_rest_goes_on(tmp_path: Path) -> None:
    sample = _synthetic()
    home = tmp_path / "home"
    with OParlServer(sample, page_size=3) as server:
        server.next_loops = True
        result, events = _import(home, server.system_url, "--retries", "0")
        assert result.exit_code == 1
        problems = {e["subject"].removeprefix(server.base): e["message"] for e in events
                    if e.get("kind") == "problem"}  # fmt: skip
        assert "Pflichtfeld fehlt ('id')" in problems["Vorlage ohne id"]
        assert "falscher Typ" in problems["bodies/0001/papers/3"]
        assert "HTTP 404" in problems["bodies/0001/meetings/404"]
        assert any("Schleife" in m for m in problems.values())
        files = {e["subject"].rsplit("/", 1)[1]: e for e in events if e.get("kind") == "file"}
        assert files["11"]["status"] == "added"  # listed twice, one document
        assert files["44"]["status"] == "failed" and "HTTP 404" in files["44"]["message"]
        assert "Traceback" not in result.stderr
        # The missing file appears upstream; the next run fetches it, and only it.
        sample.texts["44"] = "Spielplatz an der Alb."
        server.next_loops = False
        before = len(server.log)
        _again, events = _import(home, server.system_url)
        assert [p for p in server.log[before:] if "downloadfiles" in p] == [
            "/oparl/bodies/0001/downloadfiles/00000044.pdf"
        ]
    assert [e["status"] for e in events if e.get("kind") == "file"] == ["added"]
    assert search_json(home, "2024/0004")["hits"][0]["title"] == "Spielplatz"


def test_an_unreachable_server_gets_one_german_line(tmp_path: Path) -> None:
    result = run_cli(
        "--home", str(tmp_path / "home"), "import-oparl", "http://127.0.0.1:9/oparl/system",
        "--retries", "0",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "nicht erreichbar" in result.stderr
    assert "keine OParl-Körperschaft" in result.stderr.splitlines()[-1]


@needs_karlsruhe
def test_every_sample_object_passes_the_schema_and_a_broken_one_is_named() -> None:
    for path in sorted((KARLSRUHE / "papers").glob("*.json"))[:60]:
        assert schema_errors(json.loads(path.read_text()), "Paper") == [], path
    paper = json.loads((KARLSRUHE / "papers" / "47116.json").read_text())
    paper["date"] = "gestern"
    del paper["auxiliaryFile"][1]["accessUrl"]
    assert schema_errors(paper, "Paper") == [
        "auxiliaryFile/1: Pflichtfeld fehlt ('accessUrl')",
        "date: kein gültiges Format date",
    ]


def test_a_body_url_since_and_body_choose_what_is_imported(tmp_path: Path) -> None:
    sample = _synthetic()
    home = tmp_path / "home"
    with OParlServer(sample, page_size=3) as server:
        later, events = _import(home, server.base + "bodies/0001", "--since", "2030-01-01")
        assert later.exit_code == 0, later.stderr
        assert [e for e in events if e.get("kind") == "file"] == []
        other = run_cli("--home", str(home), "import-oparl", server.system_url, "--body", "0002")
        assert other.exit_code == 1
        assert "keine Körperschaft „0002“" in other.stderr
    wrong = run_cli("--home", str(home), "import-oparl", server.system_url, "--since", "gestern")
    assert wrong.exit_code == 2
    assert "kein Datum" in wrong.stderr


def test_the_same_bytes_under_two_papers_are_one_document_with_both_references(
    tmp_path: Path,
) -> None:
    sample = _synthetic()
    copy = json.loads(
        json.dumps(sample.papers[f"{BODY}/papers/1"]).replace("2024/0001", "2024/0009")
    )
    copy["id"] = f"{BODY}/papers/5"
    copy["auxiliaryFile"] = [{**copy["auxiliaryFile"][0], "id": f"{BODY}/files/55",
                              "accessUrl": f"{BODY}/downloadfiles/00000055.pdf"}]  # fmt: skip
    sample.papers[copy["id"]] = copy
    sample.texts["55"] = sample.texts["11"]
    home = tmp_path / "home"
    with OParlServer(sample, page_size=5) as server:
        _result, events = _import(home, server.system_url, "--retries", "0")
    statuses = {
        e["subject"].rsplit("/", 1)[1]: e["status"] for e in events if e.get("kind") == "file"
    }
    assert statuses["11"] == "added" and statuses["55"] == "duplicate"
    docs = _docs_by_file(home)
    assert docs["11"] == docs["55"]
    with DataHome(Settings(home=home)) as h:
        doc = h.describe(docs["11"])
        assert h.archive.catalog.count() == 1  # (the file of paper 4 is missing upstream)
    assert doc["references"][:2] == ["2024/0001", "2024/0009"]
    assert [p["reference"] for p in doc["papers"]] == ["2024/0001", "2024/0009"]
