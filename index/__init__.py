"""The search index: German analysis, query syntax and grouped search over Whoosh.

Nothing outside this package imports Whoosh.
"""

from index.schema import IndexDocument
from index.search import SearchHit, SearchIndex, SearchResults

__all__ = ["IndexDocument", "SearchHit", "SearchIndex", "SearchResults"]
