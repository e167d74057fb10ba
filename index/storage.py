"""Index files read through memory maps, shared by every searcher, thread and process.

whoosh3 reads a compound segment by copying each file it opens into memory (``BytesIO`` over
the mmap), once per searcher; the server keeps a searcher per thread, and at 100,000 pages that
was 19 GB of RSS (bench/RESULTS.md). Segments are therefore written as separate files and
opened as read-only memory maps: the operating system's page cache holds them once.
"""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class MappedFileStorage(FileStorage):
    """A Whoosh file storage whose files are read through ``mmap``."""

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        """Open an index file for reading, mapped into memory (empty files are opened plainly)."""
        with Path(self._fpath(name)).open("rb") as f:
            if not f.seek(0, 2):
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return StructFile(mapped, name=name, **kwargs)
