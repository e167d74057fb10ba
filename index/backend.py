"""The search-backend seam: what the rest of Findbuch may ask of a search index.

Callers (the data home, the web app, the command line) use only this interface and its value
objects. The Whoosh implementation (``index._whoosh``) fulfils it; another engine standing
behind the same interface must provide the same methods with the same meaning: German
analysis, the query syntax of README's table, results grouped by document with exact totals
and facets, snippets marked where the query matched, and one committed state that readers see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)
PageText = Callable[[str, int], str]


@dataclass(frozen=True)
class IndexDocument:
    """What the index needs of a document; built by the caller from the archive.

    Attributes:
        doc_id: archive id.
        sha256: hex digest of the original, returned with every hit for citation.
        title: title, or empty.
        date: ISO date, or empty.
        original_name: file name, shown when there is no title.
        pages: ``(page number, text)`` pairs.
        doc_type: type key, or empty.
        issuer: issuing body, or empty.
        references: canonical reference numbers.
        persons: persons named.
        places: places named.
        paper_types: for a council paper's file, the paper's type (``Beschlussvorlage``).
        committees: the committees that dealt with its paper.
        main_file_of: references of the papers it is the main file of (ranked first).
    """

    doc_id: str
    sha256: str
    title: str
    date: str
    original_name: str
    pages: tuple[tuple[int, str], ...]
    doc_type: str = ""
    issuer: str = ""
    references: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    paper_types: tuple[str, ...] = ()
    committees: tuple[str, ...] = ()
    main_file_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """Restrictions of a search to documents with these values (empty: no restriction).

    Attributes:
        doc_type: document type, as a key (``vermerk``) or its German name (``Vermerk``).
        issuer: words of the issuer (all must occur).
        year: the year of the document date.
        person: a person named, in any spelling.
        place: a place named, in any spelling.
        paper_type: the type of the council paper a file belongs to.
        committee: a committee that dealt with that paper.
        date_from: first document date, ISO (inclusive).
        date_to: last document date, ISO (inclusive).
    """

    doc_type: str = ""
    issuer: str = ""
    year: str = ""
    person: str = ""
    place: str = ""
    paper_type: str = ""
    committee: str = ""
    date_from: str = ""
    date_to: str = ""

    def __bool__(self) -> bool:
        return any(vars(self).values())


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
        searched: the query as searched: cut to the bounds of one search (``notice``).
        total: how many documents matched.
        hits: the documents of the requested slice (``offset``, ``limit``), in order.
        offset: how many documents precede ``hits``.
        facets: per facet (``doc_type``, ``issuer``, ``year``, ``persons``, ``places``) the
            values among all matching documents with their document counts, most first.
        suggestion: a corrected query when little was found ("Meinten Sie …?"), or empty.
        notice: in German, what of an over-long or too costly query was left out, or empty.
    """

    query: str
    total: int
    hits: tuple[SearchHit, ...]
    offset: int = 0
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str = ""
    notice: str = ""
    searched: str = ""


class IndexBatch(Protocol):
    """Changes that become visible together, at the end of ``SearchBackend.writer()``."""

    def add(self, doc: IndexDocument) -> None:
        """Add a document's pages, replacing whatever the index held for it."""

    def remove(self, doc_id: str) -> None:
        """Remove every page of a document."""


class SearchBackend(Protocol):
    """A search index over the archive's documents, one entry per page."""

    path: Path

    @property
    def needs_rebuild(self) -> bool:
        """Whether the index's stamp (schema, analyzer) differs from this code's."""

    def writer(self, *, clear: bool = False) -> AbstractContextManager[IndexBatch]:
        """The single writer; all or nothing at the end; ``clear`` replaces the whole index."""

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Replace the index with ``documents`` and stamp it; returns how many."""

    def remove(self, doc_id: str) -> None:
        """Take a document out of the index at once."""

    def writable_now(self) -> bool:
        """Whether no other process holds the writer."""

    def has_document(self, doc_id: str) -> bool:
        """Whether the committed index holds a page of the document."""

    def entries(self, doc_id: str) -> int:
        """How many page entries the committed index holds for a document."""

    def document_ids(self) -> set[str]:
        """The ids of all documents in the committed index."""

    def search(
        self,
        text: str,
        *,
        limit: int,
        page_text: PageText,
        offset: int = 0,
        sort: str = RELEVANCE,
        filters: Filters = Filters(),
    ) -> SearchResults:
        """Documents matching ``text`` within ``filters``, best first or by date.

        ``page_text(doc_id, page)`` gives a page's text for its snippet. An empty ``text``
        with filters lists the filtered documents.
        """

    def highlight_pages(self, doc_id: str, text: str, pages: dict[int, str]) -> dict[int, str]:
        """The pages of a document the query matches, HTML-safe, with the matches marked."""

    def similar(self, doc_id: str, text: str, *, limit: int, page_text: PageText) -> SearchResults:
        """Documents like this one (on the key terms of its ``text``)."""

    def warm(self) -> None:
        """Read now what the first searches of this process would otherwise read."""

    def close(self) -> None:
        """Release the index."""
