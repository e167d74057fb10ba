"""Metadata extraction accuracy per field against hand-made labels (bench/metadata_labels.json).

How each field was labelled (who counts as a person, which places count, what a title is) is
written in the labels' ``about`` key; a field is scored on every document whose label carries
it, and reported per document kind.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import machine, require_shared
from common.settings import Settings
from ingest import FAILED
from ingest.found import Found
from service.home import DataHome

LABELS = Path(__file__).resolve().parent / "metadata_labels.json"
KARLSRUHE = Path("corpus/karlsruhe/karlsruhe.jsonl.gz")
# Document kinds, in table order (the labels' "kind" key says which is which).
GROUPS = (
    "seed",
    "council_sample",
    "council_form",
    "council_mentions_press",
    "statement",
    "letter",
    "bgbl_form",
)
SINGLE_FIELDS = ("type", "issuer", "title", "date")
LIST_FIELDS = ("references", "persons", "places")
# Titles differ by OCR noise and line-break hyphens; below this they name something else.
TITLE_SIMILARITY = 0.9
TARGET = 0.95
MAX_SHOWN = 90
NONE = "—"

_HYPHEN_BREAK = re.compile(r"(?<=[a-zäöüß])-\s+(?=[a-zäöüß])")
_NOT_WORD = re.compile(r"[\W_]+")
_ACADEMIC = re.compile(r"^(?:(?:Dr|Prof)\.\s*)+")


@dataclass(frozen=True)
class Labelled:
    """One labelled document: where its text comes from and what a person read in it."""

    doc_id: str
    group: str
    expected: dict[str, object]
    path: Path | None = None
    line: int = -1


@dataclass(frozen=True)
class Error:
    """One difference between label and extractor, with the extractor's own explanation."""

    doc_id: str
    field: str
    expected: str
    got: str
    method: str


@dataclass
class Tally:
    """Per field and group: documents scored and right; for list fields also the items."""

    scored: int = 0
    right: int = 0
    found: int = 0
    missed: int = 0
    spurious: int = 0


@dataclass(frozen=True)
class Verdict:
    """The comparison of one field of one document."""

    right: bool
    errors: tuple[Error, ...] = ()
    found: int = 0
    missed: int = 0
    spurious: int = 0


def load_labels(shared: Path) -> list[Labelled]:
    """The labelled documents of bench/metadata_labels.json."""
    docs = json.loads(LABELS.read_text(encoding="utf-8"))["documents"]
    return [_labelled(doc, shared) for doc in docs]


def _labelled(doc: dict[str, object], shared: Path) -> Labelled:
    expected = doc["expected"]
    assert isinstance(expected, dict)
    kind = str(doc["kind"])
    if "karlsruhe" in doc:
        source = doc["karlsruhe"]
        assert isinstance(source, dict)
        return Labelled(str(doc["id"]), kind, expected, line=int(source["line"]))
    return Labelled(str(doc["id"]), kind, expected, path=shared / str(doc["path"]))


def council_texts(shared: Path, lines: set[int]) -> dict[int, str]:
    """The Karlsruhe texts at the given 0-based lines of the corpus file."""
    texts = {}
    with gzip.open(shared / KARLSRUHE, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f):
            if number in lines:
                texts[number] = json.loads(line)["text"]
    return texts


def input_path(doc: Labelled, folder: Path, texts: dict[int, str]) -> Path:
    """The file to ingest: a corpus file, or a council text written as a .txt file."""
    if doc.path is not None:
        return doc.path
    path = folder / f"{doc.doc_id.replace('/', '_')}.txt"
    path.write_text(texts[doc.line], encoding="utf-8")
    return path


def extracted_fields(described: dict[str, Any]) -> dict[str, list[Found]]:
    """The machine's values per field, as ``findbuch show --json`` reports them."""
    return {
        name: [_found(item) for item in field["extracted"]]
        for name, field in described["metadata"].items()
    }


def _found(item: dict[str, Any]) -> Found:
    return Found(
        str(item["value"]),
        int(item["page"]),
        str(item["method"]),
        str(item.get("text", "")),
        str(item.get("kind", "")),
    )


def extract_all(
    docs: list[Labelled], shared: Path
) -> Iterator[tuple[Labelled, dict[str, list[Found]]]]:
    """Ingest every labelled document into a temporary home, as ``findbuch ingest`` does."""
    texts = council_texts(shared, {d.line for d in docs if d.path is None})
    with tempfile.TemporaryDirectory() as tmp:
        paths = [input_path(doc, Path(tmp), texts) for doc in docs]
        with DataHome(Settings(home=Path(tmp) / "home")) as home:
            for doc, result in zip(docs, home.ingest(paths), strict=True):
                print(f"bench: {doc.doc_id} {result.status}", file=sys.stderr, flush=True)
                if result.status == FAILED or result.doc_id is None:
                    sys.exit(f"bench: {doc.doc_id} nicht aufgenommen: {result.error}")
                yield doc, extracted_fields(home.describe(result.doc_id))


def fold(text: str) -> str:
    """Case, Unicode form and whitespace folded, for comparing names and values."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def fold_title(text: str) -> str:
    """Titles compared without punctuation and without hyphens of broken lines."""
    return " ".join(_NOT_WORD.sub(" ", _HYPHEN_BREAK.sub("", fold(text))).split())


def fold_person(text: str) -> str:
    """Names compared without academic titles."""
    return fold(_ACADEMIC.sub("", text.strip()))


def fold_reference(text: str) -> str:
    """References compared without spaces: ``(OB) 15`` and ``(OB)15`` are one."""
    return "".join(fold(text).split())


def alternatives(value: object) -> list[str]:
    """A label entry is one spelling or a list of accepted spellings."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def shown(value: str) -> str:
    """A value short enough for one table cell, with Markdown pipes escaped."""
    value = " ".join(value.split()) or NONE
    if len(value) > MAX_SHOWN:
        value = value[: MAX_SHOWN - 1] + "…"
    return value.replace("|", "\\|")


def compare_single(doc_id: str, field: str, expected: object, got: Found | None) -> Verdict:
    """One-value fields: an empty label demands no value; titles match by similarity."""
    accepted = alternatives(expected)
    if got is None:
        right = accepted == [""]
    elif field == "title":
        right = any(_similar(a, got.value) for a in accepted if a)
    else:
        right = any(fold(a) == fold(got.value) for a in accepted if a)
    if right:
        return Verdict(right=True)
    error = Error(
        doc_id,
        field,
        accepted[0],
        got.value if got else "",
        _method(got),
    )
    return Verdict(right=False, errors=(error,))


def _similar(expected: str, got: str) -> bool:
    ratio = difflib.SequenceMatcher(None, fold_title(expected), fold_title(got)).ratio()
    return ratio >= TITLE_SIMILARITY


def _method(found: Found | None) -> str:
    if found is None:
        return "nichts gefunden"
    kind = f" [{found.kind}]" if found.kind else ""
    where = f", S. {found.page}" if found.page else ""
    return f"{found.method}{kind}{where}"


def compare_items(
    doc_id: str,
    field: str,
    expected: Sequence[object],
    got: Sequence[Found],
    *,
    norm: Callable[[str], str],
    count_spurious: bool,
) -> Verdict:
    """List fields: each labelled entry found (recall), each other value spurious (precision)."""
    entries = [{norm(a) for a in alternatives(e)} for e in expected]
    matched: set[int] = set()
    extra = []
    for found in got:
        hits = [i for i, spellings in enumerate(entries) if norm(found.value) in spellings]
        matched.update(hits)
        if not hits and count_spurious:
            extra.append(Error(doc_id, field, NONE, found.value, _method(found)))
    missing = [
        Error(doc_id, field, alternatives(entry)[0], NONE, "nicht gefunden")
        for i, entry in enumerate(expected)
        if i not in matched
    ]
    right = not missing and not extra
    return Verdict(right, (*missing, *extra), len(matched), len(missing), len(extra))


def judge(doc: Labelled, found: dict[str, list[Found]]) -> dict[str, Verdict]:
    """Every labelled field of one document compared with the extractor's values."""
    verdicts = {
        field: compare_single(doc.doc_id, field, doc.expected[field], _first(found[field]))
        for field in SINGLE_FIELDS
        if doc.expected.get(field) is not None
    }
    norms = {"references": fold_reference, "persons": fold_person, "places": fold}
    complete = {"references": bool(doc.expected.get("references_complete"))}
    for field in LIST_FIELDS:
        expected = doc.expected.get(field)
        if isinstance(expected, list):
            verdicts[field] = compare_items(
                doc.doc_id,
                field,
                expected,
                found[field],
                norm=norms[field],
                count_spurious=complete.get(field, True),
            )
    return verdicts


def _first(values: list[Found]) -> Found | None:
    return values[0] if values else None


def tally(results: list[tuple[Labelled, dict[str, Verdict]]]) -> dict[tuple[str, str], Tally]:
    """Counts per (field, group) and per (field, "all")."""
    tallies: dict[tuple[str, str], Tally] = {}
    for doc, verdicts in results:
        for field, verdict in verdicts.items():
            for group in (doc.group, "all"):
                t = tallies.setdefault((field, group), Tally())
                t.scored += 1
                t.right += verdict.right
                t.found += verdict.found
                t.missed += verdict.missed
                t.spurious += verdict.spurious
    return tallies


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else NONE


def _cell(t: Tally | None) -> str:
    if t is None or not t.scored:
        return NONE
    mark = "" if t.right >= TARGET * t.scored else " ✗"
    return f"{t.right}/{t.scored} = {_share(t.right, t.scored)}{mark}"


def accuracy_table(tallies: dict[tuple[str, str], Tally], counts: dict[str, int]) -> list[str]:
    """Documents with the field exactly right, per field and document group."""
    head = " | ".join(f"{g} ({counts[g]})" for g in GROUPS)
    lines = [
        f"| field | all ({counts['all']} docs) | {head} |",
        "|---" * (len(GROUPS) + 2) + "|",
    ]
    for field in (*SINGLE_FIELDS, *LIST_FIELDS):
        cells = " | ".join(_cell(tallies.get((field, g))) for g in ("all", *GROUPS))
        lines.append(f"| {field} | {cells} |")
    return lines


def items_table(tallies: dict[tuple[str, str], Tally]) -> list[str]:
    """Recall and precision over the items of the list fields."""
    lines = [
        "| field | group | labelled | found | missed | spurious | recall | precision |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for field in LIST_FIELDS:
        for group in ("all", *GROUPS):
            t = tallies.get((field, group))
            if t is None:
                continue
            labelled = t.found + t.missed
            recall = _share(t.found, labelled)
            precision = _share(t.found, t.found + t.spurious)
            lines.append(
                f"| {field} | {group} | {labelled} | {t.found} | {t.missed} | {t.spurious} "
                f"| {recall} | {precision} |"
            )
    return lines


def error_table(results: list[tuple[Labelled, dict[str, Verdict]]]) -> list[str]:
    """Every error, by field, then document."""
    errors = [e for _, verdicts in results for v in verdicts.values() for e in v.errors]
    order = {f: i for i, f in enumerate((*SINGLE_FIELDS, *LIST_FIELDS))}
    errors.sort(key=lambda e: order[e.field])
    lines = [
        f"{len(errors)} errors.\n",
        "| document | field | expected | got | method |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {e.doc_id} | {e.field} | {shown(e.expected)} | {shown(e.got)} | {shown(e.method)} |"
        for e in errors
    ]
    return lines


def main() -> None:
    """Extract every labelled document, compare, print the tables and every error."""
    shared = require_shared()
    docs = load_labels(shared)
    results = [(doc, judge(doc, found)) for doc, found in extract_all(docs, shared)]
    counts = {"all": len(docs), **{g: sum(d.group == g for d in docs) for g in GROUPS}}
    tallies = tally(results)
    print(f"Machine: {machine()}")
    print("Command: .venv/bin/python -m bench.metadata")
    print(f"Labels: {LABELS.name} (rules in its 'about' key); target {TARGET:.0%} per field\n")
    print("Documents with the field right (✗ below target):\n")
    print("\n".join(accuracy_table(tallies, counts)))
    print("\nItems of the list fields (spurious references counted where all are labelled):\n")
    print("\n".join(items_table(tallies)))
    print("\n## Errors\n")
    print("\n".join(error_table(results)))


if __name__ == "__main__":
    main()
