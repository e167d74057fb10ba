"""One key for a name in every spelling: German, English, scholarly and Cyrillic.

``Selenskyj``, ``Zelensky``, ``Zelenskyy`` and ``Зеленський`` all become ``selenski``; ``Kyjiw``,
``Kyiv``, ``Київ`` (and the exonym ``Kiew``) become ``kiv``. Cyrillic is transliterated first;
then the letters on which the German and English systems disagree are merged (ch/kh/tsch,
sch/sh/zh, z/s/ts, w/v, y/j/i, h/g) and doubled letters collapsed. The keys are coarse on purpose:
they are indexed in a field of their own and rank below exact words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Ukrainian and Russian Cyrillic, German-style (Duden) transliteration, but ж as "sh": the keys
# merge sh and sch anyway, and "tsh" keys apart from "tsch" (ingest.placenames writes "sch").
CYRILLIC_GERMAN = {
    "а": "a",
    "б": "b",
    "в": "w",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "je",
    "ё": "jo",
    "ж": "sh",
    "з": "s",
    "и": "y",
    "і": "i",
    "ї": "ji",
    "й": "j",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "ch",
    "ц": "z",
    "ч": "tsch",
    "ш": "sch",
    "щ": "schtsch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "ju",
    "я": "ja",
    "ʼ": "",
    "'": "",
}
_CYRILLIC_TABLE = str.maketrans(CYRILLIC_GERMAN)
# Latin letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ż": "zh", "ž": "zh", "š": "sh",
     "č": "ch"}
)  # fmt: skip
# Exonyms: established German or historical names of places that transliteration cannot reach.
_EXONYMS = {
    "kiew": "kyiv",
    "kiev": "kyiv",
    "lemberg": "lviv",
    "lwow": "lviv",
    "charkow": "kharkiv",
    "kharkov": "kharkiv",
    "odessa": "odesa",
    "nikolajew": "mykolajiw",
    "tschernigow": "tschernihiw",
    "saporoschje": "saporischschja",
    "dnjepropetrowsk": "dnipropetrowsk",
    "czernowitz": "tscherniwzi",
    "moscow": "moskva",
    "moskau": "moskva",
    "tschernowitz": "tscherniwzi",
    # English and local names of the places Findbuch shows by their German exonym.
    "warsaw": "warschau",
    "warszawa": "warschau",
    "krakow": "krakau",
    "cracow": "krakau",
    "gdansk": "danzig",
    "wroclaw": "breslau",
    "poznan": "posen",
    "szczecin": "stettin",
    "katowice": "kattowitz",
    "prague": "prag",
    "praha": "prag",
    "brno": "brunn",
    "olomouc": "olmutz",
    "strasbourg": "strassburg",
    "mulhouse": "mulhausen",
    "nice": "nizza",
    "brussels": "brussel",
    "bruxelles": "brussel",
    "liege": "luttich",
    "luik": "luttich",
    "leuven": "lowen",
    "louvain": "lowen",
    "hague": "haag",
    "copenhagen": "kopenhagen",
    "kobenhavn": "kopenhagen",
    "luxembourg": "luxemburg",
    "munich": "munchen",
    "nuremberg": "nurnberg",
    "vienna": "wien",
    "geneva": "genf",
    "geneve": "genf",
    "hrodna": "grodno",
}
_MERGES = (
    # Polish and French spellings of the same sounds: szcz/cz/sz (щ ч ш), ou (у).
    ("szcz", "S"),
    ("cz", "X"),
    ("sz", "S"),
    ("ou", "u"),
    ("schtsch", "S"),
    ("shch", "S"),
    ("tsch", "X"),
    ("tch", "X"),
    ("sch", "S"),
    ("zh", "S"),
    ("sh", "S"),
    ("kh", "X"),
    ("ch", "X"),
    ("ts", "s"),
    ("tz", "s"),
    ("z", "s"),
    ("c", "s"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("h", "g"),
    # Russian е after a consonant: Polish ie, German and English e (Bierdiansk, Berdjansk).
    ("ie", "e"),
    ("x", "ks"),
    ("ph", "f"),
    # French writes ш as ch, which German and English read as х: the two sounds share a key.
    ("X", "S"),
)
_REPEATS = re.compile(r"(.)\1+")
# French writes ж as j; German and English j (й) never stands before a consonant, doubled, or
# before y at the start: Snejnoe, Zaporijjia, Jytomyr.
_FRENCH_ZH = re.compile(r"j(?=[bcdfgklmnpqrstvwxz])|jj|^j(?=y)")
NAME_ALIASES = Path(__file__).with_name("name_aliases.tsv")


def is_cyrillic(char: str) -> bool:
    """Whether a character is a Cyrillic letter."""
    return "CYRILLIC" in unicodedata.name(char, "")


def transliterate(word: str) -> str:
    """Cyrillic letters of a lower-case word in German transliteration; others unchanged."""
    return word.translate(_CYRILLIC_TABLE)


@lru_cache(maxsize=100_000)
def name_key(word: str) -> str:
    """The spelling-independent key of a lower-case word (see module docstring).

    Russian readings and older names of Ukrainian places (``Kharkov``, ``Kirowograd``) get the
    key of the place's own name, from the table derived from GeoNames.
    """
    key = spelling_key(word)
    return _aliases().get(key, key)


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    lines = NAME_ALIASES.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


def spelling_key(word: str) -> str:
    """The key by the spelling rules alone, without the table of place aliases."""
    latin = transliterate(word)
    decomposed = unicodedata.normalize("NFKD", latin.translate(_UNDECOMPOSED))
    latin = "".join(c for c in decomposed if not unicodedata.combining(c))
    latin = _EXONYMS.get(latin, latin)
    latin = _FRENCH_ZH.sub("zh", latin)
    for old, new in _MERGES:
        latin = latin.replace(old, new)
    return _REPEATS.sub(r"\1", latin).lower()
