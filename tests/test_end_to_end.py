"""Issue 2's acceptance: real scans and PDFs ingested, archived, indexed and found."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import (
    ALL_FIXTURE_DOCS,
    MEMO_SCAN,
    NRW_PDF,
    PRESS_PDF,
    found_names,
    run_cli,
    search_json,
)

PRESS_TITLE = "Sachsen und ukrainische Region Charkiw beschließen Regionalpartnerschaft"


def test_scanned_memo_is_found_by_compound_and_session_number(ingested_home: Path) -> None:
    assert found_names(ingested_home, "Solidaritätspartnerschaft")[0] == MEMO_SCAN.name
    assert found_names(ingested_home, "SR/049/2023") == [MEMO_SCAN.name]


def test_session_number_does_not_match_other_years(ingested_home: Path) -> None:
    assert found_names(ingested_home, "SR/049/2022") == []


def test_born_digital_pdf_is_found_by_inflected_form_and_place(ingested_home: Path) -> None:
    assert PRESS_PDF.name in found_names(ingested_home, "Regionalpartnerschaften")
    assert found_names(ingested_home, "Charkiw") == [PRESS_PDF.name]


def test_umlaut_and_sharp_s_are_folded(ingested_home: Path) -> None:
    # The press release says "Straßenbahnlinien"; staff type what their keyboard gives them.
    assert found_names(ingested_home, "Strassenbahnlinien") == [PRESS_PDF.name]


def test_phrase_matches_only_words_standing_together(ingested_home: Path) -> None:
    # "Region Charkiw" stands in the press release; both words also occur apart from each other
    # and in the other order nowhere.
    assert found_names(ingested_home, '"Region Charkiw"') == [PRESS_PDF.name]
    assert found_names(ingested_home, '"Charkiw Region"') == []
    assert found_names(ingested_home, "Sachsen Kyjiw", all_words=True) == [PRESS_PDF.name]
    assert found_names(ingested_home, '"Sachsen Kyjiw"') == []


def test_hit_lists_matching_pages_best_first_with_highlighted_snippet(ingested_home: Path) -> None:
    result = search_json(ingested_home, "Charkiw")
    [hit] = result["hits"]
    assert result["total"] == 1
    assert set(hit) == {
        "doc_id",
        "sha256",
        "title",
        "date",
        "pages",
        "score",
        "snippet",
        "all_words",
        "same_text",
    }
    assert hit["same_text"] == []
    assert sorted(hit["pages"]) == [1, 2]
    assert hit["title"] == PRESS_TITLE
    assert hit["date"] == "2024-03-27"
    assert "<mark>Charkiw</mark>" in hit["snippet"]


def test_reingesting_reports_duplicate_and_keeps_one_document(home: Path) -> None:
    first = run_cli("--home", str(home), "ingest", str(PRESS_PDF), "--json")
    second = run_cli("--home", str(home), "ingest", str(PRESS_PDF), "--json")
    assert json.loads(first.stdout)["status"] == "added"
    assert json.loads(second.stdout)["status"] == "duplicate"
    assert json.loads(second.stdout)["doc_id"] == json.loads(first.stdout)["doc_id"]
    assert search_json(home, "Charkiw")["total"] == 1


def test_reindex_gives_the_same_results(home: Path) -> None:
    run_cli("--home", str(home), "ingest", *map(str, ALL_FIXTURE_DOCS[1:]))
    queries = ["Partnerschaft", '"Region Charkiw"', "Dnipropetrowsk OR Kyjiw", "titel:Ukraine"]
    before = [search_json(home, q) for q in queries]
    result = run_cli("--home", str(home), "reindex")
    assert result.exit_code == 0
    assert "3 Dokument" in result.stderr
    assert [search_json(home, q) for q in queries] == before
    assert before[0]["total"] == 3


def test_corrupt_pdf_fails_clearly_while_the_rest_of_the_batch_is_ingested(
    home: Path, copy_of
) -> None:
    broken = copy_of(PRESS_PDF, "abgeschnitten.pdf")
    broken.write_bytes(PRESS_PDF.read_bytes()[:5000])
    good = copy_of(NRW_PDF, "nrw.pdf")
    result = run_cli("--home", str(home), "ingest", str(broken.parent), "--json")
    assert result.exit_code == 1
    lines = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert lines["abgeschnitten.pdf"]["status"] == "failed"
    assert "PDF ist beschädigt" in lines["abgeschnitten.pdf"]["error"]
    assert lines[good.name]["status"] == "added"
    assert found_names(home, "Dnipropetrowsk") == ["nrw.pdf"]
    assert search_json(home, "Charkiw")["total"] == 0


def test_identical_files_in_one_batch_give_one_document(home: Path, copy_of) -> None:
    first = copy_of(NRW_PDF, "a.pdf")
    second = copy_of(NRW_PDF, "b.pdf")
    result = run_cli("--home", str(home), "ingest", str(first), str(second), "--json")
    assert result.exit_code == 0, result.stderr
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["added", "duplicate"]
    assert search_json(home, "Dnipropetrowsk")["total"] == 1
