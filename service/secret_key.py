"""The web app's signing secret: made on first run and kept in the data home, never in code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from common.errors import FindbuchError
from common.layout import HomeLayout


def ensure_secret_key(home: Path) -> None:
    """Create the secret (readable by the owner only) unless it exists."""
    path = HomeLayout(home).secret_key
    if path.is_file():
        return
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))


def read_secret_key(home: Path) -> str:
    """The secret of this data home.

    Raises:
        FindbuchError: there is none yet (``findbuch serve`` makes it).
    """
    path = HomeLayout(home).secret_key
    if not path.is_file():
        raise FindbuchError(f"{path} fehlt; „findbuch serve“ legt ihn beim ersten Start an.")
    return path.read_text().strip()
