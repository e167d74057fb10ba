"""Consistency of a data home: originals, catalog and index agree, and nothing is half-written.

A killed ingest can leave a half-written file (``.incoming-*``), an original stored without its
catalog row, or a document catalogued but not yet in the index. ``check`` finds these and, with
``repair``, mends them: half-written files are removed, stray files are moved to ``lost+found``
(never deleted), missing documents are indexed and index entries without a document removed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from archive.fixity import INCOMPLETE, MISSING, ORPHAN
from common.layout import HomeLayout
from service.home import DataHome

NOT_INDEXED = "not_indexed"
NOT_IN_CATALOG = "not_in_catalog"
INDEX_LOCKED = "index_locked"


@dataclass(frozen=True)
class Inconsistency:
    """One thing that does not agree.

    Attributes:
        kind: ``incomplete``, ``orphan``, ``missing`` (from fixity), ``not_indexed``,
            ``not_in_catalog`` or ``index_locked``.
        subject: the file (relative to the home) or document id concerned.
        detail: what is wrong, in words.
        repaired: what ``--repair`` did about it, or empty.
    """

    kind: str
    subject: str
    detail: str
    repaired: str = ""


def check_home(home: DataHome, *, repair: bool = False) -> list[Inconsistency]:
    """Find (and with ``repair`` mend) what does not agree between files, catalog and index."""
    found: list[Inconsistency] = []
    root = home.settings.home
    for problem in home.verify().problems:
        if problem.kind not in (INCOMPLETE, ORPHAN, MISSING):
            continue  # altered files are for 'verify' and an archivist, never repaired here
        repaired = (
            _set_aside(root, problem.path, delete=problem.kind == INCOMPLETE)
            if (repair and problem.kind != MISSING)
            else ""
        )
        found.append(Inconsistency(problem.kind, problem.path, problem.detail, repaired))
    found.extend(_index_against_catalog(home, repair=repair))
    if not home.index.writable_now():
        found.append(
            Inconsistency(INDEX_LOCKED, "index", "Ein anderer Prozess schreibt den Index.")
        )
    return found


def _set_aside(root: Path, relative: str, *, delete: bool) -> str:
    path = root / relative
    if delete:
        path.unlink(missing_ok=True)
        return "entfernt"
    lost_and_found = HomeLayout(root).lost_and_found
    target = lost_and_found / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(path, target)
    return f"nach {lost_and_found.name}/ verschoben"


def _index_against_catalog(home: DataHome, *, repair: bool) -> list[Inconsistency]:
    recorder = home.recorder
    missing, stray = recorder.unindexed(), recorder.stray()
    if repair:
        recorder.mend_unindexed()
        recorder.remove_stray()
    found = [
        Inconsistency(NOT_INDEXED, doc_id, "Dokument fehlt im Index", "indexiert" if repair else "")
        for doc_id in missing
    ]
    detail = "Index enthält ein Dokument, das nicht (mehr) durchsuchbar sein soll"
    found.extend(
        Inconsistency(NOT_IN_CATALOG, doc_id, detail, "aus dem Index entfernt" if repair else "")
        for doc_id in stray
    )
    return found
