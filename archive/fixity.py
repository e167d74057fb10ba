"""Fixity: prove that every original and derivative is there, unaltered, and nothing stray."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

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
        path: the file concerned, relative to the data home.
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
    stores: tuple[OriginalStore, OriginalStore],
    progress: Callable[[Iterable[str]], Iterable[str]] = iter,
) -> FixityReport:
    """Recompute the SHA-256 of every original and derivative; find files nobody knows.

    Args:
        catalog: the catalog to check against.
        stores: the originals and the derivatives.
        progress: wraps the loop over document ids (a progress bar, for instance).
    """
    originals, derivatives = stores
    problems: list[FixityProblem] = []
    known: set[Path] = set()
    doc_ids = catalog.document_ids()
    for doc_id in progress(doc_ids):
        files = [(originals, catalog.get(doc_id).sha256, "Original")]
        files += [(derivatives, d.sha256, d.kind) for d in catalog.derivatives(doc_id)]
        for store, sha256, what in files:
            path = store.path_for(sha256)
            known.add(path)
            problems.extend(_check_file(doc_id, sha256, path, store, what))
    for store in stores:
        problems.extend(_stray_files(store, known))
    return FixityReport(checked=len(doc_ids), problems=tuple(problems))


def _check_file(
    doc_id: str, sha256: str, path: Path, store: OriginalStore, what: str
) -> Iterator[FixityProblem]:
    relative = str(path.relative_to(store.root.parent))
    if not path.is_file():
        yield FixityProblem(MISSING, relative, doc_id, f"{what} fehlt")
        return
    actual = sha256_file(path)
    if actual != sha256:
        detail = f"{what}: erwartet {sha256}, gefunden {actual}"
        yield FixityProblem(ALTERED, relative, doc_id, detail)


def _stray_files(store: OriginalStore, known: set[Path]) -> Iterator[FixityProblem]:
    if not store.root.is_dir():
        return
    for path in sorted(p for p in store.root.rglob("*") if p.is_file()):
        relative = str(path.relative_to(store.root.parent))
        if path.name.startswith(INCOMING_PREFIX):
            yield FixityProblem(INCOMPLETE, relative, detail="unvollständig geschriebene Datei")
        elif path not in known:
            yield FixityProblem(ORPHAN, relative, detail="Datei ohne Katalogeintrag")
