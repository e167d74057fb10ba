"""The archive: originals byte for byte, their catalog records and page texts.

It is the source of truth; the search index is derived from it and can always be rebuilt.
"""

from __future__ import annotations

from pathlib import Path

from archive.catalog import WITHDRAWN, Catalog, doc_id_for
from archive.models import Correction, Document, ExtractedValue, NewDocument, Page
from archive.store import OriginalStore, sha256_file

__all__ = [
    "WITHDRAWN",
    "Archive",
    "Correction",
    "Document",
    "ExtractedValue",
    "NewDocument",
    "Page",
    "doc_id_for",
    "sha256_file",
]


class Archive:
    """Originals plus catalog, opened on a data home."""

    def __init__(self, catalog_path: Path, originals_dir: Path, *, readonly: bool = False) -> None:
        self.catalog = Catalog(catalog_path, readonly=readonly)
        self.store = OriginalStore(originals_dir)

    def close(self) -> None:
        """Release the catalog connection."""
        self.catalog.close()

    def add(self, source: Path, new: NewDocument) -> Document:
        """Store the original and record it; the file lands before its catalog row."""
        self.store.put(source, new.sha256)
        return self.catalog.add(new)

    def original_path(self, doc: Document) -> Path:
        """Path of the stored original of ``doc``."""
        return self.store.path_for(doc.sha256)
