"""German analysis for the index: tokens, identifiers, folding and Snowball stemming.

Whoosh pickles analyzers into the index, so every filter here keeps only plain data in its
attributes and builds C objects (PyStemmer) lazily. Changing anything in this module changes
the index format: bump ``ANALYZER_VERSION`` so that existing indexes are rebuilt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer
from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer, Token

ANALYZER_VERSION = 1

# A word, or several joined by / . - (identifiers such as V2072/23, SR/049/2023, 27.03.2024
# and hyphenated words such as Nordrhein-Westfalen). "\/" is an OCR reading of "V".
TOKEN_PATTERN = r"(?:\\/|\w)+(?:[/.\-](?:\\/|\w)+)*"
_JOINERS = re.compile(r"[/.\-]")
_OCR_V = re.compile(r"^\\/(?=\d)")
_LEADING_LETTERS = re.compile(r"^[^\W\d_]+[/.\-]?(?=\d)")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def fold(text: str) -> str:
    """Fold umlauts, ß and other accents to ASCII-like letters; leave other scripts alone."""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("german")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """German Snowball stem (PyStemmer), folded; only alphabetic words are stemmed."""
    if not word.isalpha():
        return fold(word)
    return fold(_stemmer().stemWord(word))


class CompoundTokenFilter(Filter):
    """Split joined words into parts; keep identifiers whole and index their parts too.

    Hyphenated words become their parts at following positions in index and query alike, so
    ``Westfalen`` and ``"Nordrhein Westfalen"`` find ``Nordrhein-Westfalen``. Identifiers
    (joined tokens with a digit) stay one token; at index time their parts and numeric core are
    added at the same position, so ``2072/23`` and ``V2072`` find ``V2072/23``, while a query for
    ``V2072/23`` stays an exact term and never matches ``V2072/24``.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Split or expand each token; later positions shift by the parts added."""
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            text = _OCR_V.sub("v", t.text)
            t.text = text
            if not _JOINERS.search(text):
                yield t
                continue
            parts = [p for p in _JOINERS.split(text) if p]
            base = t.pos if t.positions else 0
            if any(c.isdigit() for c in text):
                yield t
                if t.mode == "index":
                    for extra in dict.fromkeys([*parts, _LEADING_LETTERS.sub("", text)]):
                        if extra and extra != text:
                            t.text, t.pos = extra, base
                            yield t
                continue
            for offset, part in enumerate(parts):
                t.text, t.pos = part, base + offset
                yield t
            shift += len(parts) - 1


class GermanStemFilter(Filter):
    """Stem alphabetic tokens with German Snowball and fold umlauts and accents in all tokens."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Replace each token's text by its folded stem."""
        for t in tokens:
            t.text = stem(t.text)
            yield t


def german_analyzer() -> Analyzer:
    """The analyzer of the body and title fields."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CompoundTokenFilter()
        | GermanStemFilter()
    )
