"""Debian's German word list (wngerman), shared by compound splitting and place finding.

Reading the list's 356,000 lines into sets costs 0.22-0.28 s, paid by every ``ingest`` of
one file (#18); the sets are prepared once (``common.prepared``) and load in half the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common.errors import MissingDependencyError
from common.prepared import CACHE_DIR, prepared, prepared_path

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
    """Load the list once per process (0.1 s from the prepared sets).

    Raises:
        MissingDependencyError: the Debian package is not installed.
    """
    return load_word_list(WORD_LIST, CACHE_DIR)


def load_word_list(path: Path, cache_dir: Path) -> WordList:
    """The word list at ``path``, from its prepared sets in ``cache_dir`` when they are there.

    Raises:
        MissingDependencyError: there is no list at ``path``.
    """
    if not path.is_file():
        raise MissingDependencyError(
            f"Deutsche Wortliste {path} fehlt: sudo apt-get install wngerman"
        )
    data = path.read_bytes()
    sets = prepared(prepared_path(cache_dir, path.name, [data]), lambda: _read(data.decode()))
    return WordList(*sets)


def _read(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The sets of a ``WordList``, in its order."""
    entries = [w for w in (line.strip() for line in text.splitlines()) if w.isalpha()]
    lowered = {w: w.lower() for w in entries}
    shared = {w: w for w in lowered.values()}  # one string object for words and nouns
    return (
        frozenset(shared),
        frozenset(shared[lowered[w]] for w in entries if w[0].isupper()),
        frozenset(shared.get(w, w) for w in entries if w[0].islower()),
    )
