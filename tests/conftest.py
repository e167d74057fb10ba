"""Shared fixtures: real documents, fresh data homes, a CLI runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from findbuch.cli import cli
from findbuch.home import Home
from findbuch.settings import Settings
from ingest import ingest_paths

FIXTURES = Path(__file__).parent / "fixtures"
MEMO_SCAN = FIXTURES / "001_hausmitteilung_dresden-p1.png"
PRESS_PDF = FIXTURES / "000_medieninformation_sk_sachsen.pdf"
NRW_PDF = FIXTURES / "002_nrw_dnipropetrowsk.pdf"
DLT_TEXT = FIXTURES / "004_dlt_partnerschaftskonferenz.md"
ALL_FIXTURE_DOCS = (MEMO_SCAN, PRESS_PDF, NRW_PDF, DLT_TEXT)


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
    with Home(Settings(home=home)) as h:
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
    with Home(Settings(home=root / "home")) as h:
        results = list(ingest_paths(ALL_FIXTURE_DOCS, h))
    assert [r.status for r in results] == ["added"] * len(ALL_FIXTURE_DOCS), results
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
