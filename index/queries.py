"""The query syntax users type: words, "phrases", AND/OR/NOT, field:value and term~.

The syntax is a contract with its own tests. A query the parser cannot make sense of is never
an error: it is read as plain words. Every word is looked up as a whole word (title, body), as
a part of compound words and as a name in any spelling, the latter two ranked lower.
"""

from __future__ import annotations

import re

from whoosh import qparser, query
from whoosh.fields import Schema
from whoosh.lang import stopwords_for_language
from whoosh.reading import IndexReader

from findbuch.fields import document_type_key
from index.analyzers import TOKEN_PATTERN

MAX_FUZZY_DISTANCE = 2
MAX_QUERY_CHARS = 1000
# references: a number known only from metadata (OParl, a correction) is found as in the text.
FIELD_BOOSTS = {"title": 2.0, "body": 1.0, "parts": 0.4, "names": 0.5, "references": 2.0}
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
