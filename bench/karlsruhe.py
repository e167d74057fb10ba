"""The Karlsruhe council texts as benchmark input: pages, text documents, PDFs and queries."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
CORPUS = Path("corpus/karlsruhe/karlsruhe.jsonl.gz")
EVAL_QUERIES = Path("eval/queries.jsonl")
CACHE_VERSION = 2
PAGE_CHARS = 3000
# Texts with fewer words than this are scanned PDFs without a text layer (README of ../shared).
MIN_WORDS = 20
FORM_FEED = "\f"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SEED = 8  # issue 8

_WORD = re.compile(r"[^\W\d_]{3,}")
_PAIR = re.compile(r"(?<!\w)([^\W\d_]{4,}) ([^\W\d_]{4,})(?!\w)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Symbol-font bullets from the source PDFs sit in the private use area; DejaVu has no glyph.
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")

# Ukrainian and Russian places and people in their German, English and Ukrainian spellings.
NAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("Kiew", "Kyjiw", "Kyiv", "Kiev", "Київ"),
    ("Lemberg", "Lwiw", "Lviv", "Lwow"),
    ("Charkiw", "Charkow", "Kharkiv"),
    ("Odessa", "Odesa", "Одеса"),
    ("Mariupol", "Marjupol"),
    ("Czernowitz", "Tscherniwzi", "Chernivtsi"),
    ("Saporischschja", "Saporoschje", "Zaporizhzhia"),
    ("Dnipro", "Dnjepr", "Dnipropetrowsk"),
    ("Tschernobyl", "Chornobyl", "Chernobyl"),
    ("Moskau", "Moskwa", "Moscow"),
    ("Sankt Petersburg", "St. Petersburg", "Leningrad"),
    ("Krim", "Krym", "Crimea"),
    ("Donezk", "Donetsk", "Luhansk", "Lugansk"),
    ("Selenskyj", "Selensky", "Zelensky", "Zelenskyy"),
    ("Klitschko", "Klychko", "Kličko"),
    ("Putin", "Путин"),
    ("Gorbatschow", "Gorbachev"),
)


@dataclass(frozen=True)
class DocInfo:
    """One benchmark document: a Karlsruhe text written as a ``.txt`` file, pages split by \\f."""

    name: str
    file_id: int
    reference: str
    pages: int
    chars: int


@dataclass(frozen=True)
class TextCorpus:
    """The first ``pages`` pages of the corpus as text documents in ``path``."""

    path: Path
    docs: tuple[DocInfo, ...]
    pages: int
    text_bytes: int

    def iter_pages(self) -> Iterator[tuple[str, int, str]]:
        """Every page as ``(document name, page number, text)``, read from the files."""
        for doc in self.docs:
            text = (self.path / doc.name).read_text(encoding="utf-8")
            for number, page in enumerate(text.split(FORM_FEED), start=1):
                yield doc.name, number, page


@dataclass(frozen=True)
class PdfSet:
    """Born-digital PDFs typeset from the first documents of a text corpus."""

    path: Path
    files: tuple[Path, ...]
    pages: int


@dataclass(frozen=True)
class Query:
    """A benchmark query: its kind, what a user types, and the FTS5 form where FTS5 has one."""

    kind: str
    text: str
    fts: str | None = None


def paginate(text: str, page_chars: int = PAGE_CHARS) -> list[str]:
    """Split a text into pages of at most ``page_chars``, at a paragraph break where possible.

    A page ends at the last blank line in its second half, else at a line end; a single line
    longer than a page is cut at a space.
    """
    pages: list[str] = []
    lines: list[str] = []
    size = 0
    for line in _lines(text, page_chars):
        if lines and size + len(line) + 1 > page_chars:
            cut = _cut(lines, page_chars // 2)
            pages.append("\n".join(lines[:cut]).strip("\n"))
            lines = lines[cut:]
            size = sum(len(x) + 1 for x in lines)
        lines.append(line)
        size += len(line) + 1
    pages.append("\n".join(lines).strip("\n"))
    return [p for p in pages if p.strip()]


def _lines(text: str, page_chars: int) -> Iterator[str]:
    """Lines without trailing spaces, runs of blank lines as one, overlong lines cut."""
    blank = True
    for raw in _CONTROL.sub("", text).splitlines():
        line = raw.rstrip()
        if not line.strip():
            if not blank:
                yield ""
            blank = True
            continue
        blank = False
        while len(line) > page_chars:
            cut = line.rfind(" ", 0, page_chars)
            cut = cut if cut > 0 else page_chars
            yield line[:cut]
            line = line[cut:].lstrip()
        yield line


def _cut(lines: list[str], min_chars: int) -> int:
    """Where to end a page: after the last blank line past ``min_chars``, else after all."""
    best, offset = len(lines), 0
    for i, line in enumerate(lines):
        if line == "" and offset >= min_chars:
            best = i
        offset += len(line) + 1
    return best


def iter_texts(shared: Path) -> Iterator[dict]:
    """The corpus in file order, without near-empty texts and exact duplicates."""
    seen: set[bytes] = set()
    with gzip.open(shared / CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            text = record["text"]
            digest = hashlib.sha256(text.encode()).digest()
            if digest in seen or len(_WORD.findall(text)) < MIN_WORDS:
                continue
            seen.add(digest)
            yield record


def text_corpus(shared: Path, pages: int) -> TextCorpus:
    """The first ``pages`` pages as ``.txt`` documents, cached under ``bench/out``."""
    path = OUT / f"karlsruhe-{pages}"
    manifest = path / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        if data.get("version") == CACHE_VERSION:
            docs = tuple(DocInfo(**d) for d in data["docs"])
            return TextCorpus(path, docs, data["pages"], data["text_bytes"])
    print(f"bench: schreibe {pages} Seiten nach {path} …", file=sys.stderr)
    shutil.rmtree(path, ignore_errors=True)
    (path / "docs").mkdir(parents=True)
    docs = _write_docs(shared, pages, path)
    corpus = TextCorpus(path, docs, sum(d.pages for d in docs), sum(d.chars for d in docs))
    if corpus.pages < pages:
        sys.exit(f"bench: der Korpus hat nur {corpus.pages} Seiten, nicht {pages}.")
    data = {"version": CACHE_VERSION, "pages": corpus.pages, "text_bytes": corpus.text_bytes}
    manifest.write_text(json.dumps({**data, "docs": [asdict(d) for d in docs]}))
    return corpus


def _write_docs(shared: Path, pages: int, path: Path) -> tuple[DocInfo, ...]:
    """Write documents until ``pages`` pages are written; the last one may be cut short."""
    docs: list[DocInfo] = []
    written: set[bytes] = set()  # texts that differ only in blank space paginate alike
    remaining = pages
    for record in iter_texts(shared):
        doc_pages = paginate(record["text"])[:remaining]
        body = FORM_FEED.join(doc_pages)
        digest = hashlib.sha256(body.encode()).digest()
        if digest in written:
            continue
        written.add(digest)
        name = f"docs/{len(docs):06d}-{record['file_id']}.txt"
        (path / name).write_text(body, encoding="utf-8")
        size = sum(len(p.encode()) for p in doc_pages)
        docs.append(DocInfo(name, record["file_id"], record["reference"], len(doc_pages), size))
        remaining -= len(doc_pages)
        if remaining == 0:
            break
    return tuple(docs)


def pdf_documents(corpus: TextCorpus, pdf_pages: int) -> PdfSet:
    """Typeset the first documents, ``pdf_pages`` text pages in all, as born-digital PDFs."""
    path = OUT / f"karlsruhe-pdf-{pdf_pages}"
    manifest = path / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        if data.get("version") == CACHE_VERSION:
            files = tuple(path / name for name in data["files"])
            return PdfSet(path, files, data["pages"])
    if not FONT.is_file():
        sys.exit(f"bench: Schrift {FONT} fehlt (apt-get install fonts-dejavu-core).")
    print(f"bench: setze {pdf_pages} Seiten als PDF nach {path} …", file=sys.stderr)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    files: list[Path] = []
    total = 0
    remaining = pdf_pages
    for doc in corpus.docs:
        text = (corpus.path / doc.name).read_text(encoding="utf-8")
        pages = text.split(FORM_FEED)[:remaining]
        files.append(path / f"{Path(doc.name).stem}.pdf")
        total += _typeset(pages, files[-1])
        remaining -= len(pages)
        if remaining == 0:
            break
    data = {"version": CACHE_VERSION, "pages": total, "files": [f.name for f in files]}
    manifest.write_text(json.dumps(data))
    return PdfSet(path, tuple(files), total)


def _typeset(pages: list[str], target: Path) -> int:
    """Write one PDF, each text page starting a new PDF page; returns the PDF's page count."""
    from fpdf import FPDF  # bench-only dependency, imported where it is needed

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=8)
    for page in pages:
        pdf.add_page()
        pdf.multi_cell(0, 3.6, _PRIVATE_USE.sub("•", page))
    pdf.output(str(target))
    return pdf.pages_count


def build_queries(corpus: TextCorpus, shared: Path) -> list[Query]:
    """At least 200 queries from the corpus's own words, names and references, plus the eval set.

    Deterministic for a given corpus: the same pages give the same queries.
    """
    rng = random.Random(SEED)
    texts = [text for _, _, text in corpus.iter_pages()]
    df = Counter(w for text in texts for w in {w.lower() for w in _WORD.findall(text)})
    return [
        *_term_queries(df, len(texts), rng),
        *_phrase_queries(texts, rng),
        *_fuzzy_queries(df, len(texts), rng),
        *_name_queries(),
        *_identifier_queries(corpus, rng),
        *_eval_queries(shared),
        *_words_queries(texts, rng),
        *_unknown_word_queries(df, rng),
    ]


def _band(df: Counter[str], pages: int, low: float, high: float) -> list[str]:
    """Words of 4+ letters in a document-frequency band, most frequent first (ties by name)."""
    words = [w for w, n in df.items() if low * pages <= n < high * pages and len(w) >= 4]
    return sorted(words, key=lambda w: (-df[w], w))


def _term_queries(df: Counter[str], pages: int, rng: random.Random) -> list[Query]:
    """Common, frequent, mid-frequency and rare words: term cost grows with the postings."""
    bands = ((0.10, 1.01, 10), (0.01, 0.10, 20), (0.001, 0.01, 20), (0.0, 0.001, 10))
    queries: list[Query] = []
    for low, high, count in bands:
        words = [w for w in _band(df, pages, low, high) if df[w] >= 2]
        for word in rng.sample(words, min(count, len(words))):
            queries.append(Query("term", word, f'"{word}"'))
    return queries


def _phrase_queries(texts: list[str], rng: random.Random, count: int = 50) -> list[Query]:
    """Two words standing side by side on a page picked at random."""
    queries: list[Query] = []
    for _ in range(count * 20):
        pairs = _PAIR.findall(rng.choice(texts))
        if pairs:
            first, second = rng.choice(pairs)
            phrase = f"{first} {second}"
            queries.append(Query("phrase", f'"{phrase}"', f'"{phrase}"'))
        if len(queries) == count:
            break
    return queries


def _words_queries(texts: list[str], rng: random.Random, count: int = 40) -> list[Query]:
    """Two or three words of 4+ letters from one page picked at random, typed without quotes."""
    queries: list[Query] = []
    while len(queries) < count:
        words = sorted({w for w in _WORD.findall(rng.choice(texts)) if len(w) >= 4 and w.isalpha()})
        if len(words) >= 3:
            chosen = rng.sample(words, rng.choice((2, 3)))
            fts = " ".join(f'"{w}"' for w in chosen)
            queries.append(Query("words", " ".join(chosen), fts))
    return queries


def _unknown_word_queries(df: Counter[str], rng: random.Random) -> list[Query]:
    """Words found on one or two pages, of 7+ letters, with one letter changed and typed without
    ``~``: the index has rarely or never seen them, so near spellings are searched on its own
    (automatic tolerance)."""
    words = sorted(w for w, n in df.items() if n <= 2 and len(w) >= 7 and w.isalpha())
    return [Query("unknown word", _typo(w, 1, rng)) for w in rng.sample(words, min(25, len(words)))]


def _fuzzy_queries(df: Counter[str], pages: int, rng: random.Random) -> list[Query]:
    """Words of 7+ letters with one (``~1``) or two (``~2``) letters changed past the second."""
    words = [w for w in _band(df, pages, 0.001, 0.2) if len(w) >= 7]
    queries: list[Query] = []
    for distance in (1, 2):
        for word in rng.sample(words, min(25, len(words))):
            queries.append(Query(f"fuzzy ~{distance}", f"{_typo(word, distance, rng)}~{distance}"))
    return queries


def _typo(word: str, changes: int, rng: random.Random) -> str:
    """The word with ``changes`` letters past the first two replaced."""
    letters = list(word)
    for i in rng.sample(range(2, len(word)), changes):
        letters[i] = rng.choice([c for c in "aeinrstu" if c != letters[i]])
    return "".join(letters)


def _name_queries() -> list[Query]:
    """Every spelling of every name, as a user types it."""
    return [Query("name", spelling) for group in NAME_VARIANTS for spelling in group]


def _identifier_queries(corpus: TextCorpus, rng: random.Random, count: int = 50) -> list[Query]:
    """Paper numbers such as ``2021/1379`` from the documents' ``reference`` field."""
    references = sorted({d.reference for d in corpus.docs if "/" in d.reference})
    return [
        Query("identifier", r, f'"{r}"')
        for r in rng.sample(references, min(count, len(references)))
    ]


def _eval_queries(shared: Path) -> list[Query]:
    """The 39 queries of the public judged query set."""
    lines = (shared / EVAL_QUERIES).read_text(encoding="utf-8").splitlines()
    return [Query("eval", json.loads(line)["query"]) for line in lines if line.strip()]
