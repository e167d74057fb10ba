"""The Whoosh implementation of the search backend: one writer, readers on committed states."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path

from whoosh import query, writing
from whoosh.index import LockError
from whoosh.searching import Searcher

from index._arrays import ArrayScorer, forget_segments
from index._doctable import DocTable
from index._lexicon import read_lexicons
from index._ranking import Plan, plan_search, rank
from index._snippets import MatchedTerms, marked_page, snippet
from index.backend import (
    RELEVANCE,
    Filters,
    IndexDocument,
    PageText,
    SearchHit,
    SearchResults,
)
from index.queries import FIELD_BOOSTS, bound_text, matched_terms
from index.schema import FACET_SEPARATOR, INDEX_STAMP, VALUE_SEPARATOR, build_schema, page_id
from index.storage import MappedFileStorage

STAMP_FILE = "findbuch-index.json"
# A second writer waits this long for the lock (one writer per index, see research/whoosh.md).
WRITER_TIMEOUT_S = 120.0
# Segments as separate files, read through memory maps (index.storage), not compound files.
COMPOUND_SEGMENTS = False
SIMILAR_TEXT_CHARS = 20_000
SIMILAR_TERMS = 15


class _Batch:
    """Adds and replaces documents inside one Whoosh writer."""

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
                paper_types="\n".join(doc.paper_types),
                committees="\n".join(doc.committees),
                main_file_of=",".join(doc.main_file_of),
                facet_values=facet_values(doc),
            )  # fmt: skip


def facet_values(doc: IndexDocument) -> bytes:
    """The document's value of every facet (``index._doctable.FACETS``) as one column value."""
    lists = (doc.persons, doc.places, doc.paper_types, doc.committees)
    return FACET_SEPARATOR.join(
        (doc.doc_type, doc.issuer, doc.date[:4], *(VALUE_SEPARATOR.join(v) for v in lists))
    ).encode()


# Document tables by (index folder, generation), shared by the threads of a process: built once
# a state (0.5 s at 100,000 pages), they were built, and held, by each of 16 server threads.
_tables: dict[tuple[str, int], DocTable] = {}
_tables_lock = threading.Lock()


def _shared_table(path: Path, searcher: Searcher) -> DocTable:
    """The document table of the searcher's committed state, built by the first thread asking."""
    generation = searcher.reader().generation()
    if generation is None:  # an empty index: nothing to share
        return DocTable.build(searcher)
    key = (str(path), generation)
    with _tables_lock:
        table = _tables.get(key)
        if table is None:
            table = DocTable.build(searcher)
            for older in [k for k in _tables if k[0] == key[0] and k[1] < key[1]]:
                del _tables[older]
            _tables[key] = table
    return table


@dataclass
class _State:
    """One committed index state: this thread's searcher and the shared document table."""

    path: Path
    searcher: Searcher
    table: DocTable | None = None
    scorer: ArrayScorer | None = None

    def docs(self) -> DocTable:
        """The document table, built on first use."""
        if self.table is None:
            self.table = _shared_table(self.path, self.searcher)
        return self.table

    def arrays(self) -> ArrayScorer:
        """Scores on arrays, with the posting lists it read (``index._arrays``)."""
        if self.scorer is None:
            self.scorer = ArrayScorer(self.searcher, self.docs())
        return self.scorer


class WhooshIndex:
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
        self._state: _State | None = None

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
    def writer(self, *, clear: bool = False) -> Iterator[_Batch]:
        """Open the single writer; ``clear=True`` replaces the whole index at commit.

        Readers keep seeing the last committed state until the commit, which is atomic.
        """
        writer = self._ix.writer(
            timeout=WRITER_TIMEOUT_S, delay=0.1, limitmb=128, compound=COMPOUND_SEGMENTS
        )
        try:
            yield _Batch(writer)
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
        return self._current().searcher.document_number(doc_id=doc_id) is not None

    def entries(self, doc_id: str) -> int:
        """How many page entries the committed index holds for a document."""
        return len(list(self._current().searcher.document_numbers(doc_id=doc_id)))

    def document_ids(self) -> set[str]:
        """The ids of all documents in the committed index."""
        return {fields["doc_id"] for fields in self._current().searcher.all_stored_fields()}

    def search(
        self,
        text: str,
        *,
        limit: int,
        page_text: PageText,
        offset: int = 0,
        sort: str = RELEVANCE,
        filters: Filters = Filters(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> SearchResults:
        """Search pages and group them by document (see ``index._ranking``).

        Args:
            text: the query as typed.
            limit: how many documents to return.
            page_text: gives the text of a page, for the snippet (the index does not store it).
            offset: how many documents to skip (pagination).
            sort: ``relevance``, ``newest`` or ``oldest`` (by document date; undated last).
            filters: restrictions to metadata values.

        Returns:
            The grouped results with snippets, facets, a suggestion when little was found and
            a notice when the query was cut to its bounds.
        """
        bounded = bound_text(text)
        state = self._current()
        plan = plan_search(state.searcher, self.schema, bounded, filters, want=offset + limit)
        if plan is None:
            return SearchResults(query=text, total=0, hits=(), offset=offset, searched=bounded.text)
        ranked = rank(
            state.searcher,
            state.docs(),
            state.arrays(),
            plan,
            offset=offset,
            limit=limit,
            sort=sort,
        )
        matched = MatchedTerms.of(plan.terms)
        hits = tuple(
            _to_hit(state.searcher, pages, page_text, matched, all_words=complete)
            for pages, complete in ranked.documents
        )
        return SearchResults(
            query=text,
            total=ranked.total,
            hits=hits,
            offset=offset,
            facets=ranked.facets,
            suggestion=ranked.suggestion,
            notice=" ".join(plan.notices),
            searched=bounded.text,
        )

    def highlight_pages(self, doc_id: str, text: str, pages: dict[int, str]) -> dict[int, str]:
        """Each page of a document that the query matches, whole, with the matches marked.

        Returns:
            HTML-safe page texts by page number; pages without a match are left out.
        """
        searcher = self._current().searcher
        plan: Plan | None = plan_search(searcher, self.schema, bound_text(text), Filters(), want=0)
        if plan is None:
            return {}
        only_doc = query.And([plan.main, query.Term("doc_id", doc_id)])
        numbers = sorted(
            searcher.stored_fields(n)["page"] for n in searcher.docs_for_query(only_doc)
        )
        matched = MatchedTerms.of(plan.terms)
        return {n: marked_page(pages.get(n, ""), matched) for n in numbers}

    def similar(self, doc_id: str, text: str, *, limit: int, page_text: PageText) -> SearchResults:
        """Documents like this one (more-like-this on the key terms of ``text``)."""
        searcher = self._current().searcher
        if searcher.document_number(doc_id=doc_id) is None:
            return SearchResults(query="", total=0, hits=())
        key_terms = searcher.key_terms_from_text(
            "body", text[:SIMILAR_TEXT_CHARS], numterms=SIMILAR_TERMS
        )
        q = query.Or([query.Term("body", word, boost=weight) for word, weight in key_terms])
        results = searcher.search(q, limit=limit * 10)
        grouped: dict[str, list[tuple[int, float]]] = {}
        for docnum, score in results.items():
            other = searcher.stored_fields(docnum)["doc_id"]
            if other != doc_id:
                grouped.setdefault(other, []).append((docnum, score))
        matched = MatchedTerms.of(matched_terms(q, searcher.reader()))
        hits = tuple(
            _to_hit(searcher, pages, page_text, matched, all_words=True)
            for pages in list(grouped.values())[:limit]
        )
        return SearchResults(query="", total=len(grouped), hits=hits)

    def warm(self) -> None:
        """Build the document table, read every searched field's lengths and term lists.

        A server process does this before it answers: at 100,000 pages its first searches read
        these ~150 MB one by one, so the first ones were slow and its memory grew through its
        first minute of use (bench/RESULTS.md).
        """
        state = self._current()
        state.arrays().read_lengths(FIELD_BOOSTS)
        read_lexicons(state.searcher.reader(), FIELD_BOOSTS)

    def _current(self) -> _State:
        """The open state, replaced when the index changed since it was opened.

        Opening a searcher copied the term file into memory (whoosh3's compound storage):
        72% of an identifier query's time at 10,000 pages (bench/RESULTS.md). One searcher is
        kept per index object, and an index object is used by one thread at a time.
        """
        if self._state is not None and not self._state.searcher.up_to_date():
            # Not refresh(): it reuses segment readers, which keep their old deletions, so a
            # withdrawn document stayed findable (tests/test_web.py).
            self._state.searcher.close()
            self._state = None
        if self._state is None:
            self._state = _State(self.path, self._ix.searcher())
            forget_segments(self._state.searcher)
        return self._state

    def close(self) -> None:
        """Release the index."""
        if self._state is not None:
            self._state.searcher.close()
            self._state = None
        self._ix.close()


def _to_hit(
    searcher: Searcher,
    pages: list[tuple[int, float]],
    page_text: PageText,
    matched: MatchedTerms,
    *,
    all_words: bool,
) -> SearchHit:
    """A hit from a document's matching page entries with their scores, best first."""
    best, score = pages[0]
    fields = searcher.stored_fields(best)
    numbers = [fields["page"]] + [searcher.stored_fields(n)["page"] for n, _ in pages[1:]]
    text = page_text(fields["doc_id"], fields["page"])
    return SearchHit(
        doc_id=fields["doc_id"],
        sha256=fields["sha256"],
        title=fields["title"] or fields["original_name"],
        date=fields["date"],
        pages=tuple(numbers),
        score=round(score, 4),
        snippet=snippet(text, matched) if text else escape(text),
        all_words=all_words,
    )
