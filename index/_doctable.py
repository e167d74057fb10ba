"""Per committed index state: pages by document, facet values as bitsets, counts without scores.

Totals and facet counts need the set of matching documents, not a score for every matching
page. Documents are numbered 0..n-1 per index state; a set of them is a Python int used as a
bitset (``&`` and ``int.bit_count()`` take microseconds on 100,000 bits). The table is built
once per committed state (one pass over two columns) and shared by every search on it, in
every thread of the process: each thread searches with its own searcher, which is passed in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import Query
from whoosh.searching import Searcher

from index.schema import FACET_SEPARATOR, VALUE_SEPARATOR

# In the order of the facet column (index._whoosh.facet_values).
FACETS = ("doc_type", "issuer", "year", "persons", "places", "paper_types", "committees")
LIST_FACETS = ("persons", "places", "paper_types", "committees")
FACET_VALUES = 15
# Matching sets kept per index state (repeated searches: pages, facet clicks). As bitsets a
# set of 100,000 pages is 12.5 KB; as frozensets of ints they grew a 10,000-page server by
# 270 MB in a minute of load (bench/RESULTS.md).
CACHED_SETS = 64


def bits_of(numbers: np.ndarray, size: int) -> int:
    """Numbers (an array) as the bits of an int: one big int, not one per bit."""
    flags = np.zeros(size, bool)
    flags[numbers] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def flags_of(bits: int, size: int) -> np.ndarray:
    """A bitset as one flag per number."""
    raw = np.frombuffer(bits.to_bytes((size + 7) // 8, "little"), np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].astype(bool)


@dataclass(frozen=True)
class FacetValues:
    """One facet's values and which documents hold each, as (document, value) pairs."""

    names: list[str]
    docs: np.ndarray  # int32, per pair
    values: np.ndarray  # int32, per pair: index into names

    @classmethod
    def of(cls, holders: dict[str, list[int]]) -> FacetValues:
        """From each value's documents."""
        names = list(holders)
        docs = [d for name in names for d in holders[name]]
        values = [i for i, name in enumerate(names) for _ in holders[name]]
        return cls(names, np.asarray(docs, np.int32), np.asarray(values, np.int32))

    def counts(self, flags: np.ndarray, limit: int | None = None) -> list[tuple[str, int]]:
        """How many flagged documents hold each value, for the values some hold.

        With ``limit``, only values that may be among the ``limit`` most held: those held at
        least as often as the ``limit``-th (ties included, for the caller's order).
        """
        counted = np.bincount(self.values[flags[self.docs]], minlength=len(self.names))
        held = np.flatnonzero(counted)
        if limit is not None and len(held) > limit:
            least = np.partition(counted[held], len(held) - limit)[len(held) - limit]
            held = held[counted[held] >= least]
        return [(self.names[i], int(counted[i])) for i in held]


def members(bits: int) -> list[int]:
    """The numbers whose bits are set, ascending."""
    out, base = [], 0
    raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for byte in raw:
        if byte:
            out.extend(base + i for i in range(8) if byte >> i & 1)
        base += 8
    return out


@dataclass
class Matches:
    """The pages and documents one query matches, as bitsets."""

    pages: int  # bitset of page entries (Whoosh docnums)
    docs: int  # bitset of document numbers

    def has_page(self, docnum: int) -> bool:
        """Whether the page entry matched."""
        return bool(self.pages >> docnum & 1)

    @property
    def total(self) -> int:
        """How many documents matched."""
        return self.docs.bit_count()


@dataclass
class DocTable:
    """Documents of one committed index state."""

    page_docs: np.ndarray  # page entry (Whoosh docnum) -> document number; -1: deleted
    doc_ids: list[str]
    doc_pages: list[list[int]]  # document number -> its page entries
    facet_values: dict[str, FacetValues]
    _dates: list[str] | None = None
    _cache: OrderedDict[tuple[str, ...], Matches] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, searcher: Searcher) -> DocTable:
        """Read ``doc_id`` and ``facet_values`` of every live page once."""
        reader = searcher.reader()
        page_doc = [-1] * reader.doc_count_all()
        doc_ids: list[str] = []
        doc_pages: list[list[int]] = []
        numbers: dict[str, int] = {}
        holders: dict[str, dict[str, list[int]]] = {name: {} for name in FACETS}
        if reader.doc_count():
            id_column = reader.column_reader("doc_id")
            facet_column = reader.column_reader("facet_values")
            for docnum in reader.all_doc_ids():
                doc_id = id_column[docnum]
                number = numbers.get(doc_id)
                if number is None:
                    number = numbers[doc_id] = len(doc_ids)
                    doc_ids.append(doc_id)
                    doc_pages.append([])
                    _add_facets(holders, facet_column[docnum], number)
                page_doc[docnum] = number
                doc_pages[number].append(docnum)
        facets = {name: FacetValues.of(values) for name, values in holders.items()}
        return cls(np.asarray(page_doc, np.int64), doc_ids, doc_pages, facets)

    def matches(self, searcher: Searcher, key: tuple[str, ...], q: Query) -> Matches:
        """The pages and documents ``q`` matches, unscored; cached under ``key``."""
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        pages = list(searcher.docs_for_query(q))
        ids = np.asarray(pages, np.int64)
        size = len(self.page_docs)
        found = Matches(bits_of(ids, size), bits_of(self.page_docs[ids], len(self.doc_ids)))
        with self._lock:
            self._cache[key] = found
            if len(self._cache) > CACHED_SETS:
                self._cache.popitem(last=False)
        return found

    def pages_of(self, docs: int, matches: Matches) -> set[int]:
        """The matching page entries of a set of documents."""
        return {p for d in members(docs) for p in self.doc_pages[d] if matches.has_page(p)}

    def facets(self, docs: int) -> dict[str, list[tuple[str, int]]]:
        """Per facet, how many of ``docs`` have each value: most first, years in order."""
        out: dict[str, list[tuple[str, int]]] = {}
        flags = flags_of(docs, len(self.doc_ids))
        for name, values in self.facet_values.items():
            counts = values.counts(flags, None if name == "year" else FACET_VALUES)
            if name == "year":
                out[name] = sorted(counts)  # every year, for the histogram
            else:
                out[name] = sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:FACET_VALUES]
        return out

    def dates(self, searcher: Searcher) -> list[str]:
        """Each document's date (ISO or empty), read from stored fields once when first asked."""
        if self._dates is None:
            self._dates = [
                searcher.stored_fields(pages[0]).get("date", "") for pages in self.doc_pages
            ]
        return self._dates


def _add_facets(holders: dict[str, dict[str, list[int]]], raw: bytes, number: int) -> None:
    for name, value in zip(FACETS, raw.decode().split(FACET_SEPARATOR), strict=True):
        items = value.split(VALUE_SEPARATOR) if name in LIST_FACETS else [value]
        for item in dict.fromkeys(items):
            if item:
                holders[name].setdefault(item, []).append(number)
