"""A data home: the archive and the index derived from it, wired together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from archive import WITHDRAWN, Archive, Correction, Document, Page
from archive.export import export_bag, import_bag
from archive.fixity import FixityReport, verify_archive
from archive.papers import papers_for
from findbuch.errors import DocumentNotFoundError, FindbuchError
from findbuch.fields import FIELDS, LIST_FIELDS
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
        doc_type=doc.doc_type,
        issuer=doc.issuer,
        references=tuple(doc.lists.get("references", ())),
        persons=tuple(doc.lists.get("persons", ())),
        places=tuple(doc.lists.get("places", ())),
    )


def results_json(results: SearchResults) -> dict[str, Any]:
    """A result list as JSON-ready data: ``search --json`` and ``/api/search`` alike."""
    return {
        "query": results.query,
        "total": results.total,
        "offset": results.offset,
        "hits": [{**asdict(h), "pages": list(h.pages)} for h in results.hits],
        "facets": {name: [list(v) for v in values] for name, values in results.facets.items()},
        "suggestion": results.suggestion,
    }


class Home:
    """Archive plus index of one data home. Readers open it with ``readonly=True``."""

    def __init__(self, settings: Settings, *, readonly: bool = False) -> None:
        self.settings = settings
        self.archive = Archive(
            settings.catalog_path,
            settings.originals_dir,
            settings.derivatives_dir,
            readonly=readonly,
        )
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

    def describe(self, doc_id: str) -> dict[str, Any]:
        """Everything about a document as JSON-ready data: ``show --json`` and the API.

        Each metadata field gives its effective value, whether it was corrected, and every
        value the machine extracted with page and method.
        """
        doc = self.document(doc_id)
        catalog = self.archive.catalog
        extracted: dict[str, list[dict[str, Any]]] = {name: [] for name in FIELDS}
        for v in catalog.extracted(doc_id):
            item = asdict(v)
            extracted[item.pop("field")].append(item)
        effective = {
            "title": doc.title,
            "date": doc.date,
            "type": doc.doc_type,
            "issuer": doc.issuer,
            "note": doc.note,
        }
        effective.update({name: doc.lists.get(name, []) for name in LIST_FIELDS})
        stated = papers_for(catalog).sources(doc_id)
        return {
            "doc_id": doc.doc_id,
            "sha256": doc.sha256,
            "original_name": doc.original_name,
            "media_type": doc.media_type,
            "size": doc.size,
            "ingested_at": doc.ingested_at,
            "page_count": doc.page_count,
            "withdrawn": doc.withdrawn,
            **effective,
            "metadata": {
                name: {
                    "value": effective[name],
                    "corrected": name in doc.corrected,
                    "extracted": extracted[name],
                    "stated": stated.get(name, ""),  # the OParl object it comes from
                }
                for name in FIELDS
            },
            "papers": papers_for(catalog).papers_of_document(doc_id),
            "corrections": [asdict(c) for c in catalog.corrections(doc_id)],
            "derivatives": [asdict(d) for d in catalog.derivatives(doc_id)],
            "pages": [asdict(p) for p in self.pages(doc_id)],
        }

    def pages(self, doc_id: str) -> list[Page]:
        """The pages of a document, in order."""
        return self.archive.catalog.pages(doc_id)

    def search(
        self, query: str, *, limit: int = 20, offset: int = 0, sort: str = "relevance"
    ) -> SearchResults:
        """Search the index; snippets are cut from the archive's page texts."""
        return self.index.search(
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            page_text=self.archive.catalog.page_text,
        )

    def highlighted_pages(self, doc_id: str, query: str) -> dict[int, str]:
        """The pages of a document that a query matches, with the matches marked (HTML-safe)."""
        pages = {p.number: p.text for p in self.pages(doc_id)}
        return self.index.highlight_pages(doc_id, query, pages)

    def similar(self, doc_id: str, *, limit: int = 5) -> SearchResults:
        """Documents like this one."""
        text = "\n".join(p.text for p in self.pages(doc_id))
        return self.index.similar(
            doc_id, text, limit=limit, page_text=self.archive.catalog.page_text
        )

    def reindex(self) -> int:
        """Rebuild the index from the archive alone; returns the number of documents."""
        catalog = self.archive.catalog
        return self.index.rebuild(
            index_document(doc, catalog.pages(doc.doc_id))
            for doc in catalog.documents()
            if not doc.withdrawn
        )

    def correct(
        self, doc_id: str, changes: dict[str, str | list[str]], *, editor: str
    ) -> list[Correction]:
        """Correct metadata fields; the index follows at once. Returns the recorded changes."""
        self.document(doc_id)
        recorded = self.archive.catalog.correct(doc_id, changes, editor=editor)
        self.reindex_document(doc_id)
        return recorded

    def withdraw(self, doc_id: str, *, reason: str, editor: str) -> None:
        """Hide a document from search, keeping it in the archive, with the reason recorded."""
        if not reason.strip():
            raise FindbuchError("Bitte einen Grund für das Zurückziehen angeben.")
        self.correct(doc_id, {WITHDRAWN: reason.strip()}, editor=editor)

    def reinstate(self, doc_id: str, *, editor: str) -> None:
        """Make a withdrawn document searchable again."""
        self.correct(doc_id, {WITHDRAWN: ""}, editor=editor)

    def verify(self, progress: Callable[[Iterable[str]], Iterable[str]] = iter) -> FixityReport:
        """Check every original against its checksum and look for stray files."""
        stores = (self.archive.store, self.archive.derivative_store)
        return verify_archive(self.archive.catalog, stores, progress)

    def export(self, doc_ids: list[str], target: Path) -> int:
        """Export documents (all when none are named) as a BagIt bag."""
        ids = doc_ids or self.archive.catalog.document_ids()
        return export_bag(self.archive, ids, target)

    def import_bag(self, source: Path) -> list[tuple[str, str]]:
        """Import a bag; the added documents are indexed at once."""
        results = import_bag(self.archive, source)
        for doc_id, status in results:
            if status == "added":
                self.reindex_document(doc_id)
        return results

    def reindex_document(self, doc_id: str) -> None:
        """Bring one document's index entries in line with the archive."""
        doc = self.document(doc_id)
        if doc.withdrawn:
            self.index.remove(doc_id)
            return
        with self.index.writer() as writer:
            writer.add(index_document(doc, self.pages(doc_id)))

    def ensure_index(self) -> bool:
        """Rebuild the index if it was written with another schema; returns whether it was."""
        if not self.index.needs_rebuild:
            return False
        self.reindex()
        return True
