"""Shared fixtures: real documents, fresh data homes, a CLI runner."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from common.settings import Settings
from findbuch.cli import cli
from service.home import DataHome

FIXTURES = Path(__file__).parent / "fixtures"
FINDBUCH = Path(sys.executable).parent / "findbuch"
MEMO_SCAN = FIXTURES / "001_hausmitteilung_dresden-p1.png"
PRESS_PDF = FIXTURES / "000_medieninformation_sk_sachsen.pdf"
NRW_PDF = FIXTURES / "002_nrw_dnipropetrowsk.pdf"
DLT_TEXT = FIXTURES / "004_dlt_partnerschaftskonferenz.md"
ALL_FIXTURE_DOCS = (MEMO_SCAN, PRESS_PDF, NRW_PDF, DLT_TEXT)


ARCHIVIST = ("archivarin", "Archiv-Passwort-1")
READER = ("leser", "Leser-Passwort-1")


def add_accounts(home: Path) -> None:
    """An archivist and a reader, as ``findbuch user add`` creates them."""
    for (name, password), role in ((ARCHIVIST, "archivar"), (READER, "leser")):
        result = CliRunner().invoke(
            cli,
            ["--home", str(home), "user", "add", name, "--role", role, "--password-stdin"],
            input=password + "\n",
        )
        assert result.exit_code == 0, result.stderr


def make_client(home: Path, *, public: bool = False, queue=None):
    """A test client of the real app for this home (secret made as ``serve`` makes it)."""
    from dataclasses import replace

    from service.secret_key import ensure_secret_key
    from web import create_app

    ensure_secret_key(home)
    app = create_app(replace(Settings(home=home), public=public), queue=queue)
    return app.test_client()


def login(client, account: tuple[str, str]) -> None:
    """Log in through the real form, CSRF token included."""
    page = client.get("/anmelden").get_data(as_text=True)
    token = csrf_token(page)
    response = client.post(
        "/anmelden", data={"name": account[0], "password": account[1], "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def csrf_token(page: str) -> str:
    """The CSRF token of the first form on a page."""
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def run_cli(*args: str) -> Result:
    """Run the ``findbuch`` command in-process, stdout and stderr kept apart."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def search_json(home: Path, query: str, *extra: str) -> dict:
    """``findbuch search --json`` as a dict."""
    result = run_cli("--home", str(home), "search", query, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def found_names(home: Path, query: str, *, all_words: bool = False) -> list[str]:
    """Original file names of the documents a query finds, best first.

    With ``all_words`` only the documents that matched every word (not the fallback).
    """
    hits = [h for h in search_json(home, query)["hits"] if h["all_words"] or not all_words]
    with DataHome(Settings(home=home)) as h:
        return [h.document(hit["doc_id"]).original_name for hit in hits]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh, empty data home for one test."""
    return tmp_path / "home"


@pytest.fixture(scope="session")
def ingested_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home holding every fixture document, ingested once per test session.

    Tests must only read from it; tests that write make their own home.
    """
    root = tmp_path_factory.mktemp("ingested")
    with DataHome(Settings(home=root / "home")) as h:
        results = list(h.ingest(ALL_FIXTURE_DOCS))
    assert [r.status for r in results] == ["added"] * len(ALL_FIXTURE_DOCS), results
    add_accounts(root / "home")
    return root / "home"


@pytest.fixture
def copy_of(tmp_path: Path):
    """Copy a fixture under a new name (for renamed or damaged variants)."""

    def _copy(source: Path, name: str) -> Path:
        target = tmp_path / "input" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target

    return _copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    """The processes a process started (a server's forked server processes)."""
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


@contextmanager
def serving(home: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``findbuch serve`` on loopback, one process unless ``extra`` says otherwise."""
    port = free_port()
    args = ["--port", str(port), "--no-worker", "--processes", "1", *extra]
    server = subprocess.Popen([FINDBUCH, "--home", home, "serve", *args], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/anmelden", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=20)
