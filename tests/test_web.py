"""The web app: search page, document page, downloads, escaping and headers."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import PRESS_PDF, run_cli

from findbuch.settings import Settings
from web import create_app


@pytest.fixture
def client(ingested_home: Path):
    return create_app(Settings(home=ingested_home)).test_client()


def _doc_id(home: Path, query: str) -> str:
    found = json.loads(run_cli("--home", str(home), "search", query, "--json").stdout)
    return found["hits"][0]["doc_id"]


def test_search_page_lists_documents_with_highlighted_snippets(client) -> None:
    page = client.get("/?q=Charkiw").get_data(as_text=True)
    assert "1 Dokument für „Charkiw“" in page
    assert "Sachsen und ukrainische Region Charkiw beschließen Regionalpartnerschaft" in page
    assert "<mark>Charkiw</mark>" in page
    assert "27.03.2024" in page


def test_empty_result_says_so_in_german(client) -> None:
    page = client.get("/?q=Wasserstoffelektrolyseur").get_data(as_text=True)
    assert "Keine Treffer für „Wasserstoffelektrolyseur“" in page


def test_query_is_escaped(client) -> None:
    page = client.get("/?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_document_text_is_escaped_in_snippets_and_pages(tmp_path: Path) -> None:
    home = tmp_path / "home"
    hostile = tmp_path / "<img src=x onerror=alert(1)>.txt"
    hostile.write_text("Bericht <script>alert('x')</script> über Charkiw", encoding="utf-8")
    assert run_cli("--home", str(home), "ingest", str(hostile)).exit_code == 0
    client = create_app(Settings(home=home)).test_client()
    results = client.get("/?q=Charkiw").get_data(as_text=True)
    assert "<script>alert" not in results and "&lt;script&gt;" in results
    document = client.get(f"/d/{_doc_id(home, 'Charkiw')}").get_data(as_text=True)
    assert "<script>alert" not in document and "<img src=x" not in document
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in document


def test_document_page_shows_metadata_and_every_page(client, ingested_home: Path) -> None:
    doc_id = _doc_id(ingested_home, "Charkiw")
    page = client.get(f"/d/{doc_id}").get_data(as_text=True)
    assert 'id="seite-1"' in page and 'id="seite-2"' in page
    assert hashlib.sha256(PRESS_PDF.read_bytes()).hexdigest() in page
    assert "Textebene des PDF" in page


def test_page_permalink_leads_to_that_page(client, ingested_home: Path) -> None:
    doc_id = _doc_id(ingested_home, "Charkiw")
    response = client.get(f"/d/{doc_id}/s/2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/d/{doc_id}#seite-2")


def test_original_downloads_byte_for_byte(client, ingested_home: Path) -> None:
    with client.get(f"/d/{_doc_id(ingested_home, 'Charkiw')}/original") as response:
        assert response.status_code == 200
        assert response.data == PRESS_PDF.read_bytes()
        assert PRESS_PDF.name in response.headers["Content-Disposition"]


@pytest.mark.parametrize("path", ["/d/0000000000000000", "/d/../../etc/passwd/original", "/x"])
def test_unknown_paths_are_404_in_german(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Nicht gefunden" in response.get_data(as_text=True)


def test_security_headers_forbid_framing_and_inline_scripts(client) -> None:
    headers = client.get("/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_server_answers_searches(ingested_home: Path) -> None:
    port = _free_port()
    command = Path(sys.executable).parent / "findbuch"
    server = subprocess.Popen(
        [command, "--home", ingested_home, "serve", "--port", str(port)],
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
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
