"""The query syntax users type: words, "phrases", AND/OR/NOT, field:value and term~.

The syntax is a contract with its own tests. A query the parser cannot make sense of is never
an error: it is read as plain words. Every word is looked up as a whole word (title, body), as
a part of compound words and as a name in any spelling, the latter two ranked lower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import qparser, query
from whoosh.fields import Schema
from whoosh.lang import stopwords_for_language
from whoosh.matching import Matcher, NullMatcher
from whoosh.reading import IndexReader
from whoosh.searching import SearchContext, Searcher

from common.fields import document_type_key
from index._lexicon import near_terms
from index.analyzers import TOKEN_PATTERN
from index.backend import Filters

MAX_FUZZY_DISTANCE = 2
MAX_QUERY_CHARS = 1000
# Bounds of one query (issue #15): 120 words ending in ~2 took 15-18 s and held up other users.
MAX_QUERY_WORDS = 32
MAX_FUZZY_TERMS = 4
# Index terms one fuzzy or expanded word may stand for: the most frequent are kept.
MAX_EXPANSIONS = 64
# references: a number known only from metadata (OParl, a correction) is found as in the text.
# main_file_of: of a paper's files, its main file comes first in a search for its reference.
FIELD_BOOSTS = {
    "title": 2.0,
    "body": 1.0,
    "parts": 0.4,
    "names": 0.5,
    "references": 2.0,
    "main_file_of": 2.0,
}
# Fields indexed without positions (index.schema): quoted phrases are not matched there.
POSITIONLESS_FIELDS = ("parts", "names")
# German names users may type for fields, besides the schema's own names.
FIELD_ALIASES = {
    "title": ["titel"],
    "body": ["text", "inhalt"],
    "date": ["datum"],
    "year": ["jahr"],
    "doc_type": ["typ", "type"],
    "issuer": ["herausgeber"],
    "persons": ["person", "personen"],
    "places": ["ort", "orte"],
    "references": ["nummer", "az"],
    "paper_types": ["vorlagenart"],
    "committees": ["gremium", "gremien"],
}
# A word found on at most this many pages may be an OCR error: near spellings are searched too.
RARE_DOC_FREQUENCY = 2
MIN_FUZZY_LENGTH = 5
MAX_FUZZY_WORDS = 4
FUZZY_BOOST = 0.3
ID_CORE_BOOST = 0.8
STOP_WORDS = frozenset(stopwords_for_language("de"))

_GERMAN_OPERATORS = {"UND": "AND", "ODER": "OR", "NICHT": "NOT"}
_OPERATOR = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
_GERMAN_OPERATOR = re.compile(r"\b(UND|ODER|NICHT)\b")
_LEADING_OPERATORS = re.compile(r"^(?:\s*(?:AND|OR|ANDNOT|ANDMAYBE)\b)+")
_TRAILING_OPERATORS = re.compile(rf"(?:\b{_OPERATOR}\s*)+$")
_REPEATED_OPERATORS = re.compile(rf"\b({_OPERATOR})(?:\s+{_OPERATOR}\b)+")
_FIELD_PREFIX = re.compile(r"(?<![\w\\])(\w+):(?=\S)")
# "V 2072/23" is the paper V2072/23: join a short letter prefix to the number after it.
_SPACED_ID = re.compile(r"\b([A-Za-z]{1,3})\s+(\d{1,6}/\d{2,4})\b")
_ID_WITH_PREFIX = re.compile(r"^[^\W\d_]+(\d[\w/.]*)$")
# "Wie viele Einwohner hat Berlin?": a question mark ends a sentence, it is no wildcard.
_QUESTION_MARK = re.compile(r"(?<=\w)\?+(?=\s|$)")
_DATE_FILTER = re.compile(r"\b(?:datum|date):", re.IGNORECASE)
_GERMAN_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_FUZZY_MARK = re.compile(r"(?<=\w)~\d*(?:/\d+)?")
_SYNTAX = re.compile(rf'["():~*^\[\]{{}}]|\b(?:{_OPERATOR}|UND|ODER|NICHT)\b')


def _parser(schema: Schema, *, any_word: bool) -> qparser.QueryParser:
    group = qparser.OrGroup.factory(0.9) if any_word else qparser.AndGroup
    parser = qparser.MultifieldParser(
        list(FIELD_BOOSTS), schema, fieldboosts=FIELD_BOOSTS, group=group
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def _tidy(text: str, schema: Schema) -> str:
    """Normalise what would otherwise mislead the parser; see the module docstring."""
    known = set(schema.names()) | {alias for names in FIELD_ALIASES.values() for alias in names}
    text = _QUESTION_MARK.sub("", text)
    text = _GERMAN_OPERATOR.sub(lambda m: _GERMAN_OPERATORS[m.group(1)], text)
    if _DATE_FILTER.search(text):
        text = _GERMAN_DATE.sub(
            lambda m: f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}", text
        )
    text = _SPACED_ID.sub(r"\1\2", text)
    text = _FIELD_PREFIX.sub(lambda m: m.group(0) if m.group(1) in known else "", text)
    text = _REPEATED_OPERATORS.sub(r"\1", text)
    text = _TRAILING_OPERATORS.sub("", text)
    return _LEADING_OPERATORS.sub("", text)


def _rewrite(q: query.Query) -> query.Query:
    """Cap ``term~N``; ``V2072/23`` also finds ``2072/23``; phrases only where positions are.

    The numeric core catches an OCR'd prefix letter. A quoted phrase is matched in title and
    body; fields without positions cannot tell whether its words stand together.
    """
    if isinstance(q, query.FuzzyTerm):
        q.maxdist = min(q.maxdist, MAX_FUZZY_DISTANCE)
        return q
    if type(q) is query.Term and q.fieldname == "doc_type":
        return query.Term("doc_type", document_type_key(q.text) or q.text, boost=q.boost)
    if isinstance(q, query.Phrase) and q.fieldname in POSITIONLESS_FIELDS:
        return query.NullQuery
    if type(q) is query.Term and q.fieldname in ("title", "body"):
        match = _ID_WITH_PREFIX.match(q.text) if "/" in q.text else None
        if match:
            core = query.Term(q.fieldname, match.group(1), boost=q.boost * ID_CORE_BOOST)
            return query.Or([q, core])
        return q
    return q.apply(_rewrite)


def is_plain_words(text: str) -> bool:
    """Whether a query is just words, so that a some-words fallback keeps its meaning."""
    return not _SYNTAX.search(text) and len(text.split()) > 1


def plain_words(text: str) -> str:
    """The words of a query without any syntax: what a malformed query is read as."""
    return " ".join(re.findall(TOKEN_PATTERN, re.sub(rf"\b{_OPERATOR}\b", " ", text)))


def parse_query(text: str, schema: Schema, *, any_word: bool = False) -> query.Query:
    """Parse what a user typed; fall back to plain words where the syntax yields nothing.

    Args:
        text: the query as typed.
        schema: the index schema.
        any_word: match documents with any of the words (stop words dropped), not all.
    """
    text = _tidy(text[:MAX_QUERY_CHARS], schema)
    if any_word:
        words = plain_words(text).split()
        text = " ".join(w for w in words if w.lower() not in STOP_WORDS) or text
    parser = _parser(schema, any_word=any_word)
    try:
        parsed = parser.parse(text)
    except Exception:  # noqa: BLE001 - any parser failure means: read it as plain words
        parsed = query.NullQuery
    if parsed is query.NullQuery and plain_words(text):
        parsed = parser.parse(plain_words(text))
    return _rewrite(parsed)


def excluded_parts(q: query.Query) -> list[query.Query]:
    """The sub-queries a query excludes with NOT, at its top level.

    Exclusion applies to whole documents: ``Partnerschaft NICHT Charkiw`` must not list a
    document whose second page happens not to mention Charkiw.
    """
    clauses = q.subqueries if isinstance(q, query.And) else [q]
    return [c.query for c in clauses if isinstance(c, query.Not)]


def tolerance_for(text: str) -> int:
    """How much spelling tolerance a query gets, by its number of words.

    1 (fuzzy) for up to four words, 0 for longer ones: those are sentences, which the
    some-words search serves.
    """
    words = len(plain_words(text).split())
    return 1 if words <= MAX_FUZZY_WORDS else 0


def expand_rare_terms(q: query.Query, reader: IndexReader, tolerance: int = 1) -> query.Query:
    """Add near spellings (ranked lower) to words the index has rarely or never seen.

    Body words and name keys get a fuzzy alternative (OCR errors such as ``Chmeinyzkyj``;
    names OCR ran together are split at index time instead). Frequent words are left alone,
    so this costs nothing for them.
    Measured: without the word limits (``tolerance_for``) natural-language questions spent
    most of their time expanding terms (bench/RESULTS.md).
    """
    if tolerance == 0:
        return q
    if type(q) is not query.Term or q.fieldname not in ("body", "names"):
        return q.apply(lambda sub: expand_rare_terms(sub, reader, tolerance))
    text = q.text
    if (
        len(text) < MIN_FUZZY_LENGTH
        or not text.isalpha()
        or reader.doc_frequency(q.fieldname, text) > RARE_DOC_FREQUENCY
    ):
        return q
    boost = q.boost * FUZZY_BOOST
    # Distance 2 keeps the first two letters: ten times faster (research/whoosh.md), and OCR
    # rarely damages the start of a word.
    distance, prefix = (1, 1) if len(text) < 8 else (2, 2)
    fuzzy = query.FuzzyTerm(q.fieldname, text, boost=boost, maxdist=distance, prefixlength=prefix)
    return query.Or([q, fuzzy])


@dataclass(frozen=True)
class BoundedText:
    """A query cut to the bounds of one search, and what was cut, in German."""

    text: str
    notices: tuple[str, ...] = ()


def bound_text(text: str) -> BoundedText:
    """Cut a query to ``MAX_QUERY_CHARS``, ``MAX_QUERY_WORDS`` and ``MAX_FUZZY_TERMS``.

    Done before any step (parser, spelling suggestion, rare-word expansion) sees the text.
    """
    notices = []
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        text = cut.rsplit(None, 1)[0] if not text[MAX_QUERY_CHARS].isspace() else cut
        notices.append(
            f"Die Anfrage war länger als {MAX_QUERY_CHARS} Zeichen; gesucht wurde ihr Anfang."
        )
    words = text.split()
    if len(words) > MAX_QUERY_WORDS:
        text = " ".join(words[:MAX_QUERY_WORDS])
        notices.append(f"Gesucht wurden nur die ersten {MAX_QUERY_WORDS} Wörter der Anfrage.")
    marks = list(_FUZZY_MARK.finditer(text))
    if len(marks) > MAX_FUZZY_TERMS:
        keep = marks[MAX_FUZZY_TERMS - 1].end()
        text = text[:keep] + _FUZZY_MARK.sub("", text[keep:])
        notices.append(
            f"Ähnliche Schreibweisen (~) wurden nur für die ersten {MAX_FUZZY_TERMS} Wörter "
            "gesucht."
        )
    return BoundedText(text, tuple(notices))


class BoundedFuzzyTerm(query.FuzzyTerm):
    """A fuzzy term standing for a fixed list of index terms, at most ``MAX_EXPANSIONS``."""

    def __init__(self, fuzzy: query.FuzzyTerm, words: list[str]) -> None:
        super().__init__(
            fuzzy.fieldname,
            fuzzy.text,
            boost=fuzzy.boost,
            maxdist=fuzzy.maxdist,
            prefixlength=fuzzy.prefixlength,
            constantscore=fuzzy.constantscore,
        )
        self.words = words

    def _btexts(self, ixreader: IndexReader) -> list[str]:
        return self.words

    def matcher(self, searcher: Searcher, context: SearchContext | None = None) -> Matcher:
        """As Whoosh's fuzzy term matches (constant score), with a tree of unions."""
        if not self.words:
            return NullMatcher()
        terms = [query.Term(self.fieldname, w, boost=self.boost) for w in self.words]
        if len(terms) == 1:
            return terms[0].matcher(searcher, context)
        if self.constantscore:
            context = context.set(weighting=None) if context else SearchContext(weighting=None)
        return with_binary_unions(query.Or(terms)).matcher(searcher, context)


def bound_expansions(q: query.Query, reader: IndexReader) -> tuple[query.Query, bool]:
    """Replace each fuzzy term by its most frequent ``MAX_EXPANSIONS`` index terms.

    Returns the query and whether any term had more near spellings than that.
    """
    cut = False

    def bounded(sub: query.Query) -> query.Query:
        nonlocal cut
        if isinstance(sub, BoundedFuzzyTerm) or not isinstance(sub, query.FuzzyTerm):
            return sub.apply(bounded)
        words = sorted(near_terms(reader, sub.fieldname, sub.text, sub.maxdist, sub.prefixlength))
        if len(words) > MAX_EXPANSIONS:
            cut = True
            words.sort(key=lambda w: -reader.doc_frequency(sub.fieldname, w))
            words = words[:MAX_EXPANSIONS]
        return BoundedFuzzyTerm(sub, words)

    return bounded(q), cut


def matched_terms(q: query.Query, reader: IndexReader) -> set[tuple[str, str]]:
    """The ``(field, term)`` pairs of the index that a query's positive parts match.

    Excluded (NOT) parts are left out: their words are not what a hit was found by.
    """
    if isinstance(q, query.Not):
        return set()
    if q.is_leaf():
        return {
            (fieldname, text.decode("utf-8", "replace"))
            for fieldname, text in q.existing_terms(reader, expand=True)
        }
    return set().union(*(matched_terms(sub, reader) for sub in q.children()))


def filter_query(filters: Filters, schema: Schema) -> query.Query | None:
    """The restriction ``filters`` make, as a query on the metadata fields (None: none)."""
    clauses: list[query.Query] = []
    if filters.doc_type:
        key = filters.doc_type.strip()
        clauses.append(query.Term("doc_type", document_type_key(key) or key))
    if filters.year:
        clauses.append(query.Term("year", filters.year.strip()))
    for fieldname, value in (
        ("issuer", filters.issuer),
        ("persons", filters.person),
        ("places", filters.place),
        ("paper_types", filters.paper_type),
        ("committees", filters.committee),
    ):
        words = [t.text for t in schema[fieldname].analyzer(value, mode="query")] if value else []
        if len(words) == 1:
            clauses.append(query.Term(fieldname, words[0]))
        elif words:
            clauses.append(query.Phrase(fieldname, words))
        elif value:
            clauses.append(query.NullQuery)  # nothing searchable in it: nothing matches
    if filters.date_from or filters.date_to:
        low, high = filters.date_from or "0000-01-01", filters.date_to or "9999-12-31"
        clauses.append(query.TermRange("date", low, high))
    return query.And(clauses) if clauses else None


def with_binary_unions(q: query.Query) -> query.Query:
    """The query with every OR matched by Whoosh's tree of unions, never its preloading one.

    For a segment under 5,000 pages Whoosh preloads an OR: it scores every posting of every
    clause into arrays before the first match is taken, so a common word was scored on all
    its pages however few were shown (three quarters of a ``Stadt`` search on 10,000 pages
    in 14 segments). The tree of unions scores as it goes and skips blocks that cannot
    reach the top.
    """
    if not q.is_leaf():
        q = q.apply(with_binary_unions)
    if isinstance(q, query.Or):
        q.matcher_type = query.Or.DEFAULT_MATCHER
    return q
