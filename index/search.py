"""The search index: one writer at a time, readers on snapshots, results grouped by document."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from whoosh import highlight, query, writing
from whoosh.fields import Schema
from whoosh.index import LockError
from whoosh.query import Query
from whoosh.reading import IndexReader
from whoosh.searching import Hit, Results, Searcher

from index.queries import (
    RARE_DOC_FREQUENCY,
    excluded_parts,
    expand_rare_terms,
    is_plain_words,
    parse_query,
    tolerance_for,
)
from index.schema import FACET_SEPARATOR, INDEX_STAMP, IndexDocument, build_schema, page_id
from index.storage import MappedFileStorage

STAMP_FILE = "findbuch-index.json"
# A second writer waits this long for the lock (one writer per index, see research/whoosh.md).
WRITER_TIMEOUT_S = 120.0
# Segments as separate files, read through memory maps (index.storage), not compound files.
COMPOUND_SEGMENTS = False
SNIPPET_CHARS = 240
# Snippets are made from windows of this many characters either side of a likely match
# (at most SNIPPET_WINDOWS of them), found by a word's first SNIPPET_PREFIX_CHARS letters.
SNIPPET_WINDOW_CHARS = 160
SNIPPET_WINDOWS = 3
SNIPPET_PREFIX_CHARS = 4
# Lower-case folding that keeps every character's offset (ß becomes one s).
_SAME_LENGTH_FOLD = str.maketrans("äöüßéèêáàâóòôíìîúùûç", "aouseeeaaaoooiiiuuuc")
RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)
# Fewer matching documents than this count as "little found": a suggestion is offered.
FEW = 3
# Spellings on at most this many pages are rare (see index.queries).
RARE = RARE_DOC_FREQUENCY
MIN_SUGGEST_LENGTH = 4
FACETS = ("doc_type", "issuer", "year", "persons", "places")
FACET_VALUES = 15
SIMILAR_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class SearchHit:
    """One document in a result list.

    Attributes:
        doc_id: archive id.
        sha256: hex digest of the original.
        title: title, or the file name where there is none.
        date: ISO date, or empty.
        pages: matching page numbers, best first.
        score: relevance of the best page.
        snippet: HTML-safe excerpt of the best page, matches wrapped in ``<mark>``.
        all_words: whether the document matched the query as typed; ``False`` for documents
            that only some of the words found (listed after the others).
    """

    doc_id: str
    sha256: str
    title: str
    date: str
    pages: tuple[int, ...]
    score: float
    snippet: str
    all_words: bool = True


@dataclass(frozen=True)
class SearchResults:
    """A result list.

    Attributes:
        query: the query as typed.
        total: how many documents matched.
        hits: the documents of the requested slice (``offset``, ``limit``), in order.
        offset: how many documents precede ``hits``.
        facets: per facet (``doc_type``, ``issuer``, ``year``, ``persons``, ``places``) the
            values among all matching documents with their document counts, most first.
        suggestion: a corrected query when little was found ("Meinten Sie …?"), or empty.
    """

    query: str
    total: int
    hits: tuple[SearchHit, ...]
    offset: int = 0
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str = ""


class _MarkFormatter(highlight.HtmlFormatter):
    """Escapes all text and wraps matches in plain ``<mark>`` elements."""

    def __init__(self) -> None:
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text: str, token: object, replace: bool = False) -> str:  # noqa: FBT001, FBT002 - Whoosh's signature
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"


class IndexWriter:
    """Adds and replaces documents; commits on success and discards everything on error."""

    def __init__(self, writer: writing.IndexWriter) -> None:
        self._writer = writer

    def remove(self, doc_id: str) -> None:
        """Remove every page of a document."""
        self._writer.delete_by_term("doc_id", doc_id)

    def add(self, doc: IndexDocument) -> None:
        """Add a document's pages, replacing whatever the index held for it."""
        self.remove(doc.doc_id)
        for number, text in doc.pages:
            self._writer.add_document(
                page_id=page_id(doc.doc_id, number),
                doc_id=doc.doc_id,
                page=number,
                sha256=doc.sha256,
                original_name=doc.original_name,
                title=doc.title,
                body=text,
                parts=text,
                names=text,
                date=doc.date,
                year=doc.date[:4],
                doc_type=doc.doc_type,
                issuer=doc.issuer,
                references=",".join(doc.references),
                persons=",".join(doc.persons),
                places=",".join(doc.places),
                facet_values=FACET_SEPARATOR.join(
                    (doc.doc_type, doc.issuer, doc.date[:4], ",".join(doc.persons),
                     ",".join(doc.places))
                ).encode(),
            )  # fmt: skip


class SearchIndex:
    """The Whoosh index in one directory, stamped with its schema and analyzer version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = build_schema()
        path.mkdir(parents=True, exist_ok=True)
        storage = MappedFileStorage(str(path))
        if not storage.index_exists():
            storage.create_index(self.schema)
            self._write_stamp()
        self._ix = storage.open_index(schema=self.schema)
        self._searcher: Searcher | None = None

    @property
    def needs_rebuild(self) -> bool:
        """Whether the index was written with another schema or analyzer and must be rebuilt."""
        try:
            return json.loads((self.path / STAMP_FILE).read_text()) != INDEX_STAMP
        except (OSError, ValueError):
            return True

    def _write_stamp(self) -> None:
        (self.path / STAMP_FILE).write_text(json.dumps(INDEX_STAMP))

    @contextmanager
    def writer(self, *, clear: bool = False) -> Iterator[IndexWriter]:
        """Open the single writer; ``clear=True`` replaces the whole index at commit.

        Readers keep seeing the last committed state until the commit, which is atomic.
        """
        writer = self._ix.writer(
            timeout=WRITER_TIMEOUT_S, delay=0.1, limitmb=128, compound=COMPOUND_SEGMENTS
        )
        try:
            yield IndexWriter(writer)
        except BaseException:
            writer.cancel()
            raise
        if clear:
            writer.commit(mergetype=writing.CLEAR)
            self._write_stamp()
        else:
            writer.commit()

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Replace the index with ``documents`` in one commit; returns how many were indexed."""
        count = 0
        with self.writer(clear=True) as w:
            for doc in documents:
                w.add(doc)
                count += 1
        return count

    def remove(self, doc_id: str) -> None:
        """Take a document out of the index (withdrawn documents are not searchable)."""
        with self.writer() as w:
            w.remove(doc_id)

    def writable_now(self) -> bool:
        """Whether no other process holds the writer lock (a killed one never does: flock)."""
        try:
            self._ix.writer(timeout=0).cancel()
        except LockError:
            return False
        return True

    def has_document(self, doc_id: str) -> bool:
        """Whether any page of the document is in the committed index."""
        with self._current_searcher() as searcher:
            return searcher.document_number(doc_id=doc_id) is not None

    def entries(self, doc_id: str) -> int:
        """How many page entries the committed index holds for a document."""
        with self._current_searcher() as searcher:
            return len(list(searcher.document_numbers(doc_id=doc_id)))

    def document_ids(self) -> set[str]:
        """The ids of all documents in the committed index."""
        with self._current_searcher() as searcher:
            return {fields["doc_id"] for fields in searcher.all_stored_fields()}

    def search(
        self,
        text: str,
        *,
        limit: int,
        page_text: Callable[[str, int], str],
        offset: int = 0,
        sort: str = RELEVANCE,
    ) -> SearchResults:
        """Search pages and group them by document.

        A plain multi-word query that finds fewer than ``limit`` documents with all its words
        is followed by documents with some of them (``all_words`` false).

        Args:
            text: the query as typed.
            limit: how many documents to return.
            page_text: gives the text of a page, for the snippet (the index does not store it).
            offset: how many documents to skip (pagination).
            sort: ``relevance``, ``newest`` or ``oldest`` (by document date; undated last).

        Returns:
            The grouped results with snippets, facets and a suggestion when little was found.
        """
        with self._current_searcher() as searcher:
            grouped, complete = self._matching(searcher, text, want=offset + limit)
            complete = {doc_id for doc_id in complete if doc_id in grouped}
            ordered = _sorted(list(grouped.values()), sort)
            hits = tuple(
                _to_hit(pages, page_text, all_words=pages[0]["doc_id"] in complete)
                for pages in ordered[offset : offset + limit]
            )
            suggestion = ""
            if len(grouped) < FEW:
                # A rare near spelling is likely an OCR error in a document, no better word;
                # it is offered only when nothing matched the query as typed.
                suggestion = _suggest(searcher, self.schema, text, common_only=bool(complete))
            facets = _facets(searcher, grouped.values())
        return SearchResults(
            query=text,
            total=len(grouped),
            hits=hits,
            offset=offset,
            facets=facets,
            suggestion=suggestion,
        )

    def _matching(
        self, searcher: Searcher, text: str, *, want: int
    ) -> tuple[dict[str, list[Hit]], set[str]]:
        """Matching pages by document, and the ids of documents that matched all words."""
        reader = searcher.reader()
        tolerance = tolerance_for(text)
        q = parse_query(text, self.schema)
        grouped = _grouped(searcher, expand_rare_terms(q, reader, tolerance))
        for excluded in excluded_parts(q):
            for doc_id in _grouped(searcher, excluded):
                grouped.pop(doc_id, None)
        complete = set(grouped)
        if len(complete) < want and is_plain_words(text):
            any_word = parse_query(text, self.schema, any_word=True)
            expanded = expand_rare_terms(any_word, reader, tolerance)
            for doc_id, hits in _grouped(searcher, expanded).items():
                grouped.setdefault(doc_id, hits)
        return grouped, complete

    def highlight_pages(self, doc_id: str, text: str, pages: dict[int, str]) -> dict[int, str]:
        """Each page of a document that the query matches, whole, with the matches marked.

        Returns:
            HTML-safe page texts by page number; pages without a match are left out.
        """
        q = query.And([parse_query(text, self.schema), query.Term("doc_id", doc_id)])
        marked: dict[int, str] = {}
        with self._current_searcher() as searcher:
            expanded = expand_rare_terms(q, searcher.reader())
            results = searcher.search(expanded, limit=None, terms=True)
            results.fragmenter = highlight.WholeFragmenter(charlimit=None)
            results.formatter = _MarkFormatter()
            for hit in results:
                page_text = pages.get(hit["page"], "")
                marked[hit["page"]] = hit.highlights("body", text=page_text) or escape(page_text)
        return marked

    def similar(
        self, doc_id: str, text: str, *, limit: int, page_text: Callable[[str, int], str]
    ) -> SearchResults:
        """Documents like this one (more-like-this on the key terms of ``text``)."""
        with self._current_searcher() as searcher:
            docnum = searcher.document_number(doc_id=doc_id)
            if docnum is None:
                return SearchResults(query="", total=0, hits=())
            results = searcher.more_like(
                docnum, "body", text=text[:SIMILAR_TEXT_CHARS], top=limit * 10, numterms=15
            )
            grouped: dict[str, list[Hit]] = {}
            for hit in results:
                if hit["doc_id"] != doc_id:
                    grouped.setdefault(hit["doc_id"], []).append(hit)
            hits = tuple(
                _to_hit(pages, page_text, all_words=True)
                for pages in list(grouped.values())[:limit]
            )
        return SearchResults(query="", total=len(grouped), hits=hits)

    @contextmanager
    def _current_searcher(self) -> Iterator[Searcher]:
        """The open searcher, replaced when the index changed since it was opened.

        Opening a searcher copies the term file into memory (whoosh3's compound storage):
        72% of an identifier query's time at 10,000 pages (bench/RESULTS.md). One searcher is
        kept per SearchIndex, and a SearchIndex is used by one thread at a time.
        """
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not refresh(): it reuses segment readers, which keep their old deletions, so a
            # withdrawn document stayed findable (tests/test_web.py).
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        yield self._searcher

    def close(self) -> None:
        """Release the index."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix.close()


def _sorted(groups: list[list[Hit]], sort: str) -> list[list[Hit]]:
    """Documents in relevance order, or by date with undated documents last."""
    if sort == RELEVANCE:
        return groups
    dated = [g for g in groups if g[0]["date"]]
    undated = [g for g in groups if not g[0]["date"]]
    dated.sort(key=lambda g: g[0]["date"], reverse=sort == NEWEST)
    return dated + undated


def _facets(searcher: Searcher, groups: Iterable[list[Hit]]) -> dict[str, list[tuple[str, int]]]:
    """Per facet, how many matching documents have each value."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    groups = list(groups)
    column = searcher.reader().column_reader("facet_values") if groups else []
    for pages in groups:
        values = column[pages[0].docnum].decode().split(FACET_SEPARATOR)
        for name, value in zip(FACETS, values, strict=True):
            items = value.split(",") if name in ("persons", "places") else [value]
            counters[name].update(v for v in items if v)
    facets = {
        name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_VALUES]
        for name, c in counters.items()
    }
    facets["year"] = sorted(counters["year"].items())  # every year, for the histogram
    return facets


def _suggest(searcher: Searcher, schema: Schema, text: str, *, common_only: bool) -> str:
    """The query with each unknown word replaced by the most frequent near spelling, if any.

    With ``common_only`` only spellings found on more than a few pages are offered.
    """
    if not is_plain_words(text) and len(text.split()) > 1:
        return ""
    reader = searcher.reader()
    analyzer = schema["body"].analyzer
    changed = False
    words = []
    for word in text.split():
        terms = [t.text for t in analyzer(word, mode="query")]
        replacement = _near_spelling(reader, terms[0]) if len(terms) == 1 else None
        if replacement and common_only and reader.doc_frequency("body", replacement) <= RARE:
            replacement = None
        if replacement:
            changed = True
            word = replacement.capitalize() if word[:1].isupper() else replacement
        words.append(word)
    return " ".join(words) if changed else ""


def _near_spelling(reader: IndexReader, term: str) -> str | None:
    if len(term) < MIN_SUGGEST_LENGTH or not term.isalpha() or reader.doc_frequency("body", term):
        return None
    candidates = list(reader.terms_within("body", term, 2, prefix=1))
    return max(candidates, key=lambda t: reader.doc_frequency("body", t), default=None)


def _query_words(results: Results) -> frozenset[str]:
    """The body terms a result list's query matches in the index, worked out once per list."""
    words = getattr(results, "findbuch_words", None)
    if words is None:
        field = results.searcher.schema["body"]
        terms = results.query_terms(expand=True, fieldname="body")
        words = frozenset(field.from_bytes(term[1]) for term in terms)
        results.findbuch_words = words
    return words


def snippet_source(text: str, words: Iterable[str]) -> str:
    """The parts of a page where its matches may stand, for a snippet that costs less.

    The highlighter analyses all the text it is given, and that was most of a search's time.
    A word's first letters, folded as the index folds them, are found in the page's text
    (a superset of the matches); a window around each such place keeps every match with its
    context. Pages where no such place is found are given whole.
    """
    if len(text) <= 2 * SNIPPET_WINDOW_CHARS:
        return text
    folded = text.lower().translate(_SAME_LENGTH_FOLD)
    if len(folded) != len(text):  # lower() changed a length: offsets would not fit
        return text
    prefixes = {w[:SNIPPET_PREFIX_CHARS].replace("ss", "s") for w in words if w}
    starts = sorted({m.start() for p in prefixes for m in re.finditer(re.escape(p), folded)})
    windows: list[tuple[int, int]] = []
    for start in starts:
        begin, end = max(0, start - SNIPPET_WINDOW_CHARS), start + SNIPPET_WINDOW_CHARS
        if windows and begin <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        elif len(windows) < SNIPPET_WINDOWS:
            windows.append((begin, end))
    if not windows:
        return text
    return " … ".join(text[begin:end] for begin, end in windows)


def _grouped(searcher: Searcher, q: Query) -> dict[str, list[Hit]]:
    """Matching pages grouped by document, documents and pages best first."""
    # Without terms=True: recording the matched terms of every page cost a quarter of the
    # search, and snippets highlight the query's terms that exist in the index just as well.
    results = searcher.search(q, limit=None)
    results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80)
    results.formatter = _MarkFormatter()
    if results.is_empty():
        return {}  # an empty index has no columns to read
    doc_ids = searcher.reader().column_reader("doc_id")
    grouped: dict[str, list[Hit]] = {}
    for hit in results:
        grouped.setdefault(doc_ids[hit.docnum], []).append(hit)
    return grouped


def _to_hit(
    page_hits: list[Hit], page_text: Callable[[str, int], str], *, all_words: bool
) -> SearchHit:
    best = page_hits[0]
    text = page_text(best["doc_id"], best["page"])
    source = snippet_source(text, _query_words(best.results))
    snippet = best.highlights("body", text=source, top=2) or escape(text[:SNIPPET_CHARS])
    return SearchHit(
        doc_id=best["doc_id"],
        sha256=best["sha256"],
        title=best["title"] or best["original_name"],
        date=best["date"],
        pages=tuple(h["page"] for h in page_hits),
        score=round(best.score, 4),
        snippet=snippet,
        all_words=all_words,
    )
