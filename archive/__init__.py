"""The archive: originals byte for byte, their catalog records and page texts.

It is the source of truth; the search index is derived from it and can always be rebuilt.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO

from archive.catalog import READABLE, WITHDRAWN, WITHDRAWN_READABLE, Catalog, doc_id_for
from archive.models import (
    Correction,
    Derivative,
    Document,
    ExtractedValue,
    Job,
    JobBatch,
    NewDerivative,
    NewDocument,
    Page,
    User,
)
from archive.same_text_table import SameText
from archive.store import OriginalStore, sha256_file
from common.layout import HomeLayout

_UNSAFE = re.compile(r"[^\w.\- ]")
MAX_NAME_CHARS = 120


def safe_file_name(name: str) -> str:
    """A base name without path parts, control characters or leading dots, at most 120 chars."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    cleaned = _UNSAFE.sub("_", "".join(c for c in base if c.isprintable())).lstrip(". ")
    stem, dot, suffix = cleaned.rpartition(".")
    if dot and len(suffix) <= 5:
        return (stem[: MAX_NAME_CHARS - len(suffix) - 1] or "upload") + "." + suffix
    return cleaned[:MAX_NAME_CHARS] or "upload"


__all__ = [
    "READABLE",
    "WITHDRAWN",
    "WITHDRAWN_READABLE",
    "Archive",
    "Correction",
    "Derivative",
    "Document",
    "ExtractedValue",
    "Job",
    "JobBatch",
    "NewDerivative",
    "NewDocument",
    "Page",
    "SameText",
    "User",
    "doc_id_for",
    "safe_file_name",
    "sha256_file",
]


class Archive:
    """Originals plus catalog, opened on a data home."""

    def __init__(self, layout: HomeLayout, *, readonly: bool = False) -> None:
        self.catalog = Catalog(layout.catalog, readonly=readonly)
        self.store = OriginalStore(layout.originals)
        self.derivative_store = OriginalStore(layout.derivatives)
        self.inbox = layout.inbox

    def close(self) -> None:
        """Release the catalog connection."""
        self.catalog.close()

    def add(self, source: Path, new: NewDocument) -> Document:
        """Store original and derivatives, then record them; files land before catalog rows."""
        self.store.put(source, new.sha256)
        derivatives = tuple(
            Derivative(d.kind, d.media_type, self.derivative_store.put_bytes(d.data), len(d.data))
            for d in new.derivatives
        )
        return self.catalog.add(new, derivatives=derivatives)

    def receive(self, stream: BinaryIO, file_name: str) -> Path:
        """Keep an upload in the inbox until it is ingested; returns where it waits.

        The name is reduced to a safe base name: a hostile name never leaves the inbox.
        """
        folder = self.inbox / uuid.uuid4().hex
        folder.mkdir(parents=True)
        target = folder / safe_file_name(file_name)
        OriginalStore.write_atomically(target, lambda out: shutil.copyfileobj(stream, out))
        return target

    def derivative_path(self, doc_id: str, kind: str) -> Path | None:
        """Path of a document's derivative of this kind, or ``None`` when there is none."""
        for d in self.catalog.derivatives(doc_id):
            if d.kind == kind:
                return self.derivative_store.path_for(d.sha256)
        return None

    def original_path(self, doc: Document) -> Path:
        """Path of the stored original of ``doc``."""
        return self.store.path_for(doc.sha256)
