"""Near spellings of a word among an index segment's terms, compared in C (rapidfuzz).

whoosh3's reader over several segments computes the edit distance to every term of the field
in pure Python (7 of 7.4 s of a ``Haushalt~1`` search on 1,000 pages); asking each segment's
automaton was still 1.2 s. Here each segment's term list is read once (segments never change),
grouped by length in the lexicon's sorted order, and only words of a fitting length that
share the prefix (a slice found by bisection) are compared. The distance is Whoosh's own:
edits and swaps of neighbouring letters, each letter edited once (optimal string alignment,
as ``whoosh.support.levenshtein.damerau_levenshtein`` computes it), four times faster in
rapidfuzz than the unrestricted Damerau distance.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable

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
_lexicons: OrderedDict[tuple[str, str], tuple[dict[int, list[str]], int]] = OrderedDict()
_cached_words = 0


def near_terms(
    reader: IndexReader, fieldname: str, text: str, maxdist: int, prefix: int = 0
) -> set[str]:
    """Index terms within ``maxdist`` edits of ``text`` sharing its first ``prefix`` letters."""
    start = text[:prefix]
    words: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        by_length = _lexicon(leaf, fieldname)
        for length in range(len(text) - maxdist, len(text) + maxdist + 1):
            candidates = _with_prefix(by_length.get(length, []), start)
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


def _with_prefix(words: list[str], start: str) -> list[str]:
    """The words (sorted) that begin with ``start``: one contiguous slice of them."""
    if not start:
        return words
    first = bisect_left(words, start)
    return words[first : bisect_left(words, start + "\U0010ffff", first)]


def _lexicon(leaf: IndexReader, fieldname: str) -> dict[int, list[str]]:
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


def _read(leaf: IndexReader, fieldname: str) -> dict[int, list[str]]:
    by_length: dict[int, list[str]] = {}
    for raw in leaf.lexicon(fieldname):
        word = raw.decode("utf-8", "replace")
        by_length.setdefault(len(word), []).append(word)
    for words in by_length.values():
        words.sort()  # already in order unless a damaged byte was replaced
    return by_length


def _count(by_length: dict[int, list[str]]) -> int:
    return sum(len(words) for words in by_length.values())
