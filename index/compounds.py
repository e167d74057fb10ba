"""Split German compound words into their parts with Debian's word list (wngerman).

``Solidaritätspartnerschaft`` -> ``solidarität``, ``partnerschaft``; ``Hilfsgütertransporte`` ->
``hilfsgüter``, ``transporte``, ``hilfe``, ``güter``. Parts are indexed in a field of their own,
so a part finds the compound while whole-word matches still rank first.
"""

from __future__ import annotations

from functools import lru_cache

from common.wordlist import german_words

MIN_COMPOUND = 8
MIN_PART = 4
# Linking elements (Fugen) between parts: Hilfe+s -> "Hilfs", Stadt+es, Straße+n, Kind+er.
_LINKS = ("s", "es", "n", "en", "e", "er", "ns")
# Suffix-like words that are in the dictionary but make noise as parts (Partner+schaft).
_NOT_PARTS = frozenset(
    {
        "schaft",
        "schaften",
        "heit",
        "heiten",
        "keit",
        "keiten",
        "lich",
        "isch",
        "chen",
        "lein",
        "ling",
        "linge",
        "nisse",
        "tums",
        "haft",
        "haften",
        "ungen",
        "sche",
        "scher",
        "schen",
    }
)


def _known(part: str) -> str | None:
    """The dictionary form of a (head) part, allowing for a linking element or a dropped -e."""
    words = german_words().words
    if part in _NOT_PARTS:
        return None
    if part in words:
        return part
    for link in _LINKS:
        stem = part[: -len(link)]
        if part.endswith(link) and len(stem) >= MIN_PART and stem in words:
            return stem
    if part.endswith("s") and part[:-1] + "e" in words:  # Hilfs -> Hilfe
        return part[:-1] + "e"
    return None


@lru_cache(maxsize=100_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a lower-case compound at every level, or ``()`` if it is no compound."""
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return ()
    split = _best_split(word)
    if split is None:
        return ()
    head, tail = split
    return tuple(dict.fromkeys((head, tail, *split_compound(head), *split_compound(tail))))


def _best_split(word: str) -> tuple[str, str] | None:
    """The first split (longest head) whose tail is a noun, else the first split at all.

    German compounds end in a noun: Grund+steuer, not Grunds+teuer.
    """
    dictionary = german_words()
    words, nouns = dictionary.words, dictionary.nouns
    fallback = None
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        head_word = _known(head)
        if head_word is None or tail in _NOT_PARTS:
            continue
        if tail in nouns:
            return head_word, tail
        if fallback is None and (tail in words or split_compound(tail)):
            fallback = head_word, tail
    return fallback
