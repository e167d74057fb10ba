"""The query syntax users type: words, "phrases", AND/OR/NOT, field:value and term~.

The syntax is a contract with its own tests. A query the parser cannot make sense of is never
an error: it is read as plain words.
"""

from __future__ import annotations

import re

from whoosh import qparser, query
from whoosh.fields import Schema

from index.analyzers import TOKEN_PATTERN

MAX_FUZZY_DISTANCE = 2
MAX_QUERY_CHARS = 1000
SEARCH_FIELDS = ("title", "body")
# German names users may type for fields, besides the schema's own names.
FIELD_ALIASES = {"title": ["titel"], "body": ["text", "inhalt"], "date": ["datum"]}
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_OPERATOR = r"(?:AND|OR|NOT|ANDNOT|ANDMAYBE)"
_LEADING_OPERATORS = re.compile(r"^(?:\s*(?:AND|OR|ANDNOT|ANDMAYBE)\b)+")
_TRAILING_OPERATORS = re.compile(rf"(?:\b{_OPERATOR}\s*)+$")
_REPEATED_OPERATORS = re.compile(rf"\b({_OPERATOR})(?:\s+{_OPERATOR}\b)+")
_FIELD_PREFIX = re.compile(r"(?<![\w\\])(\w+):(?=\S)")


def _parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, fieldboosts={"title": 2.0})
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def _cap_fuzzy(q: query.Query) -> query.Query:
    """Limit ``term~N`` to a distance the engine answers quickly."""
    if isinstance(q, query.FuzzyTerm) and q.maxdist > MAX_FUZZY_DISTANCE:
        q.maxdist = MAX_FUZZY_DISTANCE
    return q.apply(_cap_fuzzy)


def plain_words(text: str) -> str:
    """The words of a query without any syntax: what a malformed query is read as."""
    words = re.findall(TOKEN_PATTERN, text)
    return " ".join(w for w in words if w not in _OPERATORS)


def _tidy(text: str, schema: Schema) -> str:
    """Drop what would otherwise become search words: dangling operators, unknown fields."""
    known = set(schema.names()) | {alias for names in FIELD_ALIASES.values() for alias in names}
    text = _FIELD_PREFIX.sub(lambda m: m.group(0) if m.group(1) in known else "", text)
    text = _REPEATED_OPERATORS.sub(r"\1", text)
    text = _TRAILING_OPERATORS.sub("", text)
    return _LEADING_OPERATORS.sub("", text)


def parse_query(text: str, schema: Schema) -> query.Query:
    """Parse what a user typed; fall back to plain words where the syntax yields nothing."""
    text = _tidy(text[:MAX_QUERY_CHARS], schema)
    parser = _parser(schema)
    try:
        parsed = parser.parse(text)
    except Exception:  # noqa: BLE001 - any parser failure means: read it as plain words
        parsed = query.NullQuery
    if parsed is query.NullQuery and plain_words(text):
        parsed = parser.parse(plain_words(text))
    return _cap_fuzzy(parsed)
