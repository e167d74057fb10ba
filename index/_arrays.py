"""Every match of a query with its exact Whoosh score, computed on arrays instead of per posting.

Whoosh scores and counts one posting at a time in Python: a word on 40% of 100,000 pages cost
hundreds of milliseconds (bench/RESULTS.md). Here the query's own matcher tree, as Whoosh
builds it per segment, is evaluated on whole posting lists with numpy: each term's ids and
weights are read block by block, BM25F is applied with the same operations in the same order
(so the scores are the same floats), and unions, intersections and boosts combine arrays in
the order Whoosh's binary trees add them. A quoted phrase is its words' intersection, kept
where their positions follow one another: Whoosh scores a phrase as that intersection, and
its phrase collector decoded every candidate's positions into span objects twice (count, then
rank). A tree with any other matcher (spans with slop, coordination) is not evaluated here: the
caller falls back to Whoosh's own collectors.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pickle import loads

import numpy as np
from whoosh import matching, query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.binary import (
    AndMaybeMatcher,
    AndNotMatcher,
    IntersectionMatcher,
    UnionMatcher,
)
from whoosh.matching.wrappers import FilterMatcher, RequireMatcher, WrappingMatcher
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from index._doctable import DocTable, Matches, bits_of, flags_of

# Posting lists kept per process, by (segment, field, term), shared by the server's threads:
# a common word at 100,000 pages is ~40,000 postings (~480 KB of ids and weights). Segments
# never change (deletions are applied on top), so an entry serves every searcher.
CACHED_POSTINGS_BYTES = 96 * 1024 * 1024
# Lengths are stored as one byte; 0 means none, which Whoosh's scorer reads as 1.
_LENGTHS = np.array([1] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)
# A phrase match as one number: the candidate's index above, the first word's position below.
_POSITION_BITS = 32


class Unsupported(Exception):
    """The matcher tree holds a matcher this module does not evaluate."""


@dataclass
class Scored:
    """Every matching page entry (global Whoosh docnum, ascending) with its score."""

    ids: np.ndarray  # int64
    scores: np.ndarray  # float64


@dataclass
class _SegmentArrays:
    """Posting lists (least recently used dropped first) and field lengths, per segment."""

    postings: OrderedDict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=OrderedDict
    )
    bytes: int = 0
    lengths: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def forget(self, segments: set[str]) -> None:
        """Drop the lengths of segments no longer in the index (postings age out by size)."""
        with self.lock:
            for key in [k for k in self.lengths if k[0] not in segments]:
                del self.lengths[key]


_SHARED = _SegmentArrays()


def forget_segments(searcher: Searcher) -> None:
    """Drop what is kept of segments the searcher's index state no longer has."""
    _SHARED.forget({_segment_key(leaf) for leaf, _ in searcher.leaf_searchers()})


def _segment_key(leaf: Searcher) -> str:
    """The segment's id, random and never reused; an empty index's reader has no segment."""
    segment = leaf.reader().segment()
    return segment.segment_id() if segment is not None else f"reader-{id(leaf.reader())}"


@dataclass
class ArrayScorer:
    """Evaluates queries on one committed index state, with one thread's searcher."""

    searcher: Searcher
    table: DocTable

    def score(self, q: query.Query) -> Scored | None:
        """All matches of ``q`` with their scores, or None when the tree is not supported."""
        context = self.searcher.context(needs_current=True)
        ids, scores = [], []
        try:
            for leaf, offset in self.searcher.leaf_searchers():
                local, values = self._evaluate(q.matcher(leaf, context), leaf, _segment_key(leaf))
                ids.append(local + offset)
                scores.append(values)
        except Unsupported:
            return None
        if not ids:
            return Scored(np.zeros(0, np.int64), np.zeros(0, np.float64))
        return Scored(np.concatenate(ids), np.concatenate(scores))

    def matches(self, scored: Scored) -> Matches:
        """The matched pages and documents as bitsets, as ``DocTable.matches`` counts them."""
        docs = self.table.page_docs[scored.ids]
        return Matches(
            bits_of(scored.ids, self.searcher.doc_count_all()),
            bits_of(docs[docs >= 0], len(self.table.doc_ids)),
        )

    def best_documents(
        self, scored: Scored, allowed: int | None, count: int
    ) -> list[tuple[int, list[tuple[int, float]]]]:
        """The ``count`` best ``allowed`` documents by their best page, each with that page.

        Ordered as Whoosh's top-N collector collapsed on ``doc_id`` orders them: by score,
        ties to the lower page entry.
        """
        ids, scores = scored.ids, scored.scores
        docs = self.table.page_docs[ids]
        keep = docs >= 0
        if allowed is not None:
            keep &= flags_of(allowed, len(self.table.doc_ids))[np.maximum(docs, 0)]
        ids, scores, docs = ids[keep], scores[keep], docs[keep]
        order = np.lexsort((ids, -scores, docs))
        first = np.ones(len(order), bool)
        first[1:] = docs[order][1:] != docs[order][:-1]
        best = order[first]
        top = best[np.lexsort((ids[best], -scores[best]))[:count]]
        return [(int(docs[i]), [(int(ids[i]), float(scores[i]))]) for i in top]

    def read_lengths(self, fieldnames: Iterable[str]) -> None:
        """Keep the field lengths of every segment, as scoring these fields will want them."""
        for leaf, _ in self.searcher.leaf_searchers():
            if leaf.doc_count_all():  # an empty index's reader has no length columns
                for fieldname in fieldnames:
                    self._field_lengths(leaf, _segment_key(leaf), fieldname)

    def _evaluate(
        self, m: matching.Matcher, leaf: Searcher, segment: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ids (segment-local, ascending) and scores of one matcher, as Whoosh scores."""
        kind = type(m)
        if m is matching.NullMatcher or kind is matching.NullMatcherClass:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        if kind in (W3LeafMatcher, matching.ListMatcher):
            return self._leaf(m, leaf, segment)
        if kind is WrappingMatcher:
            ids, scores = self._evaluate(m.child, leaf, segment)
            return ids, scores * m.boost
        if kind is FilterMatcher:
            ids, scores = self._evaluate(m.child, leaf, segment)
            keep = np.isin(ids, np.fromiter(m._ids, np.int64, len(m._ids)))
            keep = ~keep if m._exclude else keep
            return ids[keep], scores[keep] * m.boost
        if kind in (UnionMatcher, IntersectionMatcher, AndNotMatcher, AndMaybeMatcher):
            a_ids, a_scores = self._evaluate(m.a, leaf, segment)
            b_ids, b_scores = self._evaluate(m.b, leaf, segment)
            return _combine(kind, a_ids, a_scores, b_ids, b_scores)
        if kind is SpanNear2.SpanNear2Matcher:
            return self._phrase(m, leaf, segment)
        if kind is RequireMatcher:
            a_ids, a_scores = self._evaluate(m.a, leaf, segment)
            b_ids, _ = self._evaluate(m.b, leaf, segment)
            keep = np.isin(a_ids, b_ids, assume_unique=True)
            return a_ids[keep], a_scores[keep]
        raise Unsupported(kind.__name__)

    def _phrase(
        self, m: SpanNear2.SpanNear2Matcher, leaf: Searcher, segment: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """A quoted phrase: its words' intersection (Whoosh's score), where they stand in a row."""
        if m.slop != 1 or not m.ordered or m.mindist != 1:
            raise Unsupported("phrase with slop")
        ids, scores = self._evaluate(m.child, leaf, segment)
        starts = np.zeros(0, np.int64)
        for offset, word in enumerate(m.ms):
            term = _unfiltered(word)
            term_ids, _ = self._read_postings(term, segment, *term.term())
            keys = _position_keys(term, term_ids, ids)
            starts = keys if offset == 0 else starts[np.isin(starts + offset, keys)]
            if not len(starts):
                break
        keep = np.zeros(len(ids), bool)
        keep[starts >> _POSITION_BITS] = True
        return ids[keep], scores[keep]

    def _leaf(
        self, m: matching.Matcher, leaf: Searcher, segment: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """A term's postings scored as its scorer would score them one by one."""
        scorer = m.scorer if isinstance(m, W3LeafMatcher) else m._scorer
        fieldname, text = m.term()
        ids, weights = self._read_postings(m, segment, fieldname, text)
        if type(scorer) is WeightScorer:
            return ids, weights
        if type(scorer) is not BM25FScorer:
            raise Unsupported(type(scorer).__name__)
        lengths = self._field_lengths(leaf, segment, fieldname)[ids]
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        # whoosh.scoring.bm25, operation for operation
        return ids, idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avgfl)))

    def _read_postings(
        self, m: matching.Matcher, segment: str, fieldname: str, text: bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        key = (segment, fieldname, text.decode("utf-8", "replace"))
        shared = _SHARED
        with shared.lock:
            found = shared.postings.get(key)
            if found is not None:
                shared.postings.move_to_end(key)
                return found
        found = _postings(m)
        for array in found:
            array.flags.writeable = False  # shared by threads: never changed in place
        with shared.lock:
            if key not in shared.postings:
                shared.postings[key] = found
                shared.bytes += found[0].nbytes + found[1].nbytes
            while shared.bytes > CACHED_POSTINGS_BYTES and len(shared.postings) > 1:
                _, (old_ids, old_weights) = shared.postings.popitem(last=False)
                shared.bytes -= old_ids.nbytes + old_weights.nbytes
        return found

    def _field_lengths(self, leaf: Searcher, segment: str, fieldname: str) -> np.ndarray:
        """Each page entry's length of the field, as ``doc_field_length(n, field, 1)`` gives."""
        key = (segment, fieldname)
        lengths = _SHARED.lengths.get(key)
        if lengths is None:
            reader = leaf.reader()
            count = reader.doc_count_all()
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                lengths = np.ones(count, np.float64)
            else:
                raw = np.fromiter((column[n] for n in range(count)), np.uint8, count)
                lengths = _LENGTHS[raw]
            _SHARED.lengths[key] = lengths
        return lengths


def _unfiltered(m: matching.Matcher) -> matching.Matcher:
    """A phrase word's own postings: deletions are already out of the phrase's intersection."""
    while type(m) is FilterMatcher:
        m = m.child
    if type(m) is not W3LeafMatcher:
        raise Unsupported(type(m).__name__)
    return m


def _position_keys(m: W3LeafMatcher, term_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Every position of the term on the ``wanted`` ids (ascending), as index << 32 | position.

    ``term_ids`` are the term's postings (``_postings``), so blocks are not decoded for their
    ids again; blocks without a wanted id are skipped unread, and positions are decoded (one
    pickle load per posting, as Whoosh stores them) only for wanted ids, summed at once.
    """
    where: list[int] = []
    counts: list[int] = []
    deltas: list[int] = []
    done = start = 0
    for block in _blocks(m):
        if done == len(wanted):
            break
        end = int(np.searchsorted(wanted, block._maxid, side="right"))
        if end > done:
            ids = term_ids[start : start + block._blocklength]
            at = np.searchsorted(wanted, ids)
            found = np.flatnonzero((at < end) & (wanted[np.minimum(at, len(wanted) - 1)] == ids))
            if len(found):
                if block._values is None:
                    block._read_values()
                values = block._values
                for j in found.tolist():
                    value = values[j][_INT_SIZE:]
                    # The index's own file, which Whoosh itself reads with pickle.
                    codes = loads(value if value.endswith(b".") else value + b".")  # noqa: S301
                    counts.append(len(codes))
                    deltas.extend(codes)
                where.extend(at[found].tolist())
            done = end
        start += block._blocklength
    if not deltas:
        return np.zeros(0, np.int64)
    sizes = np.asarray(counts, np.int64)
    running = np.cumsum(np.asarray(deltas, np.int64))
    before = np.concatenate(([0], running))[np.cumsum(sizes) - sizes]
    positions = running - np.repeat(before, sizes)
    return (np.repeat(np.asarray(where, np.int64), sizes) << _POSITION_BITS) | positions


def _blocks(m: W3LeafMatcher) -> Iterator[W3LeafMatcher]:
    """The matcher at each of its posting blocks in turn, from the first (header read, data not).

    Reset first: building an intersection moves its matchers to their first common id.
    """
    m.reset()
    while m.is_active():
        yield m
        m._i = m._blocklength
        m._next_block()


def _postings(m: matching.Matcher) -> tuple[np.ndarray, np.ndarray]:
    """A leaf matcher's ids and weights, all of them."""
    if type(m) is matching.ListMatcher:
        ids = np.asarray(m._ids, np.int64)
        if m._all_weights:
            weights = np.full(len(ids), float(m._all_weights))
        elif m._weights:
            weights = np.asarray(m._weights, np.float64)
        else:
            weights = np.ones(len(ids))
        return ids, weights
    id_blocks, weight_blocks = [], []
    for block in _blocks(m):
        if block._ids is None:
            block._read_ids()
        if block._weights is None:
            block._read_weights()
        id_blocks.append(np.asarray(block._ids, np.int64))
        weight_blocks.append(np.asarray(block._weights, np.float64))
    if not id_blocks:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def _combine(
    kind: type,
    a_ids: np.ndarray,
    a_scores: np.ndarray,
    b_ids: np.ndarray,
    b_scores: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Two matchers' arrays joined as the binary matcher ``kind`` joins them (``a + b``)."""
    if kind is UnionMatcher:
        ids = _merged(a_ids, b_ids)
        scores = np.zeros(len(ids))
        scores[np.searchsorted(ids, a_ids)] = a_scores
        scores[np.searchsorted(ids, b_ids)] += b_scores  # 0.0 + b == b exactly
        return ids, scores
    if kind is IntersectionMatcher:
        ids, ia, ib = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
        return ids, a_scores[ia] + b_scores[ib]
    if kind is AndNotMatcher:
        keep = ~np.isin(a_ids, b_ids, assume_unique=True)
        return a_ids[keep], a_scores[keep]
    # AndMaybeMatcher: a's matches, b's score added where b matches too
    scores = a_scores.copy()
    _, ia, ib = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    scores[ia] = a_scores[ia] + b_scores[ib]
    return a_ids, scores


def _merged(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The union of two ascending id arrays, merged by a stable sort of the two runs.

    ``np.union1d`` sorts them from scratch: 16 times slower on two common words' postings.
    """
    ids = np.concatenate((a, b))
    ids.sort(kind="stable")
    keep = np.ones(len(ids), bool)
    keep[1:] = ids[1:] != ids[:-1]
    return ids[keep]


def scores_at(scored: Scored, pages: set[int]) -> dict[int, float]:
    """The scores of some matched page entries."""
    if not len(scored.ids):
        return {}
    wanted = np.fromiter(pages, np.int64, len(pages))
    at = np.searchsorted(scored.ids, wanted)
    found = (at < len(scored.ids)) & (scored.ids[np.minimum(at, len(scored.ids) - 1)] == wanted)
    return {int(p): float(scored.scores[i]) for p, i in zip(wanted[found], at[found], strict=True)}
