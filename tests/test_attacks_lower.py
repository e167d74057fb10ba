"""The lower findings of the web review: odd numbers, job records, mixed credentials, page
limits for every file type and spelling suggestions from withdrawn documents."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from conftest import (
    ARCHIVIST,
    DLT_TEXT,
    NRW_PDF,
    READER,
    add_accounts,
    run_cli,
    search_json,
    serving,
)
from test_attacks import _browser, _fetch, _log_in

ODD_NUMBERS = ("²", "٣", "9" * 5000, "-1", "1e3")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("lower") / "home"
    assert run_cli("--home", str(home), "ingest", str(NRW_PDF)).exit_code == 0
    add_accounts(home)
    with serving(home, "--public") as (base, _):
        yield base, home


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_odd_numbers_in_parameters_never_make_an_error_page(server, odd: str) -> None:
    base, home = server
    doc_id = search_json(home, "Dnipropetrowsk")["hits"][0]["doc_id"]
    opener = _browser()
    for path in (
        f"/d/{doc_id}?seite={odd}",
        f"/d/{doc_id}/zitat/text?seite={odd}",
        f"/d/{doc_id}/s/1/bild?breite={odd}",
        f"/?q=Dnipropetrowsk&seite={odd}",
    ):
        status, _, _ = _fetch(opener, base + urllib.request.quote(path, safe="/?=&"))
        assert status == 200, path
    status, _, body = _fetch(opener, f"{base}/api/search?q=x&limit={urllib.request.quote(odd)}")
    assert status == 400
    assert json.loads(body)["error"]["message"].startswith("Parameter limit")


def _token(home: Path, name: str) -> str:
    result = run_cli("--home", str(home), "user", "token", name)
    assert result.exit_code == 0
    return result.stdout.strip().split()[-1]


def _job_status(base: str, opener, token: str = "") -> int:
    request = urllib.request.Request(f"{base}/api/jobs/gibtsnicht")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def test_job_records_are_for_archivists_only(server) -> None:
    base, home = server
    assert _job_status(base, _browser()) == 403  # anonymous, even on a public archive
    assert _job_status(base, _browser(), _token(home, READER[0])) == 403
    assert _job_status(base, _browser(), _token(home, ARCHIVIST[0])) == 404  # may ask: none


def test_a_request_with_a_token_is_the_tokens_user_not_the_cookies(server) -> None:
    base, home = server
    archivist = _browser()
    _log_in(archivist, base, ARCHIVIST)
    assert _job_status(base, archivist) == 404  # the cookie alone: the archivist
    assert _job_status(base, archivist, _token(home, READER[0])) == 403  # with a reader's token


def test_max_pages_holds_for_text_files_and_tiffs(tmp_path: Path) -> None:
    many = tmp_path / "formfeeds.txt"
    many.write_text("Seite\f" * 20, encoding="utf-8")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "findbuch.toml").write_text("max_pages = 3\n", encoding="utf-8")
    tiff = Path(__file__).parent / "fixtures" / "002_nrw_dnipropetrowsk.tif"
    result = run_cli("--home", str(tmp_path / "home"), "ingest", "--json", str(many), str(tiff))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["status"] == "failed"
    assert "höchstens 3 werden angenommen (Einstellung max_pages)" in lines[0]["error"]
    assert lines[1]["status"] == "added"  # a TIFF within the limit


def test_spelling_suggestions_never_come_from_withdrawn_documents(tmp_path: Path) -> None:
    home = tmp_path / "home"
    secret = tmp_path / "vermerk.txt"
    pages = [f"Vermerk {n} zur Zwetschgendatschi des Amtes." for n in range(5)]
    secret.write_text("\f".join(pages), encoding="utf-8")
    ingested = run_cli("--home", str(home), "ingest", "--json", str(secret), str(DLT_TEXT))
    doc_id = json.loads(ingested.stdout.splitlines()[0])["doc_id"]
    assert "Zwetschgendatschi" in search_json(home, "Zwetschgendatschy")["suggestion"]
    withdrawn = run_cli("--home", str(home), "withdraw", doc_id, "--reason", "Personendaten")
    assert withdrawn.exit_code == 0
    assert search_json(home, "Zwetschgendatschy")["suggestion"] == ""
