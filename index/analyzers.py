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

from common.names import is_cyrillic, name_key, transliterate
from index.compounds import split_compound

ANALYZER_VERSION = 5  # 5: hyphenated names keyed by their parts

# A word, or several joined by / . - (identifiers such as V2072/23, SR/049/2023, 27.03.2024
# and hyphenated words such as Nordrhein-Westfalen). "\/" is an OCR reading of "V".
TOKEN_PATTERN = r"(?:\\/|\w)+(?:[/.\-](?:\\/|\w)+)*"
# The same tokens in a text without a backslash, found twice as fast (a snippet's page).
PLAIN_TOKEN_PATTERN = r"\w+(?:[/.\-]\w+)*"
_JOINERS = re.compile(r"[/.\-]")
_OCR_V = re.compile(r"^\\/(?=\d)")
_LEADING_LETTERS = re.compile(r"^[^\W\d_]+[/.\-]?(?=\d)")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
# Identifiers written with a dash mean the same as with a slash: V2072-23 is V2072/23.
_DASHED_ID = re.compile(r"([^\W\d_]{0,4})(\d{1,6})-(\d{2,4})")
# Cyrillic letters that look like Latin ones, as OCR confuses them inside Latin words.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "к": "k",
        "м": "m",
        "т": "t",
        "в": "b",
        "н": "h",
    }
)
_DIGIT_IN_WORD = re.compile(r"(?<=[^\W\d_])[01](?=[^\W\d_])")
_DIGIT_AS_LETTER = {"0": "o", "1": "l"}
MIN_NAME_KEY = 3
# Han, Hiragana, Katakana and Hangul: scripts written without spaces between words.
_CJK_RUN = re.compile(
    r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]+)"
)
_RUN_TOGETHER = re.compile(r"(?<=[a-zäöüß])(?=[A-ZÄÖÜ][a-zäöüß]{2})")


def fold(text: str) -> str:
    """Fold umlauts, ß and other accents to ASCII-like letters; leave other scripts alone."""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def fix_confusables(word: str) -> str:
    """Undo OCR look-alikes in a lower-case word: Cyrillic letters in a Latin word, 0/1 for o/l.

    ``dufлот`` -> ``duflot``; ``k0nferenz`` -> ``konferenz``. Words wholly in Cyrillic stay.
    """
    if any(is_cyrillic(c) for c in word) and any("a" <= c <= "z" for c in word):
        word = transliterate(word.translate(_HOMOGLYPHS))
    return _DIGIT_IN_WORD.sub(lambda m: _DIGIT_AS_LETTER[m.group(0)], word)


@lru_cache(maxsize=200_000)
def _normalised_token(text: str) -> str:
    """A token with OCR look-alikes undone and dashed identifiers joined.

    Cached: every hit's page is analysed again for its snippet, and words recur on every page.
    """
    return _DASHED_ID.sub(r"\1\2/\3", _OCR_V.sub("v", fix_confusables(text)))


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
            text = _normalised_token(t.text)
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


class RunTogetherFilter(Filter):
    """At index time, also index the parts of words OCR ran together at a capital letter.

    ``OleksandrSymtschyschyn`` is indexed whole and as ``Oleksandr`` and ``Symtschyschyn`` at
    the same position, so either name finds it without a costly infix search at query time.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Pass every token; after a run-together one, its parts."""
        for t in tokens:
            text = t.text
            yield t
            if t.mode == "index" and _RUN_TOGETHER.search(text):
                for part in _RUN_TOGETHER.split(text):
                    t.text = part
                    yield t


class CJKBigramFilter(Filter):
    """Index and search runs of CJK characters as overlapping character pairs.

    Chinese and Japanese put no spaces between words, so ``日本の首都`` was one token that the
    word ``日本`` never matched (issue #16). As Lucene's CJK analyzer does, a run becomes its
    bigrams at following positions (``日本``, ``本の``, ``の首``, ``首都``); a query's run
    becomes the same pairs, matched as a phrase. Latin parts of the token stay whole.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Split tokens holding CJK characters; later positions shift by the pieces added."""
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            if not _CJK_RUN.search(t.text):
                yield t
                continue
            pieces = []
            for part in _CJK_RUN.split(t.text):
                if not part:
                    continue
                if _CJK_RUN.fullmatch(part):
                    pieces += [part[i : i + 2] for i in range(max(1, len(part) - 1))]
                else:
                    pieces.append(part)
            base = t.pos if t.positions else 0
            for offset, piece in enumerate(pieces):
                t.text, t.pos = piece, base + offset
                yield t
            shift += len(pieces) - 1


class CompoundPartsFilter(Filter):
    """Index only the parts of compound words; at query time pass the word itself.

    ``Hilfslieferungen`` is indexed as ``hilf`` and ``lieferung`` (after stemming), so the query
    ``Lieferungen`` finds it in this field, scored below a whole-word match in the body.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Replace each compound by its parts (index) or keep the token (query)."""
        for t in tokens:
            if t.mode != "index":
                yield t
                continue
            for part in split_compound(t.text):
                t.text = part
                yield t


class NameKeyFilter(Filter):
    """Replace each word by its spelling-independent name key (see ``common.names``)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Key words of three letters or more; at index time only capitalised ones (names).

        A hyphenated name (``Iwano-Frankiwsk``, ``Baden-Baden``) is keyed by its parts, so that
        ``Ivano-Frankivsk`` finds it (the field has no positions; a query needs every part).
        """
        for t in tokens:
            for part in t.text.split("-"):
                if len(part) < MIN_NAME_KEY or not part.isalpha():
                    continue
                if t.mode == "index" and not part[0].isupper():
                    continue
                t.text = name_key(part.lower())
                yield t


def german_analyzer() -> Analyzer:
    """The analyzer of the body and title fields."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | RunTogetherFilter()
        | CJKBigramFilter()
        | LowercaseFilter()
        | CompoundTokenFilter()
        | GermanStemFilter()
    )


def compound_parts_analyzer() -> Analyzer:
    """The analyzer of the field holding the parts of compound words."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CompoundTokenFilter()
        | CompoundPartsFilter()
        | GermanStemFilter()
    )


def name_analyzer() -> Analyzer:
    """The analyzer of the field holding name keys (transliteration-independent)."""
    return RegexTokenizer(TOKEN_PATTERN) | RunTogetherFilter() | NameKeyFilter()
