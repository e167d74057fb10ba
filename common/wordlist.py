"""Debian's German word list (wngerman), shared by compound splitting and place finding.

Reading the list's 356,000 lines into sets costs 0.22-0.28 s, paid by every ``ingest`` of
one file (#18). The sets are therefore prepared once and kept beside this module's compiled
code, named by the list's SHA-256 and the Python version (marshal's format is Python's):
loading them takes half the time, and a changed list or Python makes a new file. Where that
folder is not writable the list is read as before.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common.errors import MissingDependencyError

WORD_LIST = Path("/usr/share/dict/ngerman")
CACHE_DIR = Path(__file__).with_name("__pycache__")


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
    digest = hashlib.sha256(data).hexdigest()[:16]
    prepared = cache_dir / f"{path.name}-{digest}.{sys.implementation.cache_tag}.marshal"
    try:
        # S302: the file is ours, beside the compiled code Python trusts as much.
        words = WordList(*marshal.loads(prepared.read_bytes()))  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):  # not prepared yet, or damaged
        words = _read(data.decode("utf-8"))
        _prepare(prepared, words)
    return words


def _read(text: str) -> WordList:
    entries = [w for w in (line.strip() for line in text.splitlines()) if w.isalpha()]
    lowered = {w: w.lower() for w in entries}
    shared = {w: w for w in lowered.values()}  # one string object for words and nouns
    return WordList(
        words=frozenset(shared),
        nouns=frozenset(shared[lowered[w]] for w in entries if w[0].isupper()),
        lowercase=frozenset(shared.get(w, w) for w in entries if w[0].islower()),
    )


def _prepare(prepared: Path, words: WordList) -> None:
    """Write the sets atomically; a folder that cannot be written leaves them unprepared."""
    try:
        prepared.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=prepared.parent, prefix=prepared.name)
    except OSError:
        return
    try:
        os.fchmod(handle, 0o644)  # as readable as the compiled code beside it
        with os.fdopen(handle, "wb") as f:
            f.write(marshal.dumps((words.words, words.nouns, words.lowercase)))
        Path(temporary).replace(prepared)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
