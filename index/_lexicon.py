"""Near spellings of a word among an index segment's terms, compared in C (rapidfuzz).

whoosh3's reader over several segments computes the edit distance to every term of the field
in pure Python (7 of 7.4 s of a ``Haushalt~1`` search on 1,000 pages); asking each segment's
automaton was still 1.2 s. Here each segment's term list is read once (segments never change),
grouped by length in the lexicon's sorted order, and only words of a fitting length that
share the prefix (a slice found by bisection) and whose letters could be within the distance
are compared. Each edit brings in at most one letter the other word lacks and drops at most
one it has (a swap neither), so a word with more than ``maxdist`` letters ``text`` lacks, or
lacking more than ``maxdist`` of its letters, cannot be near; each word's set of letters is
kept as the bits of one number, so this is checked for all of them at once (a letter sharing
a bit with another only lets more words through). That leaves a few percent of the words of
fitting length; comparing them all had been 16% of a web search. The distance is Whoosh's own:
edits and swaps of neighbouring letters, each letter edited once (optimal string alignment,
as ``whoosh.support.levenshtein.damerau_levenshtein`` computes it), four times faster in
rapidfuzz than the unrestricted Damerau distance.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.reading import IndexReader

# Term lists kept per process, (segment, field) pairs, by their words; the least recently used
# dropped first. A count of 64 pairs was less than one ``Haushalt~1`` needs on an index of 18
# segments (5 fields each), so every search read them all again: 1.2 s at 28,000 pages.
CACHED_WORDS = 2_000_000
# Shared by the server's threads: without the lock two threads reading the same list counted
# it twice, and the inflated count evicted every list on each search.
_lock = threading.Lock()
_lexicons: OrderedDict[tuple[str, str], tuple[dict[int, _Words], int]] = OrderedDict()
_cached_words = 0
# A bit per letter: a-z, ä ö ü ß and the digits each their own, any other character one of the
# remaining 24 bits by its code point.
_OWN_BITS = "abcdefghijklmnopqrstuvwxyzäöüß0123456789"
_SHARED_BITS = 64 - len(_OWN_BITS)
_BIT_OF = np.array(
    [
        _OWN_BITS.index(chr(c)) if chr(c) in _OWN_BITS else len(_OWN_BITS) + c % _SHARED_BITS
        for c in range(max(map(ord, _OWN_BITS)) + 1)
    ],
    dtype=np.uint64,
)


@dataclass(frozen=True)
class _Words:
    """The terms of one length, sorted, and the letters each holds as bits of one number."""

    words: list[str]
    letters: np.ndarray  # uint64, one per word


def near_terms(
    reader: IndexReader, fieldname: str, text: str, maxdist: int, prefix: int = 0
) -> set[str]:
    """Index terms within ``maxdist`` edits of ``text`` sharing its first ``prefix`` letters."""
    start = text[:prefix]
    mine = _letters([text], len(text))[0]
    words: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        by_length = _lexicon(leaf, fieldname)
        for length in range(len(text) - maxdist, len(text) + maxdist + 1):
            if length not in by_length:
                continue
            group = by_length[length]
            first, end = _with_prefix(group.words, start)
            theirs = group.letters[first:end]
            near = (np.bitwise_count(theirs & ~mine) <= maxdist) & (
                np.bitwise_count(mine & ~theirs) <= maxdist
            )
            candidates = [group.words[i] for i in (np.flatnonzero(near) + first).tolist()]
            found = process.extract(
                text, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None
            )
            words.update(word for word, _, _ in found)
    return words


def read_lexicons(reader: IndexReader, fieldnames: Iterable[str]) -> None:
    """Keep the term lists of these fields of every segment, as near spellings will want them."""
    for leaf, _ in reader.leaf_readers():
        for fieldname in fieldnames:
            _lexicon(leaf, fieldname)


def _with_prefix(words: list[str], start: str) -> tuple[int, int]:
    """Where the words (sorted) that begin with ``start`` are: one contiguous slice of them."""
    if not start:
        return 0, len(words)
    first = bisect_left(words, start)
    return first, bisect_left(words, start + "\U0010ffff", first)


def _letters(words: list[str], length: int) -> np.ndarray:
    """For each word of ``length`` letters, its set of letters as bits of one number."""
    if not words or not length:
        return np.zeros(len(words), np.uint64)
    points = np.frombuffer("".join(words).encode("utf-32-le"), np.uint32).reshape(-1, length)
    spread = len(_OWN_BITS) + points % _SHARED_BITS
    bits = np.where(points < len(_BIT_OF), _BIT_OF[np.minimum(points, len(_BIT_OF) - 1)], spread)
    return np.bitwise_or.reduce(np.left_shift(np.uint64(1), bits.astype(np.uint64)), axis=1)


def _lexicon(leaf: IndexReader, fieldname: str) -> dict[int, _Words]:
    segment = leaf.segment()
    if segment is None:
        return _read(leaf, fieldname)
    # Segment ids are random and never reused: one entry serves every searcher of the process.
    key = (segment.segment_id(), fieldname)
    global _cached_words
    with _lock:
        if key in _lexicons:
            _lexicons.move_to_end(key)
            return _lexicons[key][0]
    words = _read(leaf, fieldname)
    with _lock:
        if key not in _lexicons:
            _lexicons[key] = (words, _count(words))
            _cached_words += _lexicons[key][1]
            while _cached_words > CACHED_WORDS and len(_lexicons) > 1:
                _cached_words -= _lexicons.popitem(last=False)[1][1]
    return words


def _read(leaf: IndexReader, fieldname: str) -> dict[int, _Words]:
    by_length: dict[int, list[str]] = {}
    for raw in leaf.lexicon(fieldname):
        word = raw.decode("utf-8", "replace")
        by_length.setdefault(len(word), []).append(word)
    for words in by_length.values():
        words.sort()  # already in order unless a damaged byte was replaced
    return {length: _Words(words, _letters(words, length)) for length, words in by_length.items()}


def _count(by_length: dict[int, _Words]) -> int:
    return sum(len(group.words) for group in by_length.values())
