"""Search results that show a text once: hits of documents with the same text are folded.

The index knows files, not texts, so the service folds them: a hit whose document holds the
same text as a better-ranked hit is left out, and the better one carries the other files'
ids in ``same_text``. The index is asked from the first rank on, for as many hits as before (so
a result list without such documents is the same as the index's) and again for more when
folding left the requested page short.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from index import SearchHit, SearchResults

# Hits asked of the index beyond the first request, when folding left the page short.
SLACK = 10


@dataclass(frozen=True)
class FoldedHit(SearchHit):
    """A search hit with the other files holding its text.

    Attributes:
        same_text: ids of the other documents with the same text (searchable ones), whether
            they matched the query or not; empty for most documents.
    """

    same_text: tuple[str, ...] = ()


def fold_same_text(
    search: Callable[[int], SearchResults],
    links: Callable[[list[str]], dict[str, set[str]]],
    *,
    limit: int,
    offset: int,
) -> SearchResults:
    """Search with ``search(n)`` (the first ``n`` hits) and fold hits with the same text.

    Args:
        search: gives the index's first ``n`` hits.
        links: gives, per document id, the searchable documents with the same text.
        limit: how many folded hits to return.
        offset: how many folded hits to skip.

    Returns:
        The folded slice; ``total`` is the index's total less the hits folded away among the
        ranks fetched (exact whenever all matches were fetched).
    """
    want = offset + limit
    while True:
        results = search(want)
        kept, folded = _fold(results.hits, links([h.doc_id for h in results.hits]))
        if len(kept) >= offset + limit or len(results.hits) >= results.total:
            break
        want = 2 * want + SLACK
    return replace(
        results,
        total=results.total - folded,
        hits=tuple(kept[offset : offset + limit]),
        offset=offset,
    )


def _fold(hits: tuple[SearchHit, ...], links: dict[str, set[str]]) -> tuple[list[FoldedHit], int]:
    kept: dict[str, list[str]] = {}  # kept hit -> the other files of its text
    owner: dict[str, str] = {}  # document -> the kept hit showing its text
    folded = 0
    for hit in hits:
        if hit.doc_id in owner:
            folded += 1
            continue
        others = sorted(links.get(hit.doc_id, set()) - {hit.doc_id})
        kept[hit.doc_id] = others
        owner[hit.doc_id] = hit.doc_id
        for other in others:
            owner.setdefault(other, hit.doc_id)
    by_id = {h.doc_id: h for h in hits}
    return [
        FoldedHit(**asdict(by_id[doc_id]), same_text=tuple(others))
        for doc_id, others in kept.items()
    ], folded
