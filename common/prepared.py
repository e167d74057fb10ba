"""Tables built once from slow sources and kept beside the compiled code (#18).

Reading Debian's word list into sets, or GeoNames' cities into a gazetteer, cost a few tenths
of a second each in every ``ingest`` of one file. Such a table is built once, marshalled into
``common/__pycache__`` under a name made of a digest of everything it is built from and the
Python version (marshal's format is Python's), and loaded from there afterwards: a changed
source or Python makes a new file, a damaged one is rebuilt, and where the folder cannot be
written the table is simply built each time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

CACHE_DIR = Path(__file__).with_name("__pycache__")


def prepared_path(cache_dir: Path, name: str, sources: Iterable[bytes]) -> Path:
    """Where the table ``name`` built from ``sources`` is kept."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(hashlib.sha256(source).digest())
    return cache_dir / f"{name}-{digest.hexdigest()[:16]}.{sys.implementation.cache_tag}.marshal"


def prepared(path: Path, build: Callable[[], Any]) -> Any:
    """The table kept at ``path``; built by ``build`` (and kept) when it is not there yet."""
    try:
        # S302: the file is ours, beside the compiled code Python trusts as much.
        return marshal.loads(path.read_bytes())  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):  # not prepared yet, or damaged
        table = build()
        _write(path, marshal.dumps(table))
        return table


def _write(path: Path, data: bytes) -> None:
    """Write atomically; a folder that cannot be written leaves the table unprepared."""
    try:
        path.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name)
    except OSError:
        return
    try:
        os.fchmod(handle, 0o644)  # as readable as the compiled code beside it
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        Path(temporary).replace(path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
