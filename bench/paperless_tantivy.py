"""Baseline: Tantivy configured as Paperless-ngx v3 configures it, over the bench's page texts.

Analyzer: simple tokenizer -> remove_long(129) -> lowercase -> ascii_fold -> German Snowball.
Query: the text parsed over the content, OR a fuzzy clause per word (distance 1, prefix)
boosted 0.1; an explicit ``word~N`` is a fuzzy term of distance N (Tantivy's parser has no
such syntax). Top 10 pages with a snippet each, as a result list shows them. Needs the
``tantivy`` package (``pip install -e '.[bench]'``, which ``make bench`` does).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TOKENIZER = "paperless_de"
LIMIT = 10
FUZZY_BOOST = 0.1
_EXPLICIT_FUZZY = re.compile(r"(\w+)~(\d)?")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class TantivyRun:
    """Build time and size of the Tantivy index."""

    seconds: float
    index_mb: float


def available() -> bool:
    """Whether the tantivy package is installed."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def _analyzer():
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(129))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("german"))
        .build()
    )


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("content", stored=True, tokenizer_name=TOKENIZER)
    builder.add_text_field("doc", stored=True, tokenizer_name="raw")
    builder.add_integer_field("page", stored=True)
    return builder.build()


class PaperlessTantivy:
    """One Tantivy index in a folder, built from ``(doc, page, text)`` rows."""

    def __init__(self, path: Path) -> None:
        import tantivy

        self.path = path
        self.schema = _schema()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        self.analyzer = _analyzer()
        self.index.register_tokenizer(TOKENIZER, self.analyzer)
        self.searcher = None

    @classmethod
    def build(
        cls, rows: Iterable[tuple[str, int, str]], path: Path
    ) -> tuple[PaperlessTantivy, TantivyRun]:
        """A fresh index of the rows, committed once; with its build time and size."""
        import tantivy

        shutil.rmtree(path, ignore_errors=True)
        engine = cls(path)
        start = time.perf_counter()
        writer = engine.index.writer(heap_size=256_000_000, num_threads=1)
        for doc, page, text in rows:
            writer.add_document(tantivy.Document(doc=doc, page=page, content=text))
        writer.commit()
        writer.wait_merging_threads()
        seconds = time.perf_counter() - start
        engine.index.reload()
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
        return engine, TantivyRun(seconds, size)

    def query(self, text: str):
        """Paperless-ngx v3's query: content parsed, OR fuzzy words (distance 1, prefix) × 0.1."""
        import tantivy

        clauses = []
        explicit = [(m.group(1), int(m.group(2) or 1)) for m in _EXPLICIT_FUZZY.finditer(text)]
        plain = _EXPLICIT_FUZZY.sub(r"\1", text)
        parsed, _errors = self.index.parse_query_lenient(plain, ["content"])
        clauses.append((tantivy.Occur.Should, parsed))
        for word in _WORD.findall(plain):
            for token in self.analyzer.analyze(word):
                fuzzy = tantivy.Query.fuzzy_term_query(
                    self.schema, "content", token, distance=1, prefix=True
                )
                boosted = tantivy.Query.boost_query(fuzzy, FUZZY_BOOST)
                clauses.append((tantivy.Occur.Should, boosted))
        for word, distance in explicit:
            for token in self.analyzer.analyze(word):
                fuzzy = tantivy.Query.fuzzy_term_query(
                    self.schema, "content", token, distance=min(distance, 2)
                )
                clauses.append((tantivy.Occur.Should, fuzzy))
        return tantivy.Query.boolean_query(clauses)

    def search(self, text: str) -> bool:
        """The top pages with a snippet each; whether anything was found."""
        import tantivy

        if self.searcher is None:
            self.searcher = self.index.searcher()
        q = self.query(text)
        hits = self.searcher.search(q, LIMIT).hits
        if hits:
            snippets = tantivy.SnippetGenerator.create(self.searcher, q, self.schema, "content")
            for _score, address in hits:
                snippets.snippet_from_doc(self.searcher.doc(address)).to_html()
        return bool(hits)
