"""One search, planned and ranked: count every match, score only the pages that are shown.

Totals and facets come from the unscored set of matching documents (``index._doctable``);
only the best page of each requested document is scored, by Whoosh's top-N collector
collapsed on the document id, and the other matching pages of those documents after it.
Before, every matching page was scored and grouped: 9 µs a page in pure Python, for a word
on 40% of 100,000 pages (bench/RESULTS.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from whoosh import collectors, query, sorting
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from index._arrays import ArrayScorer, Scored, scores_at
from index._doctable import DocTable, Matches, members
from index._lexicon import near_terms
from index.backend import NEWEST, RELEVANCE, Filters
from index.queries import (
    MAX_FUZZY_WORDS,
    RARE_DOC_FREQUENCY,
    BoundedText,
    bound_expansions,
    excluded_parts,
    expand_rare_terms,
    filter_query,
    is_plain_words,
    matched_terms,
    parse_query,
    tolerance_for,
    with_binary_unions,
)

# Wall-clock budget of the scoring of one search; what is found by then is shown (issue #15).
SEARCH_SECONDS = 1.5
# Fewer matching documents than this count as "little found": a suggestion is offered.
FEW = 3
MIN_SUGGEST_LENGTH = 4
CUT_NOTICE = "Ähnliche Schreibweisen wurden nur mit den häufigsten Treffern gesucht."
TIME_NOTICE = "Die Suche dauerte zu lange; gezeigt wird, was bis dahin gefunden war."


@dataclass
class Plan:
    """The queries of one search and what they need."""

    main: query.Query
    excluded: list[query.Query]
    filters: query.Query | None
    any_words: query.Query | None  # the some-words fallback, when it may apply
    text: str
    terms: set[tuple[str, str]]
    notices: list[str] = field(default_factory=list)
    deadline: float = 0.0


@dataclass(frozen=True)
class Ranked:
    """The slice of documents shown, each as its page entries with scores, best first."""

    documents: list[tuple[list[tuple[int, float]], bool]]  # (pages, all words)
    total: int
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str


def plan_search(
    searcher: Searcher, schema: Schema, bounded: BoundedText, filters: Filters, *, want: int
) -> Plan | None:
    """Parse, expand and bound the query; None when there is nothing to search for."""
    reader = searcher.reader()
    text = bounded.text
    notices = list(bounded.notices)
    filtered = filter_query(filters, schema)
    if not text.strip():
        if filtered is None:
            return None
        return Plan(filtered, [], None, None, text, set(), notices, _deadline())
    tolerance = tolerance_for(text)
    parsed = parse_query(text, schema)
    main, cut = bound_expansions(expand_rare_terms(parsed, reader, tolerance), reader)
    excluded = [bound_expansions(e, reader)[0] for e in excluded_parts(parsed)]
    any_words = None
    if want and filtered is None and is_plain_words(text):
        fallback = expand_rare_terms(parse_query(text, schema, any_word=True), reader, tolerance)
        any_words, cut_any = bound_expansions(fallback, reader)
        cut = cut or cut_any
    if cut:
        notices.append(CUT_NOTICE)
    main = with_binary_unions(main)
    any_words = with_binary_unions(any_words) if any_words is not None else None
    terms = matched_terms(main, reader) | (matched_terms(any_words, reader) if any_words else set())
    return Plan(main, excluded, filtered, any_words, text, terms, notices, _deadline())


def _deadline() -> float:
    return time.perf_counter() + SEARCH_SECONDS


@dataclass
class _Evaluated:
    """One query's matches, and all its scores when they were computed on arrays."""

    query: query.Query
    matches: Matches
    scored: Scored | None


def _evaluate(
    searcher: Searcher, table: DocTable, arrays: ArrayScorer, key: str, q: query.Query
) -> _Evaluated:
    """Matches and scores on arrays (``index._arrays``); Whoosh's matchers where not supported.

    On arrays, a word on 40% of 100,000 pages is counted and scored in milliseconds; Whoosh
    walks its postings one by one in Python (bench/RESULTS.md).
    """
    scored = arrays.score(q)
    if scored is None:
        return _Evaluated(q, table.matches(searcher, (key, repr(q)), q), None)
    return _Evaluated(q, arrays.matches(scored), scored)


def rank(
    searcher: Searcher,
    table: DocTable,
    arrays: ArrayScorer,
    plan: Plan,
    *,
    offset: int,
    limit: int,
    sort: str,
) -> Ranked:
    """Count and facet all matching documents; score and order the requested slice."""
    want = offset + limit
    evaluated = _evaluate(searcher, table, arrays, "main", plan.main)
    main = evaluated.matches
    complete = main.docs
    if plan.filters is not None:
        complete &= table.matches(searcher, ("filter", repr(plan.filters)), plan.filters).docs
    for excluded in plan.excluded:
        complete &= ~table.matches(searcher, ("main", repr(excluded)), excluded).docs
    partial, fallback = 0, None
    if plan.any_words is not None and complete.bit_count() < want:
        fallback = _evaluate(searcher, table, arrays, "any", plan.any_words)
        partial = fallback.matches.docs & ~complete
    found = complete | partial
    total = found.bit_count()
    if sort == RELEVANCE:
        documents = _top(searcher, table, arrays, plan, evaluated, complete, want)
        if len(documents) < want and partial and fallback is not None:
            more = _top(searcher, table, arrays, plan, fallback, partial, want - len(documents))
            documents += more
        documents = documents[offset:]
    else:
        chosen = _by_date(table.dates(searcher), found, newest=sort == NEWEST)[offset:want]
        documents = _with_all_pages(
            searcher, table, evaluated, [(d, []) for d in chosen if complete >> d & 1]
        )
        if fallback is not None:
            others = [(d, []) for d in chosen if not complete >> d & 1]
            documents += _with_all_pages(searcher, table, fallback, others)
        order = {d: i for i, d in enumerate(chosen)}
        documents.sort(key=lambda item: order[item[0]])
    return Ranked(
        documents=[(pages, bool(complete >> d & 1)) for d, pages in documents],
        total=total,
        facets=table.facets(found),
        suggestion=_suggest(searcher, plan, common_only=bool(complete)) if total < FEW else "",
    )


def _top(
    searcher: Searcher,
    table: DocTable,
    arrays: ArrayScorer,
    plan: Plan,
    evaluated: _Evaluated,
    allowed: int,
    count: int,
) -> list[tuple[int, list[tuple[int, float]]]]:
    """The best ``count`` documents among ``allowed`` by their best page, pages best first.

    One pass of the collector keeps the best page per document (collapsed on ``doc_id``);
    asking for 4 pages per document and again for more took 3 extra passes for ``Stadt``,
    whose top pages belong to a few long documents with the word in their title.
    """
    if not allowed or count <= 0:
        return []
    matches = evaluated.matches
    restricted = allowed != matches.docs
    if evaluated.scored is not None:
        best = arrays.best_documents(evaluated.scored, allowed if restricted else None, count)
        return _with_all_pages(searcher, table, evaluated, best)
    allow = table.pages_of(allowed, matches) if restricted else None
    q = evaluated.query
    items, expired = _scored_pages(searcher, q, count, allow, plan.deadline, best_per_doc=True)
    if expired and TIME_NOTICE not in plan.notices:
        plan.notices.append(TIME_NOTICE)
    groups = {int(table.page_docs[docnum]): [(docnum, score)] for docnum, score in items}
    top = list(groups.items())[:count]
    return _with_all_pages(searcher, table, evaluated, top)


def _with_all_pages(
    searcher: Searcher,
    table: DocTable,
    evaluated: _Evaluated,
    top: list[tuple[int, list[tuple[int, float]]]],
) -> list[tuple[int, list[tuple[int, float]]]]:
    """Each document with all its matching pages, best first: the unscored ones scored at once."""
    matches = evaluated.matches
    known = {p for _, pages in top for p, _ in pages}
    missing = {p for d, _ in top for p in table.doc_pages[d] if matches.has_page(p)} - known
    if not missing:
        return top
    if evaluated.scored is not None:
        scores = scores_at(evaluated.scored, missing)
    else:
        scores = _scores_of(searcher, evaluated.query, missing)
    out = []
    for d, pages in top:
        extra = [(p, scores.get(p, 0.0)) for p in table.doc_pages[d] if p in missing]
        out.append((d, sorted(pages + extra, key=lambda ps: -ps[1])))
    return out


def _scores_of(searcher: Searcher, q: query.Query, pages: set[int]) -> dict[int, float]:
    """The scores of a few page entries: the query's matcher skipped straight to each.

    A filter collector walks every match of the query to find them (700 ms for a
    date-sorted ``Haushalt~1`` on 10,000 pages); a query required to match their page ids
    paid a term lookup per page (108 ms for the 342 pages of the shown ``Stadt`` documents).
    """
    scores: dict[int, float] = {}
    wanted = sorted(pages)
    context = searcher.context(needs_current=True)
    for leaf, offset in searcher.leaf_searchers():
        end = offset + leaf.doc_count_all()
        local = [p - offset for p in wanted if offset <= p < end]
        if not local:
            continue
        matcher = q.matcher(leaf, context)
        for docnum in local:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                scores[docnum + offset] = matcher.score()
    return scores


def _scored_pages(
    searcher: Searcher,
    q: query.Query,
    limit: int,
    allow: set[int] | None,
    deadline: float,
    *,
    best_per_doc: bool = False,
) -> tuple[list[tuple[int, float]], bool]:
    """The ``limit`` best page entries with scores; and whether the time budget ran out.

    With ``best_per_doc`` only the best page of each document counts (Whoosh's collapse on
    the ``doc_id`` column): the ``limit`` best documents in one pass.
    """
    timed = _DeadlineCollector(collectors.TopCollector(limit=limit), deadline)
    collector: collectors.Collector = timed
    if allow is not None:
        collector = collectors.FilterCollector(collector, allow=allow)
    if best_per_doc:
        collector = collectors.CollapseCollector(collector, sorting.FieldFacet("doc_id"), limit=1)
    searcher.search_with_collector(q, collector)
    return list(collector.results().items()), timed.expired


class _DeadlineCollector(collectors.WrappingCollector):
    """Stops taking matches at the deadline, keeping what was scored by then."""

    def __init__(self, child: collectors.Collector, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline
        self.expired = False

    def matches(self) -> Iterator[int]:
        """The child's matches, the clock checked every 256 of them."""
        for n, sub_docnum in enumerate(self.child.matches(), start=1):
            yield sub_docnum
            if not n & 255 and time.perf_counter() > self.deadline:
                self.expired = True
                return


def _by_date(dates: list[str], docs: int, *, newest: bool) -> list[int]:
    """Documents by date, undated last (ties in document order)."""
    found = members(docs)
    dated = sorted((d for d in found if dates[d]), key=lambda d: dates[d], reverse=newest)
    return dated + [d for d in found if not dates[d]]


def _suggest(searcher: Searcher, plan: Plan, *, common_only: bool) -> str:
    """The query with each unknown word replaced by the most frequent near spelling, if any.

    With ``common_only`` only spellings found on more than a few pages are offered. Only for
    queries of up to ``MAX_FUZZY_WORDS`` words: each word costs a fuzzy lookup.
    """
    text = plan.text
    words = text.split()
    if len(words) > MAX_FUZZY_WORDS or (not is_plain_words(text) and len(words) > 1):
        return ""
    reader = searcher.reader()
    analyzer = searcher.schema["body"].analyzer
    changed = False
    out = []
    for word in words:
        terms = [t.text for t in analyzer(word, mode="query")]
        replacement = _near_spelling(reader, terms[0]) if len(terms) == 1 else None
        if (
            replacement
            and common_only
            and reader.doc_frequency("body", replacement) <= RARE_DOC_FREQUENCY
        ):
            replacement = None
        if replacement:
            changed = True
            word = replacement.capitalize() if word[:1].isupper() else replacement
        out.append(word)
    return " ".join(out) if changed else ""


def _near_spelling(reader: IndexReader, term: str) -> str | None:
    if len(term) < MIN_SUGGEST_LENGTH or not term.isalpha() or _found(reader, term):
        return None
    candidates = sorted(t for t in near_terms(reader, "body", term, 2, 1) if _found(reader, t))
    return max(candidates, key=lambda t: reader.doc_frequency("body", t), default=None)


def _found(reader: IndexReader, term: str) -> bool:
    """Whether a searchable page holds the term.

    The lexicon keeps the words of removed (withdrawn) documents until segments merge; the
    postings skip them.
    """
    return reader.postings("body", term).is_active() if ("body", term) in reader else False
