"""Snippets and marked pages: the words a query matched, found by what the index made of them.

A search works out once which index terms its query matched (fuzzy and rare-word expansions
included, per field). A word of a page is marked when analysing it as the index did yields one
of those terms, so an inflected form, a compound holding the word, a name in another spelling
or script, a fuzzy or identifier variant is marked in the spelling the page uses. Each distinct
word is analysed once (cached); no edit distance is ever computed here. Whoosh's highlighter
compared every token of every snippet with the fuzzy terms by Levenshtein distance in pure
Python: 28 of 31 s of a ``Haushalt~1`` search (issue #15).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from whoosh.analysis import Analyzer

from index.analyzers import (
    PLAIN_TOKEN_PATTERN,
    TOKEN_PATTERN,
    compound_parts_analyzer,
    german_analyzer,
    name_analyzer,
)

SNIPPET_CHARS = 240
SNIPPET_FRAGMENTS = 2
FRAGMENT_SEPARATOR = " … "
# Fields whose terms are marked, with the analyzer that made their terms.
_ANALYZERS: dict[str, Callable[[], Analyzer]] = {
    "body": german_analyzer,
    "parts": compound_parts_analyzer,
    "names": name_analyzer,
}
_TOKEN = re.compile(TOKEN_PATTERN)
_PLAIN_TOKEN = re.compile(PLAIN_TOKEN_PATTERN)


@lru_cache(maxsize=3)
def _analyzer(field: str) -> Analyzer:
    return _ANALYZERS[field]()


@lru_cache(maxsize=300_000)
def word_terms(word: str) -> frozenset[tuple[str, str]]:
    """The ``(field, term)`` pairs the index makes of one word of a page (title as body)."""
    return frozenset(
        (field, token.text)
        for field in _ANALYZERS
        for token in _analyzer(field)(word, mode="index")
    )


@dataclass(frozen=True)
class MatchedTerms:
    """The index terms one search matched, per field; what marking looks for.

    It remembers which words it has judged: the pages of one search share most of their words.
    """

    terms: frozenset[tuple[str, str]]
    _judged: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> MatchedTerms:
        """From ``(field, term)`` pairs; title terms count as body terms (same analyzer)."""
        return cls(frozenset(("body" if f == "title" else f, t) for f, t in pairs))

    def matches(self, word: str) -> bool:
        """Whether a word of a page stands for one of the matched terms."""
        judged = self._judged.get(word)
        if judged is None:
            judged = self._judged[word] = not self.terms.isdisjoint(word_terms(word))
        return judged

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Start and end of every matched word in ``text``, in order."""
        if not self.terms:
            return []
        tokens = _TOKEN if "\\" in text else _PLAIN_TOKEN
        matched = {word for word in set(tokens.findall(text)) if self.matches(word)}
        if not matched:
            return []
        return [m.span() for m in tokens.finditer(text) if m.group() in matched]


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` HTML-escaped, with the spans wrapped in ``<mark>``."""
    out, last = [], 0
    for start, end in spans:
        out += [escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>"]
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def marked_page(text: str, matched: MatchedTerms) -> str:
    """A whole page, HTML-escaped, its matches marked."""
    return mark(text, matched.spans(text))


def snippet(text: str, matched: MatchedTerms) -> str:
    """Up to two windows of a page around its matches (most distinct words first), marked.

    A page without a marked word (a match in a field not shown, such as the title) gives its
    beginning.
    """
    spans = matched.spans(text)
    if not spans:
        return escape(_window(text, 0, len(text))[2])
    chosen: list[tuple[int, int]] = []
    for begin, end in _ranked_windows(text, spans):
        if all(end <= b or begin >= e for b, e in chosen):
            chosen.append((begin, end))
        if len(chosen) == SNIPPET_FRAGMENTS:
            break
    chosen.sort()
    return FRAGMENT_SEPARATOR.join(
        mark(text[b:e], [(s - b, t - b) for s, t in spans if b <= s and t <= e]) for b, e in chosen
    )


def _ranked_windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A window around each match, those with the most distinct matched words first."""
    windows = []
    for index, (start, _end) in enumerate(spans):
        begin, end, _ = _window(text, start, len(text))
        words = {text[s:t].lower() for s, t in spans[index:] if t <= end and s >= begin}
        windows.append((-len(words), index, begin, end))
    windows.sort()
    return [(begin, end) for _, _, begin, end in windows]


def _window(text: str, start: int, length: int) -> tuple[int, int, str]:
    """About ``SNIPPET_CHARS`` characters from a little before ``start``, cut at spaces."""
    begin = max(0, start - SNIPPET_CHARS // 4)
    if begin:
        space = text.find(" ", begin, start)
        begin = space + 1 if space != -1 else begin
    end = min(length, begin + SNIPPET_CHARS)
    if end < length:
        space = text.rfind(" ", max(start + 1, begin), end)
        end = space if space > start else end
    return begin, end, text[begin:end]
