"""What a worker hands the writer: the document read from a job's file, or why it failed.

Results are files in the data home's ``results/`` folder, written atomically by the worker
(the data home is shared between machines) and removed by the writer once the catalog holds
them. So a result survives a restart of the writer, and a large one (the searchable PDF of a
thick scan) never travels through the broker. The files are pickles, as Huey's own messages
are: both are written only by Findbuch's processes inside the data home.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from archive import NewDocument
from archive.store import INCOMING_PREFIX, OriginalStore

RESULT_SUFFIX = ".result"


@dataclass(frozen=True)
class ExtractionResult:
    """A job's outcome: ``document`` when the file was read, else ``error`` in German."""

    job_id: str
    attempt: int
    worker: str
    document: NewDocument | None = None
    warnings: tuple[str, ...] = ()
    error: str = ""


def result_path(results_dir: Path, job_id: str) -> Path:
    """Where the result of ``job_id`` waits for the writer."""
    return results_dir / f"{job_id}{RESULT_SUFFIX}"


def write_result(results_dir: Path, result: ExtractionResult) -> None:
    """Hand a result over: it appears whole or not at all."""
    results_dir.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    OriginalStore.write_atomically(result_path(results_dir, result.job_id), lambda f: f.write(data))


def read_result(path: Path) -> ExtractionResult | None:
    """The result in ``path``, or ``None`` when it is gone (applied already)."""
    try:
        return pickle.loads(path.read_bytes())  # noqa: S301 - written by our workers, see above
    except FileNotFoundError:
        return None


def waiting_results(results_dir: Path) -> list[str]:
    """Job ids whose results wait, oldest first."""
    if not results_dir.is_dir():
        return []
    paths = [
        p
        for p in results_dir.iterdir()
        if p.name.endswith(RESULT_SUFFIX) and not p.name.startswith(INCOMING_PREFIX)
    ]
    paths.sort(key=lambda p: p.stat().st_mtime)
    return [p.name.removesuffix(RESULT_SUFFIX) for p in paths]
