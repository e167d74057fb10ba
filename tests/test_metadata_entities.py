"""Persons and places as an archivist indexes them, on small texts written like council papers."""

from __future__ import annotations

from ingest.entities import find_places
from ingest.persons import find_persons

LETTER = """STADT KARLSRUHE
Der Oberbürgermeister
ANFRAGE
Frau Stadträtin Karin Wiedemann, Herr Prof. Dr. Jan Riel und Herr Dipl.-Ing. Zoltan Kovacs
vom 12. Mai 2020
Vorsitzender: Oberbürgermeister Dr. Frank Mentrup
Stadtrat Maier (CDU): Frau Erste Bürgermeisterin Mergen hat es gesagt, Herr Dr. Mentrup.
unterzeichnet von:
Lüppo Cramer
Dr. Eberhard Fischer
Sachverhalt / Begründung:
Mit freundlichen Grüßen
Stadt Karlsruhe
Der Oberbürgermeister
"""


def _persons(text: str) -> list[str]:
    return [p.value for p in find_persons([text])]


def _places(text: str) -> list[str]:
    return [p.value for p in find_places([text])]


def test_persons_after_several_roles_and_titles_are_named_without_them() -> None:
    persons = _persons(LETTER)
    assert {"Karin Wiedemann", "Jan Riel", "Zoltan Kovacs", "Frank Mentrup"} <= set(persons)
    assert not any(word in p for p in persons for word in ("Frau", "Stadträtin", "Dr.", "Prof."))


def test_signatories_are_persons_and_the_signing_body_is_not() -> None:
    persons = _persons(LETTER)
    assert {"Lüppo Cramer", "Eberhard Fischer"} <= set(persons)
    assert not any("Karlsruhe" in p or "Sachverhalt" in p for p in persons)


def test_a_last_name_alone_counts_only_when_the_text_gives_no_first_name() -> None:
    persons = _persons(LETTER)
    assert {"Maier", "Mergen"} <= set(persons)
    assert "Mentrup" not in persons  # Frank Mentrup, named in full above
    assert "Erste" not in persons


def test_a_name_line_above_its_role_line_is_a_signature() -> None:
    assert _persons(
        "Ich wünsche Ihnen eine interessante Lektüre.\nDr. Albert Käuflein\nBürgermeister\n"
    ) == ["Albert Käuflein"]


def test_names_in_capitals_compounds_and_districts_are_places() -> None:
    text = (
        "STADT KARLSRUHE\nOrtsverwaltung Stupferich\n"
        "Die Wertstoffstation in Karlsruhe-Durlach liegt nahe der Weststadt.\n"
    )
    assert set(_places(text)) == {"Karlsruhe", "Stupferich", "Durlach", "Weststadt"}


def test_towns_listed_beside_a_place_count_and_a_direction_does_not() -> None:
    text = (
        "Andere Städte wie Bruchsal (734.000 €), Östringen (350.000 €) und Waghäusel erhalten "
        "mehr. Im Norden liegt nichts davon.\n"
    )
    assert _places(text) == ["Bruchsal", "Östringen", "Waghäusel"]


def test_hyphenated_city_names_stay_one_place_and_a_state_is_none() -> None:
    places = _places("Die Partnerstadt Iwano-Frankiwsk, Baden-Baden und Nordrhein-Westfalen.")
    assert places == ["Iwano-Frankiwsk", "Baden-Baden"]


def test_a_heading_after_a_district_word_on_the_line_before_is_no_place() -> None:
    assert _places("Darstellung der Bedarfe des Stadtteils\nSoziodemografische Daten\n") == []


def test_a_name_wrapped_after_its_role_is_one_name_and_a_noun_is_no_name() -> None:
    text = (
        "Über 400 Teilnehmende folgten der Einladung von Entwicklungsministerin\n"
        "Svenja Schulze zum Vernetzungstreffen. Damals ist Oberbürgermeister\n"
        "Fenrich Stadtviertel für Stadtviertel herumgegangen.\n"
    )
    assert _persons(text) == ["Svenja Schulze"]


def test_districts_in_a_numbered_legend_count_beside_a_known_one() -> None:
    text = (
        "Stadtteile\n01 Innenstadt-Ost 10 Knielingen 19 Durlach\n02 Innenstadt-West 11 Grünwinkel\n"
    )
    assert set(_places(text)) == {
        "Innenstadt-Ost",
        "Knielingen",
        "Durlach",
        "Innenstadt-West",
        "Grünwinkel",
    }


def test_the_prepared_gazetteer_is_the_one_geonames_gives() -> None:
    from ingest import entities

    assert entities._tables() == entities._build_tables()
    assert entities._gazetteer()["Kyiv"][0] == "Kyjiw"
