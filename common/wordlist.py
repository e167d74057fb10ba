"""Debian's German word list (wngerman), shared by compound splitting and place finding."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common.errors import MissingDependencyError

WORD_LIST = Path("/usr/share/dict/ngerman")


@dataclass(frozen=True)
class WordList:
    """The list's words, lower-cased.

    Attributes:
        words: every word.
        nouns: words the list writes capitalised (nouns and names).
        lowercase: words the list writes in lower case (verbs, adjectives, function words).
    """

    words: frozenset[str]
    nouns: frozenset[str]
    lowercase: frozenset[str]


@lru_cache(maxsize=1)
def german_words() -> WordList:
    """Load the list once per process (0.2 s).

    Raises:
        MissingDependencyError: the Debian package is not installed.
    """
    if not WORD_LIST.is_file():
        raise MissingDependencyError(
            f"Deutsche Wortliste {WORD_LIST} fehlt: sudo apt-get install wngerman"
        )
    with WORD_LIST.open(encoding="utf-8") as f:
        entries = [w for w in (line.strip() for line in f) if w.isalpha()]
    return WordList(
        words=frozenset(w.lower() for w in entries),
        nouns=frozenset(w.lower() for w in entries if w[0].isupper()),
        lowercase=frozenset(w for w in entries if w[0].islower()),
    )
