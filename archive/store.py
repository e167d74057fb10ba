"""Content-addressed store of originals: one read-only file per SHA-256, written atomically."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
# Copies in progress; a file with this prefix left behind was interrupted.
INCOMING_PREFIX = ".incoming-"


def sha256_file(path: Path) -> str:
    """Hash a file in chunks, so that huge files never sit in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class OriginalStore:
    """Originals live at ``root/ab/abcdef…`` and are never modified after they are written."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        """Where the original with this digest lives; refuses anything but a hex digest."""
        if not _SHA256_HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put_bytes(self, data: bytes) -> str:
        """Store bytes under their SHA-256 (atomically, idempotently); returns the digest."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha256)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            self.write_atomically(target, lambda out: out.write(data))
        return sha256

    def put(self, source: Path, sha256: str) -> Path:
        """Copy ``source`` into the store under ``sha256``, atomically and idempotently.

        The copy goes to a temporary file in the target directory, is fsynced and then renamed,
        so a crash leaves either no file or the whole file, never a partial one.
        """
        target = self.path_for(sha256)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as src:
            self.write_atomically(target, lambda out: shutil.copyfileobj(src, out, _CHUNK))
        return target

    @staticmethod
    def write_atomically(target: Path, write: Callable[[BinaryIO], object]) -> None:
        """Write to a temporary file beside ``target``, fsync, then rename: all or nothing."""
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=INCOMING_PREFIX)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            tmp.chmod(0o444)
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable by syncing the directory entry."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
