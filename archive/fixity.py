"""Fixity: prove that every original is there, unaltered, and that nothing stray lies beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from archive.catalog import Catalog
from archive.store import INCOMING_PREFIX, OriginalStore, sha256_file

MISSING = "missing"
ALTERED = "altered"
ORPHAN = "orphan"
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class FixityProblem:
    """One thing wrong in the archive.

    Attributes:
        kind: ``missing`` (catalog row without file), ``altered`` (checksum differs),
            ``orphan`` (file without catalog row) or ``incomplete`` (half-written file).
        path: the file concerned, relative to the store.
        doc_id: the document concerned, where there is one.
        detail: what was expected and found.
    """

    kind: str
    path: str
    doc_id: str = ""
    detail: str = ""


@dataclass(frozen=True)
class FixityReport:
    """The outcome of a verification: how many documents were checked and what was wrong."""

    checked: int
    problems: tuple[FixityProblem, ...]


def verify_archive(
    catalog: Catalog,
    store: OriginalStore,
    progress: Callable[[Iterable[str]], Iterable[str]] = iter,
) -> FixityReport:
    """Recompute the SHA-256 of every original and look for files the catalog does not know.

    Args:
        catalog: the catalog to check against.
        store: the originals.
        progress: wraps the loop over document ids (a progress bar, for instance).
    """
    problems: list[FixityProblem] = []
    known: set[str] = set()
    doc_ids = catalog.document_ids()
    for doc_id in progress(doc_ids):
        doc = catalog.get(doc_id)
        path = store.path_for(doc.sha256)
        known.add(str(path.relative_to(store.root)))
        problems.extend(_check_original(doc_id, doc.sha256, path, store))
    problems.extend(_stray_files(store, known))
    return FixityReport(checked=len(doc_ids), problems=tuple(problems))


def _check_original(
    doc_id: str, sha256: str, path, store: OriginalStore
) -> Iterator[FixityProblem]:
    relative = str(path.relative_to(store.root))
    if not path.is_file():
        yield FixityProblem(MISSING, relative, doc_id, "Original fehlt")
        return
    actual = sha256_file(path)
    if actual != sha256:
        yield FixityProblem(ALTERED, relative, doc_id, f"erwartet {sha256}, gefunden {actual}")


def _stray_files(store: OriginalStore, known: set[str]) -> Iterator[FixityProblem]:
    if not store.root.is_dir():
        return
    for path in sorted(p for p in store.root.rglob("*") if p.is_file()):
        relative = str(path.relative_to(store.root))
        if path.name.startswith(INCOMING_PREFIX):
            yield FixityProblem(INCOMPLETE, relative, detail="unvollständig geschriebene Datei")
        elif relative not in known:
            yield FixityProblem(ORPHAN, relative, detail="Datei ohne Katalogeintrag")
