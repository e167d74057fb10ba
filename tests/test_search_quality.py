"""Search that finds what staff mean, on the real fixture documents (issue 5)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from conftest import (
    DLT_TEXT,
    FIXTURES,
    MEMO_SCAN,
    NRW_PDF,
    PRESS_PDF,
    found_names,
    run_cli,
    search_json,
)

from common.names import name_key
from index.compounds import split_compound

MEMO, PRESS, NRW, DLT = MEMO_SCAN.name, PRESS_PDF.name, NRW_PDF.name, DLT_TEXT.name


def test_compound_part_finds_the_whole_ranked_below_the_whole_word(ingested_home: Path) -> None:
    # Only the DLT statement has "Konferenz" itself; the press release has
    # "Wissenschaftskonferenz", the NRW note "Videokonferenz".
    found = found_names(ingested_home, "Konferenz")
    assert found[0] == DLT
    assert set(found) == {DLT, PRESS, NRW}


def test_part_of_a_compound_finds_it(ingested_home: Path) -> None:
    assert set(found_names(ingested_home, "Lieferungen")) == {PRESS, DLT}  # Hilfslieferungen
    assert MEMO in found_names(ingested_home, "Partnerschaft")  # Solidaritätspartnerschaft


def test_umlauts_typed_as_ae_oe_ue_find_the_umlaut(ingested_home: Path) -> None:
    assert DLT in found_names(ingested_home, "Buergermeister", all_words=True)


def test_ocr_damaged_name_is_found_without_asking_and_the_variant_is_marked(
    ingested_home: Path,
) -> None:
    # The scanned memo reads "Chmeinyzkyj" for "Chmelnyzkyj" throughout.
    result = search_json(ingested_home, "Chmelnyzkyj")
    assert [h["doc_id"] for h in result["hits"]][:1] == [
        search_json(ingested_home, "Chmeinyzkyj")["hits"][0]["doc_id"]
    ]
    assert "<mark>Chmeinyzkyj</mark>" in result["hits"][0]["snippet"]


def test_explicit_fuzzy_syntax_still_works(ingested_home: Path) -> None:
    assert found_names(ingested_home, "Chmelnyzkyj~1") == [MEMO]


def test_cyrillic_letters_inside_a_latin_word_are_folded(ingested_home: Path) -> None:
    # The press release prints the French minister's name as "Dufлот".
    assert found_names(ingested_home, "Duflot") == [PRESS]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kharkiv", PRESS),
        ("Харків", PRESS),
        ("Charkiw", PRESS),
        ("Kyiv", PRESS),
        ("Київ", PRESS),
        ("Kiew", PRESS),
        ("Zelensky", DLT),
        ("Zelenskyy", DLT),
        ("Зеленський", DLT),
        ("Khmelnytskyi", MEMO),
        ("Хмельницький", MEMO),
        ("Klychko", DLT),
        ("Dnipropetrovsk", NRW),
        ("Yevhen Ivanov", PRESS),
    ],
)
def test_names_are_found_in_every_spelling(ingested_home: Path, query: str, expected: str) -> None:
    assert expected in found_names(ingested_home, query, all_words=True)


@pytest.mark.parametrize("query", ["V2072/23", "V 2072/23", "V2072-23", "2072/23", "SR/049/2023"])
def test_reference_numbers_find_the_memo_in_every_writing(ingested_home: Path, query: str) -> None:
    assert found_names(ingested_home, query) == [MEMO]


def test_reference_number_of_another_year_finds_nothing(ingested_home: Path) -> None:
    assert found_names(ingested_home, "SR/049/2022") == []
    assert found_names(ingested_home, "V2072/24") == []


def test_german_boolean_operators(ingested_home: Path) -> None:
    assert set(found_names(ingested_home, "Charkiw ODER Dnipropetrowsk")) == {PRESS, NRW}
    assert PRESS not in found_names(ingested_home, "Partnerschaft NICHT Charkiw")
    assert found_names(ingested_home, "Charkiw UND Kyjiw") == [PRESS]


def test_documents_with_all_words_come_before_those_with_some(ingested_home: Path) -> None:
    hits = search_json(ingested_home, "Regionalpartnerschaft Charkiw")["hits"]
    assert [h["all_words"] for h in hits] == [True] + [False] * (len(hits) - 1)
    assert len(hits) > 1


@pytest.mark.parametrize(
    ("compound", "parts"),
    [
        ("solidaritätspartnerschaft", {"solidarität", "partnerschaft"}),
        ("hilfsgütertransporte", {"transporte", "güter"}),
        ("energieinfrastruktur", {"energie", "infrastruktur"}),
        ("rehabilitationsstrukturen", {"rehabilitation", "strukturen"}),
        ("gemeinderatssitzung", {"gemeinde", "sitzung"}),
    ],
)
def test_compounds_split_into_dictionary_words(compound: str, parts: set[str]) -> None:
    assert parts <= set(split_compound(compound))


@pytest.mark.parametrize("word", ["partnerschaft", "landkreistag", "oleksandrsymtschyschyn"])
def test_non_compounds_are_not_split_into_noise(word: str) -> None:
    assert "schaft" not in split_compound(word)
    assert split_compound("partnerschaft") == ()


@pytest.mark.parametrize(
    "spellings",
    [
        ["selenskyj", "zelensky", "zelenskyy", "зеленський"],
        ["kyjiw", "kiew", "kyiv", "київ"],
        ["charkiw", "kharkiv", "харків"],
        ["chmelnyzkyj", "khmelnytskyi", "хмельницький"],
        ["klitschko", "klychko", "кличко"],
        ["dnipropetrowsk", "dnipropetrovsk"],
        ["lviv", "lemberg", "lwiw", "львів"],
    ],
)
def test_name_spellings_share_one_key(spellings: list[str]) -> None:
    assert len({name_key(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("typ:Vermerk", {MEMO}),
        ("typ:Pressemitteilung Charkiw", {PRESS}),
        ("herausgeber:Staatskanzlei", {PRESS}),
        ("jahr:2024 Charkiw", {PRESS}),
        ("datum:[01.03.2024 TO 31.03.2024]", {PRESS}),
        ("datum:27.03.2024", {PRESS}),
        ("datum:[2024-04-01 TO 2024-12-31]", set()),
        ("person:Schenk", {PRESS}),
        ("ort:Kiew", {PRESS, DLT}),
    ],
)
def test_field_filters_in_german(ingested_home: Path, query: str, expected: set[str]) -> None:
    assert set(found_names(ingested_home, query, all_words=True)) == expected


def test_facets_count_documents_not_pages(ingested_home: Path) -> None:
    facets = search_json(ingested_home, "Partnerschaft")["facets"]
    # Four documents with "Partnerschaft": press release and DLT statement, memo, NRW web page.
    assert facets["doc_type"] == [["press_release", 2], ["memo", 1], ["web_article", 1]]
    assert ["Sächsische Staatskanzlei", 1] in facets["issuer"]
    assert ["2024", 1] in facets["year"] or ["2024", 2] in facets["year"]
    assert any(name == "Oliver Schenk" for name, _ in facets["persons"])
    assert any(place == "Kyjiw" for place, _ in facets["places"])


def test_sorting_by_date_puts_undated_documents_last(ingested_home: Path) -> None:
    hits = search_json(ingested_home, "Partnerschaft", "--sort", "newest")["hits"]
    dates = [h["date"] for h in hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates == dated + [""] * (len(dates) - len(dated))
    oldest = search_json(ingested_home, "Partnerschaft", "--sort", "oldest")["hits"]
    assert [h["date"] for h in oldest if h["date"]] == sorted(dated)


def test_pagination_continues_where_the_first_page_ended(ingested_home: Path) -> None:
    everything = [h["doc_id"] for h in search_json(ingested_home, "Partnerschaft")["hits"]]
    first = search_json(ingested_home, "Partnerschaft", "--limit", "2")
    second = search_json(ingested_home, "Partnerschaft", "--limit", "2", "--offset", "2")
    assert [h["doc_id"] for h in first["hits"] + second["hits"]] == everything[:4]
    assert second["offset"] == 2 and second["total"] == first["total"]


def test_did_you_mean_when_little_is_found(ingested_home: Path) -> None:
    result = search_json(ingested_home, "Regionalpartnerschaftn Charkiw")
    assert result["suggestion"] == "Regionalpartnerschaft Charkiw"
    assert search_json(ingested_home, "Charkiw")["suggestion"] == ""


def test_more_like_this_finds_related_documents(ingested_home: Path) -> None:
    from common.settings import Settings
    from service.home import DataHome

    with DataHome(Settings(home=ingested_home)) as home:
        press = search_json(ingested_home, "Charkiw")["hits"][0]["doc_id"]
        similar = home.similar(press).hits
        assert similar and press not in [h.doc_id for h in similar]
        assert all(h.title for h in similar)


def test_snippet_shows_a_match_at_the_end_of_a_long_page(tmp_path: Path) -> None:
    # A real council text; its last word of its own stands far behind the first 600 characters.
    with gzip.open(FIXTURES / "karlsruhe_200.jsonl.gz", "rt", encoding="utf-8") as f:
        text = next(p["text"] for p in map(json.loads, f) if len(p["text"]) > 2000)
    paper = tmp_path / "vorlage.txt"
    paper.write_text(text, encoding="utf-8")
    run_cli("--home", str(tmp_path / "home"), "ingest", str(paper))
    words = re.findall(r"[A-ZÄÖÜ][a-zäöüß]{7,}", text)
    late = next(w for w in reversed(words) if text.find(w) > 1500)
    [hit] = search_json(tmp_path / "home", late)["hits"]
    assert f"<mark>{late}</mark>" in hit["snippet"]


def test_hyphenated_names_are_found_in_another_spelling(tmp_path: Path) -> None:
    note = tmp_path / "reise.txt"
    note.write_text(
        "Reisebericht\n\nDie Delegation reiste nach Iwano-Frankiwsk und weiter nach Baden-Baden.\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    run_cli("--home", str(home), "ingest", str(note))
    for query in ("Ivano-Frankivsk", "Iwano-Frankiwsk", "Iwano-Frankiwsk~", "ort:Ivano-Frankivsk"):
        assert search_json(home, query)["total"] == 1, query
    [hit] = search_json(home, "Ivano-Frankivsk")["hits"]
    assert "<mark>Iwano-Frankiwsk</mark>" in hit["snippet"]
    assert search_json(home, "Ivano-Lwiw")["total"] == 0  # every part must be there
