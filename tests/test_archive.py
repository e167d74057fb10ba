"""The archive as archivists expect it: metadata, corrections, withdrawal, fixity, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, MEMO_SCAN, NRW_PDF, PRESS_PDF, run_cli, search_json

WEB_ARTICLE = FIXTURES / "003_kommunalpartnerschaften_webartikel.md"
MEMO_PDF = FIXTURES / "001_hausmitteilung_dresden_scan.pdf"
DLT_PDF = FIXTURES / "004_dlt_partnerschaftskonferenz.pdf"


def _ingest(home: Path, *paths: Path) -> list[str]:
    result = run_cli("--home", str(home), "ingest", *map(str, paths), "--json")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line)["doc_id"] for line in result.stdout.splitlines()]


def _show(home: Path, doc_id: str) -> dict:
    return json.loads(run_cli("--home", str(home), "show", doc_id, "--json").stdout)


@pytest.fixture(scope="module")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("corpus") / "home"
    docs = (PRESS_PDF, MEMO_SCAN, MEMO_PDF, NRW_PDF, WEB_ARTICLE, DLT_PDF)
    return home, dict(zip([d.name for d in docs], _ingest(home, *docs), strict=True))


@pytest.mark.parametrize(
    ("name", "doc_type", "issuer", "date", "references"),
    [
        (PRESS_PDF.name, "press_release", "Sächsische Staatskanzlei", "2024-03-27", []),
        (
            MEMO_PDF.name,
            "memo",
            "Landeshauptstadt Dresden",
            "2024-03-21",
            ["V2072/23", "SR/049/2023"],
        ),
        # Page 1 alone: the damaged "Datum: 2 IMÜZ. 2024" has nothing to confirm it.
        (MEMO_SCAN.name, "memo", "Landeshauptstadt Dresden", "", ["V2072/23", "SR/049/2023"]),
        (NRW_PDF.name, "web_article", "Landesregierung Nordrhein-Westfalen", "", []),
        (WEB_ARTICLE.name, "web_article", "", "2024-02-24", []),
        (DLT_PDF.name, "press_release", "Deutscher Landkreistag", "", []),
    ],
)
def test_type_issuer_date_and_references_of_every_corpus_document(
    corpus_home, name: str, doc_type: str, issuer: str, date: str, references: list[str]
) -> None:
    home, ids = corpus_home
    doc = _show(home, ids[name])
    assert (doc["type"], doc["issuer"], doc["date"]) == (doc_type, issuer, date)
    found = [r for r in doc["references"] if r in ("V2072/23", "SR/049/2023")]
    assert found == references


def test_every_value_carries_its_page_and_method(corpus_home) -> None:
    home, ids = corpus_home
    memo = _show(home, ids[MEMO_PDF.name])["metadata"]
    [date] = memo["date"]["extracted"]
    assert date["page"] == 1
    assert "OCR-Fehler korrigiert, bestätigt durch" in date["method"]
    paper = next(r for r in memo["references"]["extracted"] if r["value"] == "V2072/23")
    assert paper["kind"] == "vorlage"
    assert paper["text"] in ("\\/2072/23", "/2072/23", "V2072/23")
    assert {"Dirk Hilbert", "Frank Nopper"} <= set(memo["persons"]["value"])
    assert {"Dresden", "Stuttgart"} <= set(memo["places"]["value"])


def test_value_not_found_is_empty_not_guessed(corpus_home) -> None:
    home, ids = corpus_home
    dlt = _show(home, ids[DLT_PDF.name])
    assert dlt["date"] == "" and dlt["metadata"]["date"]["extracted"] == []


def test_correction_is_kept_beside_the_extracted_value_and_survives_reindex(home: Path) -> None:
    [doc_id] = _ingest(home, PRESS_PDF)
    result = run_cli(
        "--home",
        str(home),
        "edit",
        doc_id,
        "date=28.03.2024",
        "issuer=Freistaat Sachsen",
        "--by",
        "A. Archivarin",
    )
    assert result.exit_code == 0, result.stderr
    assert "Datum: 2024-03-27 -> 2024-03-28" in result.stdout
    assert run_cli("--home", str(home), "reindex").exit_code == 0
    assert search_json(home, "datum:2024-03-28")["total"] == 1
    assert search_json(home, "datum:2024-03-27")["total"] == 0
    doc = _show(home, doc_id)
    assert doc["metadata"]["date"]["corrected"] is True
    assert doc["metadata"]["date"]["extracted"][0]["value"] == "2024-03-27"
    [date_change, issuer_change] = doc["corrections"]
    assert date_change == {
        "field": "date",
        "old": "2024-03-27",
        "new": "2024-03-28",
        "editor": "A. Archivarin",
        "at": date_change["at"],
    }
    assert issuer_change["old"] == "Sächsische Staatskanzlei"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("farbe=blau", "Unbekanntes Feld „farbe“"),
        ("date=gestern vielleicht", "kein Datum"),
        ("type=Roman", "Unbekannter Dokumenttyp"),
    ],
)
def test_invalid_corrections_are_refused_with_a_reason(home: Path, change: str, message: str):
    [doc_id] = _ingest(home, NRW_PDF)
    result = run_cli("--home", str(home), "edit", doc_id, change)
    assert result.exit_code == 1
    assert message in result.stderr
    assert _show(home, doc_id)["corrections"] == []


def test_withdrawn_document_leaves_search_but_stays_in_the_archive(home: Path) -> None:
    [doc_id] = _ingest(home, NRW_PDF)
    result = run_cli("--home", str(home), "withdraw", doc_id, "--reason", "Doppelt erfasst")
    assert result.exit_code == 0
    assert search_json(home, "Dnipropetrowsk")["total"] == 0
    assert run_cli("--home", str(home), "reindex").exit_code == 0
    assert search_json(home, "Dnipropetrowsk")["total"] == 0
    assert _show(home, doc_id)["withdrawn"] == "Doppelt erfasst"
    run_cli("--home", str(home), "withdraw", doc_id, "--reason", "-", "--undo")
    assert search_json(home, "Dnipropetrowsk")["total"] == 1


def _stored_original(home: Path, doc_id: str) -> Path:
    sha = _show(home, doc_id)["sha256"]
    return home / "originals" / sha[:2] / sha


def test_verify_finds_an_altered_byte_and_names_the_document(home: Path) -> None:
    [doc_id] = _ingest(home, NRW_PDF)
    assert run_cli("--home", str(home), "verify").exit_code == 0
    stored = _stored_original(home, doc_id)
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[1000] ^= 0x01
    stored.write_bytes(bytes(data))
    result = run_cli("--home", str(home), "verify")
    assert result.exit_code == 1
    assert f"VERÄNDERT: {stored.relative_to(home)} (Dokument {doc_id})" in (result.stdout)


def test_verify_finds_missing_orphaned_and_half_written_files(home: Path) -> None:
    [doc_id] = _ingest(home, NRW_PDF)
    stored = _stored_original(home, doc_id)
    stored.unlink()
    (home / "originals" / "ff").mkdir()
    (home / "originals" / "ff" / ("f" * 64)).write_bytes(b"stray")
    (home / "originals" / "ff" / ".incoming-abc").write_bytes(b"half")
    result = run_cli("--home", str(home), "verify", "--json")
    assert result.exit_code == 1
    kinds = sorted(p["kind"] for p in json.loads(result.stdout)["problems"])
    assert kinds == ["incomplete", "missing", "orphan"]


def test_export_and_import_round_trip_keeps_ids_checksums_and_corrections(
    tmp_path: Path, home: Path
) -> None:
    ids = _ingest(home, PRESS_PDF, NRW_PDF)
    run_cli("--home", str(home), "edit", ids[0], "title=Regionalpartnerschaft Sachsen–Charkiw")
    bag = tmp_path / "export"
    assert run_cli("--home", str(home), "export", "--to", str(bag)).exit_code == 0
    assert (bag / "bagit.txt").is_file() and (bag / "manifest-sha256.txt").is_file()
    record = json.loads((bag / "data" / ids[0] / "metadata.json").read_text(encoding="utf-8"))
    assert record["dublin_core"]["dc:title"] == "Regionalpartnerschaft Sachsen–Charkiw"
    assert record["dublin_core"]["dc:publisher"] == "Sächsische Staatskanzlei"

    other = tmp_path / "other-home"
    result = run_cli("--home", str(other), "import-bag", str(bag))
    assert result.exit_code == 0, result.stderr
    assert run_cli("--home", str(other), "verify").exit_code == 0
    for doc_id in ids:
        assert _show(other, doc_id)["sha256"] == _show(home, doc_id)["sha256"]
    assert _show(other, ids[0])["title"] == "Regionalpartnerschaft Sachsen–Charkiw"
    # The history comes along, each editor marked as imported (#17).
    brought = [
        {**c, "editor": f"{c['editor']} (importiert)"} for c in _show(home, ids[0])["corrections"]
    ]
    assert _show(other, ids[0])["corrections"] == brought
    assert search_json(other, "Charkiw")["hits"][0]["doc_id"] == ids[0]


def test_tampered_bag_is_refused_and_imports_nothing(tmp_path: Path, home: Path) -> None:
    [doc_id] = _ingest(home, NRW_PDF)
    bag = tmp_path / "export"
    run_cli("--home", str(home), "export", doc_id, "--to", str(bag))
    original = bag / "data" / doc_id / "original.pdf"
    original.write_bytes(original.read_bytes()[:-10])
    other = tmp_path / "other-home"
    result = run_cli("--home", str(other), "import-bag", str(bag))
    assert result.exit_code == 1
    assert "kein gültiger BagIt-Export" in result.stderr
    assert search_json(other, "Dnipropetrowsk")["total"] == 0


def test_export_refuses_an_existing_target(tmp_path: Path, home: Path) -> None:
    _ingest(home, NRW_PDF)
    result = run_cli("--home", str(home), "export", "--to", str(tmp_path))
    assert result.exit_code == 1
    assert "existiert bereits" in result.stderr
