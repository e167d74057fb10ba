"""The archive: originals byte for byte, their catalog records and page texts.

It is the source of truth; the search index is derived from it and can always be rebuilt.
"""

from __future__ import annotations

from pathlib import Path

from archive.catalog import WITHDRAWN, Catalog, doc_id_for
from archive.models import (
    Correction,
    Derivative,
    Document,
    ExtractedValue,
    NewDerivative,
    NewDocument,
    Page,
)
from archive.store import OriginalStore, sha256_file

__all__ = [
    "WITHDRAWN",
    "Archive",
    "Correction",
    "Derivative",
    "Document",
    "ExtractedValue",
    "NewDerivative",
    "NewDocument",
    "Page",
    "doc_id_for",
    "sha256_file",
]


class Archive:
    """Originals plus catalog, opened on a data home."""

    def __init__(
        self,
        catalog_path: Path,
        originals_dir: Path,
        derivatives_dir: Path,
        *,
        readonly: bool = False,
    ) -> None:
        self.catalog = Catalog(catalog_path, readonly=readonly)
        self.store = OriginalStore(originals_dir)
        self.derivative_store = OriginalStore(derivatives_dir)

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

    def derivative_path(self, doc_id: str, kind: str) -> Path | None:
        """Path of a document's derivative of this kind, or ``None`` when there is none."""
        for d in self.catalog.derivatives(doc_id):
            if d.kind == kind:
                return self.derivative_store.path_for(d.sha256)
        return None

    def original_path(self, doc: Document) -> Path:
        """Path of the stored original of ``doc``."""
        return self.store.path_for(doc.sha256)
