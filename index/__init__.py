"""The search index behind one interface (``index.backend``), implemented on Whoosh.

Callers use ``open_index`` and the types re-exported here. The Whoosh modules (``_whoosh``,
``_ranking``, ``_doctable``, ``_snippets``, ``analyzers``, ``queries``, ``schema``, ``storage``)
are this package's own; nothing outside it imports them or Whoosh.
"""

from pathlib import Path

from index._whoosh import WhooshIndex
from index.backend import (
    NEWEST,
    OLDEST,
    RELEVANCE,
    SORTS,
    Filters,
    IndexBatch,
    IndexDocument,
    SearchBackend,
    SearchHit,
    SearchResults,
)

__all__ = [
    "NEWEST",
    "OLDEST",
    "RELEVANCE",
    "SORTS",
    "Filters",
    "IndexBatch",
    "IndexDocument",
    "SearchBackend",
    "SearchHit",
    "SearchResults",
    "open_index",
]


def open_index(path: Path) -> SearchBackend:
    """The search index in ``path`` (created when missing)."""
    return WhooshIndex(path)
