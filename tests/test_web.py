"""The web app: access, search, read, cite, correct, upload, API, escaping and headers."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from conftest import (
    ARCHIVIST,
    MEMO_SCAN,
    NRW_PDF,
    PRESS_PDF,
    READER,
    add_accounts,
    child_pids,
    csrf_token,
    free_port,
    login,
    make_client,
    run_cli,
    search_json,
)

from common.layout import HomeLayout
from common.settings import Settings
from ingest.queue import Queues
from service.home import DataHome
from service.queue_writer import ingestion_service
from web.openapi import SCHEMAS

SKEWED_JPEG = Path(__file__).parent / "fixtures" / "003_skew_kommunalpartnerschaften-p1.jpg"


@pytest.fixture
def reader(ingested_home: Path):
    client = make_client(ingested_home)
    login(client, READER)
    return client


def _doc_id(home: Path, query: str) -> str:
    found = json.loads(run_cli("--home", str(home), "search", query, "--json").stdout)
    return found["hits"][0]["doc_id"]


@pytest.fixture
def writable_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    assert run_cli("--home", str(home), "ingest", str(PRESS_PDF), str(NRW_PDF)).exit_code == 0
    add_accounts(home)
    return home


def test_anonymous_users_are_sent_to_login(ingested_home: Path) -> None:
    client = make_client(ingested_home)
    response = client.get("/?q=Charkiw")
    assert response.status_code == 302
    assert "/anmelden" in response.headers["Location"]
    assert client.get("/api/search?q=Charkiw").status_code == 401


def test_public_mode_allows_reading_without_login(ingested_home: Path) -> None:
    client = make_client(ingested_home, public=True)
    assert "<mark>Charkiw</mark>" in client.get("/?q=Charkiw").get_data(as_text=True)
    assert client.get("/hochladen").status_code == 302  # writing still needs a login


def test_wrong_password_is_refused_and_repeated_failures_are_paused(ingested_home: Path):
    client = make_client(ingested_home)
    token = csrf_token(client.get("/anmelden").get_data(as_text=True))
    statuses = [
        client.post(
            "/anmelden",
            data={"name": "leser", "password": "falsch", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "10.9.8.7"},
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]


def test_search_page_lists_documents_with_highlighted_snippets(reader) -> None:
    page = reader.get("/?q=Charkiw").get_data(as_text=True)
    assert "1 Dokument für „Charkiw“" in page
    assert "Sachsen und ukrainische Region Charkiw beschließen Regionalpartnerschaft" in page
    assert "<mark>Charkiw</mark>" in page
    assert "27.03.2024" in page


def test_facets_filters_and_year_chart(reader) -> None:
    page = reader.get("/?q=Partnerschaft").get_data(as_text=True)
    assert "Dokumenttyp" in page and "Pressemitteilung" in page
    assert "typ=press_release" in page  # a facet value links to the filtered search
    filtered = reader.get("/?q=Partnerschaft&typ=memo").get_data(as_text=True)
    assert "1 Dokument für „Partnerschaft“" in filtered
    dated = reader.get("/?q=Partnerschaft&von=01.03.2024&bis=31.03.2024").get_data(as_text=True)
    assert "Dokument" in dated and "27.03.2024" in dated


def test_empty_result_suggests_what_to_do(reader) -> None:
    page = reader.get("/?q=Wasserstoffelektrolyseur").get_data(as_text=True)
    assert "Keine Treffer für „Wasserstoffelektrolyseur“" in page
    assert "Prüfen Sie die Schreibweise" in page


def test_query_and_document_text_are_escaped(tmp_path: Path) -> None:
    home = tmp_path / "home"
    hostile = tmp_path / "<img src=x onerror=alert(1)>.txt"
    hostile.write_text("Bericht <script>alert('x')</script> über Charkiw", encoding="utf-8")
    assert run_cli("--home", str(home), "ingest", str(hostile)).exit_code == 0
    add_accounts(home)
    client = make_client(home)
    login(client, READER)
    results = client.get("/?q=<script>alert(1)</script> Charkiw").get_data(as_text=True)
    assert "<script>alert" not in results and "&lt;script&gt;" in results
    document = client.get(f"/d/{_doc_id(home, 'Charkiw')}?q=Charkiw").get_data(as_text=True)
    assert "<script>alert" not in document and "<img src=x" not in document
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in document


def test_document_page_shows_metadata_pages_citation_and_highlights(reader, ingested_home):
    doc_id = _doc_id(ingested_home, "Charkiw")
    page = reader.get(f"/d/{doc_id}?q=Charkiw&seite=2").get_data(as_text=True)
    assert 'id="seite-1"' in page and 'id="seite-2"' in page
    assert hashlib.sha256(PRESS_PDF.read_bytes()).hexdigest() in page
    assert "<mark>Charkiw</mark>" in page
    assert "Sächsische Staatskanzlei: Sachsen und ukrainische Region Charkiw" in page
    assert f"/d/{doc_id}/s/2" in page and "Zitat kopieren" in page
    assert "Metadaten korrigieren" not in page  # readers cannot edit


def test_page_permalink_and_page_image(reader, ingested_home: Path) -> None:
    doc_id = _doc_id(ingested_home, "Charkiw")
    response = reader.get(f"/d/{doc_id}/s/2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/d/{doc_id}?seite=2#seite-2")
    assert reader.get(f"/d/{doc_id}/s/9").status_code == 404
    image = reader.get(f"/d/{doc_id}/s/1/bild?breite=200")
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("bibtex", "@misc{"), ("ris", "TY  - "), ("csl-json", "["), ("text", "Sächsische")],
)
def test_citation_downloads(reader, ingested_home: Path, fmt: str, start: str) -> None:
    response = reader.get(f"/d/{_doc_id(ingested_home, 'Charkiw')}/zitat/{fmt}?seite=2")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith(start)
    assert "attachment" in response.headers["Content-Disposition"]


def test_original_downloads_byte_for_byte(reader, ingested_home: Path) -> None:
    with reader.get(f"/d/{_doc_id(ingested_home, 'Charkiw')}/original") as response:
        assert response.data == PRESS_PDF.read_bytes()
        assert PRESS_PDF.name in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "path", ["/d/0000000000000000", "/d/../../etc/passwd/original", "/d/%2e%2e/original", "/x"]
)
def test_unknown_paths_are_404_in_german_and_never_leave_the_archive(reader, path: str):
    response = reader.get(path)
    assert response.status_code == 404
    assert "root:" not in response.get_data(as_text=True)
    assert "Nicht gefunden" in response.get_data(as_text=True)


def test_security_headers_forbid_framing_and_inline_scripts(reader) -> None:
    headers = reader.get("/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_reader_sees_no_upload_or_edit_and_may_not_post(writable_home: Path) -> None:
    client = make_client(writable_home)
    login(client, READER)
    page = client.get("/").get_data(as_text=True)
    assert "Hochladen" not in page
    doc_id = _doc_id(writable_home, "Charkiw")
    token = csrf_token(client.get(f"/d/{doc_id}").get_data(as_text=True))
    assert (
        client.post(
            f"/d/{doc_id}/bearbeiten", data={"date": "01.01.2020", "csrf_token": token}
        ).status_code
        == 403
    )
    assert client.get("/hochladen").status_code == 403


def test_archivist_corrects_metadata_and_the_next_search_shows_it(writable_home: Path):
    with ingestion_service(Settings(home=writable_home), worker=False) as queues:
        client = make_client(writable_home, queue=queues)
        login(client, ARCHIVIST)
        doc_id = _doc_id(writable_home, "Charkiw")
        page = client.get(f"/d/{doc_id}").get_data(as_text=True)
        assert "Metadaten korrigieren" in page
        without_token = client.post(f"/d/{doc_id}/bearbeiten", data={"date": "28.03.2024"})
        assert without_token.status_code == 400  # CSRF
        response = client.post(
            f"/d/{doc_id}/bearbeiten", data={"date": "28.03.2024", "csrf_token": csrf_token(page)}
        )
        assert response.status_code == 302
        result = client.get("/?q=Charkiw").get_data(as_text=True)
        assert "28.03.2024" in result
        document = client.get(f"/d/{doc_id}").get_data(as_text=True)
        assert "korrigiert" in document and "archivarin" in document  # history names the editor


def test_archivist_withdraws_a_document_with_a_reason(writable_home: Path) -> None:
    with ingestion_service(Settings(home=writable_home), worker=False) as queues:
        client = make_client(writable_home, queue=queues)
        login(client, ARCHIVIST)
        doc_id = _doc_id(writable_home, "Dnipropetrowsk")
        token = csrf_token(client.get(f"/d/{doc_id}").get_data(as_text=True))
        empty = client.post(f"/d/{doc_id}/zurueckziehen", data={"grund": " ", "csrf_token": token})
        assert empty.status_code == 400
        client.post(f"/d/{doc_id}/zurueckziehen", data={"grund": "Dublette", "csrf_token": token})
        assert "Keine Treffer" in client.get("/?q=Dnipropetrowsk").get_data(as_text=True)
        assert "Zurückgezogen: Dublette" in client.get(f"/d/{doc_id}").get_data(as_text=True)
        reader = make_client(writable_home, queue=queues)
        login(reader, READER)
        assert reader.get(f"/d/{doc_id}").status_code == 404  # archivists only, by default
        client.post(f"/d/{doc_id}/zurueckziehen", data={"aktion": "wiederherstellen",
                                                        "csrf_token": token})  # fmt: skip
        client.post(f"/d/{doc_id}/zurueckziehen",
                    data={"grund": "Dublette", "lesbar": "ja", "csrf_token": token})  # fmt: skip
        assert "Keine Treffer" in client.get("/?q=Dnipropetrowsk").get_data(as_text=True)
        page = reader.get(f"/d/{doc_id}")
        assert page.status_code == 200
        assert "bleibt aber für alle lesbar" in page.get_data(as_text=True)


def test_without_the_writer_a_correction_is_refused_and_nothing_changes(writable_home: Path):
    client = make_client(writable_home)  # no queue, so no writer to record it
    login(client, ARCHIVIST)
    doc_id = _doc_id(writable_home, "Charkiw")
    page = client.get(f"/d/{doc_id}").get_data(as_text=True)
    response = client.post(
        f"/d/{doc_id}/bearbeiten", data={"date": "28.03.2024", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 409
    assert "kein Schreibdienst" in response.get_data(as_text=True)
    with DataHome(Settings(home=writable_home), readonly=True) as home:
        assert home.archive.catalog.corrections(doc_id) == []


def _wait_for_jobs(home: Path, timeout: float = 60) -> list:
    """The jobs of a home once none is queued or processing any more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with DataHome(Settings(home=home)) as h:
            jobs = h.archive.catalog.jobs()
        if jobs and all(j.status in ("done", "failed") for j in jobs):
            return jobs
        time.sleep(0.2)
    raise AssertionError(f"jobs not finished: {[(j.file_name, j.status) for j in jobs]}")


def test_upload_runs_in_the_background_and_the_status_page_shows_the_result(tmp_path: Path):
    home = tmp_path / "home"
    add_accounts(home)
    with ingestion_service(Settings(home=home), worker=True) as queues:
        client = make_client(home, queue=queues)
        login(client, ARCHIVIST)
        token = csrf_token(client.get("/hochladen").get_data(as_text=True))
        broken = io.BytesIO(b"%PDF-1.4 kaputt")
        data = {
            "dateien": [
                # Below 500 KB, so the test client keeps the request body in memory.
                (io.BytesIO(SKEWED_JPEG.read_bytes()), "../../skew scan.jpg"),
                (broken, "kaputt.pdf"),
            ],
            "typ": "memo",
            "notiz": "Eingang Poststelle",
            "csrf_token": token,
        }
        response = client.post("/hochladen", data=data, content_type="multipart/form-data")
        assert response.status_code == 302
        _wait_for_jobs(home)
        status = client.get("/auftraege").get_data(as_text=True)
    assert "fertig" in status and "zum Dokument" in status
    assert "fehlgeschlagen:" in status and "PDF ist beschädigt" in status
    assert "1 von 2 Dateien fertig</strong>, 1 fehlgeschlagen" in status
    with DataHome(Settings(home=home)) as h:
        [doc] = list(h.archive.catalog.documents())
        assert doc.original_name == "skew scan.jpg" and doc.note == "Eingang Poststelle"
        assert h.search("Kommunalpartnerschaften").total == 1
        assert not list((home / "inbox").rglob("*.*"))  # the inbox is emptied


def test_uploads_survive_a_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_accounts(home)
    settings = Settings(home=home)
    client = make_client(home, queue=Queues(settings))  # no writer, no worker: the server "stops"
    login(client, ARCHIVIST)
    token = csrf_token(client.get("/hochladen").get_data(as_text=True))
    client.post(
        "/hochladen",
        content_type="multipart/form-data",
        data={"dateien": [(io.BytesIO(NRW_PDF.read_bytes()), "nrw.pdf")], "csrf_token": token},
    )
    HomeLayout(home).queue.unlink()  # even the queue is lost: the catalog still knows the job
    with ingestion_service(settings, worker=True):
        [job] = _wait_for_jobs(home)
    assert job.status == "done" and job.doc_id


def _api_client(home: Path, account: tuple[str, str]):
    client = make_client(home)
    token = run_cli("--home", str(home), "user", "token", account[0]).stdout.strip()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _valid(data: dict, schema: str) -> None:
    jsonschema.validate(data, {**SCHEMAS[schema], "$defs": SCHEMAS})


def test_api_responses_match_the_openapi_document(ingested_home: Path) -> None:
    client = _api_client(ingested_home, READER)
    openapi = client.get("/api/openapi.json").get_json()
    assert set(openapi["paths"]) == {
        "/api/search",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/citation",
        "/api/uploads",
        "/api/jobs/{job_id}",
    }
    found = client.get("/api/search?q=Charkiw&limit=5").get_json()
    _valid(found, "SearchResults")
    doc_id = found["hits"][0]["doc_id"]
    _valid(client.get(f"/api/documents/{doc_id}").get_json(), "Document")
    _valid(client.get(f"/api/documents/{doc_id}/citation?format=ris&page=2").get_json(), "Citation")
    for path, status in (
        ("/api/documents/nope", 404),
        ("/api/search", 400),
        ("/api/search?q=x&limit=0", 400),
        ("/api/jobs/nope", 403),  # job records are for archivists only
    ):
        response = client.get(path)
        assert response.status_code == status
        _valid(response.get_json(), "Error")


def test_api_upload_needs_an_archivists_token(writable_home: Path) -> None:
    reader_api = _api_client(writable_home, READER)
    files = {"files": [(io.BytesIO(b"Charkiw Bericht"), "notiz.txt")]}
    denied = reader_api.post("/api/uploads", data=files, content_type="multipart/form-data")
    assert denied.status_code == 403
    _valid(denied.get_json(), "Error")
    client = make_client(writable_home, queue=Queues(Settings(home=writable_home)))
    token = run_cli("--home", str(writable_home), "user", "token", ARCHIVIST[0]).stdout.strip()
    accepted = client.post(
        "/api/uploads",
        data={"files": [(io.BytesIO(b"Charkiw Bericht"), "notiz.txt")]},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert accepted.status_code == 202
    _valid(accepted.get_json(), "Jobs")
    job_id = accepted.get_json()["jobs"][0]["job_id"]
    job = client.get(f"/api/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"})
    _valid(job.get_json(), "Job")


def test_real_server_answers_searches_from_two_processes(ingested_home: Path, tmp_path: Path):
    home = tmp_path / "server-home"
    run_cli("--home", str(home), "ingest", str(MEMO_SCAN))
    add_accounts(home)
    port = free_port()
    command = Path(sys.executable).parent / "findbuch"
    server = subprocess.Popen(
        [command, "--home", home, "serve", "--port", str(port), "--public", "--processes", "2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/?q=Solidarit%C3%A4tspartnerschaft"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = response.read().decode()
                    assert response.headers["Server"] == "waitress"
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "<mark>Solidaritätspartnerschaft</mark>" in body
        assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
        children = child_pids(server.pid)
        assert len(children) == 1  # a second server process on the same socket
        # Failed logins count across processes: each attempt is a new connection.
        statuses = [_failed_login(port) for _ in range(6)]
        assert statuses == [401] * 5 + [429]
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
    time.sleep(0.5)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)


def _failed_login(port: int) -> int:
    """One failed login through the real form (its own session and CSRF token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(f"http://127.0.0.1:{port}/anmelden", timeout=5) as response:
        token = csrf_token(response.read().decode())
    form = urllib.parse.urlencode(
        {"name": ARCHIVIST[0], "password": "falsch-falsch-falsch", "csrf_token": token}
    ).encode()
    try:
        opener.open(f"http://127.0.0.1:{port}/anmelden", data=form, timeout=5)
    except urllib.error.HTTPError as e:
        return e.code
    return 200


def test_settings_public_flag_reads_booleans() -> None:
    from common.settings import load_settings

    assert load_settings({}, environ={"FINDBUCH_PUBLIC": "false"}).public is False
    assert load_settings({}, environ={"FINDBUCH_PUBLIC": "ja"}).public is True
    assert replace(Settings(), public=True).public is True


def test_times_are_shown_in_german_local_time() -> None:
    from common.fields import german_datetime

    assert german_datetime("2026-11-21T07:01:00+00:00") == "21.11.2026 08:01"  # CET
    assert german_datetime("2026-07-01T07:01:00+00:00") == "01.07.2026 09:01"  # CEST


def test_errors_carry_their_own_status_in_one_json_shape(ingested_home: Path) -> None:
    client = make_client(ingested_home, public=True)
    missing = client.get("/api/documents/nichtda")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["status"] == 404
    doc_id = search_json(ingested_home, "Charkiw")["hits"][0]["doc_id"]
    assert client.get("/d/nichtda").status_code == 404
    no_such_page = client.get(f"/d/{doc_id}/zitat/text?seite=99")
    assert no_such_page.status_code == 400
    assert "Seite 99 gibt es nicht" in no_such_page.get_data(as_text=True)
