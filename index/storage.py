"""Index files read through memory maps, one map per file shared by every searcher of a process.

whoosh3 reads a compound segment by copying each file it opens into memory (``BytesIO`` over
the mmap), once per searcher; the server keeps a searcher per thread, and at 100,000 pages that
was 19 GB of RSS (bench/RESULTS.md). Segments are therefore written as separate files and
read through read-only memory maps. Each file is mapped once per process: mapped again by
each of a server process's 8 threads, the same page-cache pages counted 8 times in its RSS.
Every reader keeps its own position over the shared map, so threads never move each other's.
"""

from __future__ import annotations

import mmap
import os
import threading
import weakref
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

_maps: weakref.WeakValueDictionary[tuple[str, int, int, int], _SharedMap] = (
    weakref.WeakValueDictionary()
)
_maps_lock = threading.Lock()


class _SharedMap:
    """One read-only map of an index file; unmapped when its last reader is gone."""

    __slots__ = ("__weakref__", "data")

    def __init__(self, data: mmap.mmap) -> None:
        self.data = data


class _MapReader:
    """A file over a shared map with a position of its own (what StructFile reads from)."""

    def __init__(self, shared: _SharedMap) -> None:
        self._shared: _SharedMap | None = shared  # keeps the map alive while this is open
        self._data = shared.data
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes from the position (all that is left when negative)."""
        start = self._pos
        end = len(self._data) if size is None or size < 0 else min(start + size, len(self._data))
        self._pos = max(start, end)
        return self._data[start:end]

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the position; returns how many bytes were read."""
        data = self.read(len(memoryview(buffer).cast("B")))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        """Up to and including the next newline."""
        end = self._data.find(b"\n", self._pos)
        end = len(self._data) if end == -1 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        return self.read(end - self._pos)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the position, as a file's ``seek`` does."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._data)}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        """The position."""
        return self._pos

    def close(self) -> None:
        """Forget the map; it is unmapped once no reader holds it."""
        self._data = b""
        self._shared = None


class _MappedFile(StructFile):
    """Whoosh's structured file over a shared map; random reads slice the map directly."""

    def get(self, position: int, length: int) -> bytes:
        """``length`` bytes at ``position``, without moving the position."""
        return self.file._data[position : position + length]


class MappedFileStorage(FileStorage):
    """A Whoosh file storage whose files are read through shared ``mmap``s."""

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        """Open an index file for reading over its map (empty files are opened plainly)."""
        path = Path(self._fpath(name))
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            if not info.st_size:
                return super().open_file(name, **kwargs)
            # Index files are never changed in place; the key still tells a new file by the name.
            key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
            with _maps_lock:
                shared = _maps.get(key)
                if shared is None:
                    shared = _maps[key] = _SharedMap(
                        mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                    )
        return _MappedFile(_MapReader(shared), name=name, **kwargs)
