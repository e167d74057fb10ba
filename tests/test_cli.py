"""The command-line contract of README.md: arguments, JSON shapes, messages, exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DLT_TEXT, NRW_PDF, PRESS_PDF, run_cli, search_json

INGEST_KEYS = {"path", "doc_id", "sha256", "status", "pages", "error", "warnings"}


def test_ingest_json_prints_one_object_per_file(home: Path) -> None:
    result = run_cli("--home", str(home), "ingest", str(NRW_PDF), str(DLT_TEXT), "--json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [set(line) for line in lines] == [INGEST_KEYS, INGEST_KEYS]
    assert [line["status"] for line in lines] == ["added", "added"]
    assert all(len(line["sha256"]) == 64 and line["pages"] == 1 for line in lines)
    assert "2 hinzugefügt" in result.stderr


def test_ingest_without_json_prints_readable_lines(home: Path) -> None:
    result = run_cli("--home", str(home), "ingest", str(NRW_PDF))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"hinzugefügt: {NRW_PDF} -> ")
    assert "(1 Seite)" in result.stdout


def test_missing_file_fails_with_one_line_and_exit_1(home: Path) -> None:
    result = run_cli("--home", str(home), "ingest", str(home / "gibt-es-nicht.pdf"), str(NRW_PDF))
    assert result.exit_code == 1
    assert "fehlgeschlagen:" in result.stderr
    assert "Datei nicht gefunden" in result.stderr
    assert "Traceback" not in result.stderr
    assert search_json(home, "Dnipropetrowsk")["total"] == 1


def test_show_returns_metadata_and_page_texts(home: Path) -> None:
    added = json.loads(run_cli("--home", str(home), "ingest", str(PRESS_PDF), "--json").stdout)
    result = run_cli("--home", str(home), "show", added["doc_id"], "--json")
    doc = json.loads(result.stdout)
    assert doc["sha256"] == added["sha256"]
    assert doc["original_name"] == PRESS_PDF.name
    assert doc["media_type"] == "application/pdf"
    assert doc["size"] == PRESS_PDF.stat().st_size
    assert [p["number"] for p in doc["pages"]] == [1, 2]
    assert "Charkiw" in doc["pages"][0]["text"]
    readable = run_cli("--home", str(home), "show", added["doc_id"]).stdout
    assert re.search(r"^Datum:\s+27\.03\.2024$", readable, re.MULTILINE)
    assert re.search(r"^Dokumenttyp:\s+Pressemitteilung$", readable, re.MULTILINE)
    assert re.search(r"^Herausgeber:\s+Sächsische Staatskanzlei$", readable, re.MULTILINE)


def test_unknown_document_is_one_clear_line_and_exit_1(home: Path) -> None:
    result = run_cli("--home", str(home), "show", "0000000000000000")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "findbuch: Kein Dokument mit der Kennung '0000000000000000' im Archiv."
    )


@pytest.mark.parametrize(
    "query", ['"unclosed AND (', "a OR", "a:b:c", "((((", "NOT", "Charkiw~9", "x" * 10_000]
)
def test_malformed_queries_never_error(ingested_home: Path, query: str) -> None:
    result = run_cli("--home", str(ingested_home), "search", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["query"] == query


def test_malformed_query_is_read_as_plain_words(ingested_home: Path) -> None:
    assert search_json(ingested_home, "Charkiw OR")["total"] == 1
    assert search_json(ingested_home, "unbekannt:Charkiw")["total"] == 1


def test_usage_errors_exit_2(home: Path) -> None:
    assert run_cli("--home", str(home), "ingest").exit_code == 2
    assert run_cli("--home", str(home), "search", "x", "--limit", "0").exit_code == 2
    assert run_cli("--home", str(home), "nosuchcommand").exit_code == 2


def test_a_bad_setting_is_a_usage_error(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "findbuch.toml").write_text('ocr_dpi = "fein"\n', encoding="utf-8")
    result = run_cli("--home", str(home), "search", "Charkiw")
    assert result.exit_code == 2
    assert result.stderr.strip() == "findbuch: Ungültiger Wert für Einstellung 'ocr_dpi': 'fein'"
    (home / "findbuch.toml").write_text("farbe = 1\n", encoding="utf-8")
    assert run_cli("--home", str(home), "search", "Charkiw").exit_code == 2


def test_findbuch_home_variable_and_installed_command(tmp_path: Path) -> None:
    home = tmp_path / "env-home"
    env = {**os.environ, "FINDBUCH_HOME": str(home)}
    command = [str(Path(sys.executable).parent / "findbuch")]
    ingest = subprocess.run(
        [*command, "ingest", str(NRW_PDF), "--json"], env=env, capture_output=True, text=True
    )
    assert ingest.returncode == 0, ingest.stderr
    assert (home / "catalog.sqlite").is_file()
    found = subprocess.run(
        [*command, "search", "Liminski", "--json"], env=env, capture_output=True, text=True
    )
    assert json.loads(found.stdout)["total"] == 1
