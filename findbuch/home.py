"""A data home: the archive and the index derived from it, wired together."""

from __future__ import annotations

from archive import Archive, Document, Page
from findbuch.errors import DocumentNotFoundError
from findbuch.settings import Settings
from index import IndexDocument, SearchIndex, SearchResults


def index_document(doc: Document, pages: list[Page]) -> IndexDocument:
    """What the index is given for an archived document."""
    return IndexDocument(
        doc_id=doc.doc_id,
        sha256=doc.sha256,
        title=doc.title,
        date=doc.date,
        original_name=doc.original_name,
        pages=tuple((p.number, p.text) for p in pages),
    )


class Home:
    """Archive plus index of one data home. Readers open it with ``readonly=True``."""

    def __init__(self, settings: Settings, *, readonly: bool = False) -> None:
        self.settings = settings
        self.archive = Archive(settings.catalog_path, settings.originals_dir, readonly=readonly)
        self.index = SearchIndex(settings.index_dir)

    def close(self) -> None:
        """Release catalog and index."""
        self.archive.close()
        self.index.close()

    def __enter__(self) -> Home:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def document(self, doc_id: str) -> Document:
        """The document with this id.

        Raises:
            DocumentNotFoundError: no such document.
        """
        doc = self.archive.catalog.get(doc_id)
        if doc is None:
            raise DocumentNotFoundError(f"Kein Dokument mit der Kennung {doc_id!r} im Archiv.")
        return doc

    def pages(self, doc_id: str) -> list[Page]:
        """The pages of a document, in order."""
        return self.archive.catalog.pages(doc_id)

    def search(self, query: str, *, limit: int = 20) -> SearchResults:
        """Search the index; snippets are cut from the archive's page texts."""
        return self.index.search(query, limit=limit, page_text=self.archive.catalog.page_text)

    def reindex(self) -> int:
        """Rebuild the index from the archive alone; returns the number of documents."""
        catalog = self.archive.catalog
        return self.index.rebuild(
            index_document(doc, catalog.pages(doc.doc_id)) for doc in catalog.documents()
        )

    def ensure_index(self) -> bool:
        """Rebuild the index if it was written with another schema; returns whether it was."""
        if not self.index.needs_rebuild:
            return False
        self.reindex()
        return True
