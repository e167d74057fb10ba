"""A data home: the archive and the index derived from it, wired together."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from archive import (
    READABLE,
    WITHDRAWN,
    WITHDRAWN_READABLE,
    Archive,
    Correction,
    Document,
    Page,
    SameText,
)
from archive.export import export_bag, import_bag
from archive.fixity import FixityReport, verify_archive
from archive.papers import papers_for
from common.errors import DocumentNotFoundError, UsageError
from common.fields import FIELDS, LIST_FIELDS
from common.settings import Settings
from index import RELEVANCE, Filters, SearchBackend, SearchResults, open_index
from ingest import IngestResult, PageProgress, ingest_paths
from service.recorder import Recorder
from service.same_text import fold_same_text


def results_json(results: SearchResults) -> dict[str, Any]:
    """A result list as JSON-ready data: ``search --json`` and ``/api/search`` alike."""
    return {
        "query": results.query,
        "total": results.total,
        "offset": results.offset,
        "hits": [
            {**asdict(h), "pages": list(h.pages), "same_text": list(getattr(h, "same_text", ()))}
            for h in results.hits
        ],
        "facets": {name: [list(v) for v in values] for name, values in results.facets.items()},
        "suggestion": results.suggestion,
        "notice": results.notice,
    }


def withdrawal(reason: str, *, readable: bool = False) -> dict[str, str]:
    """The correction that withdraws a document with this reason.

    A withdrawn document is read by archivists only, unless ``readable`` (a superseded
    version, a duplicate): then everyone may still read it by its id, only search omits it.

    Raises:
        UsageError: no reason given.
    """
    if not reason.strip():
        raise UsageError("Bitte einen Grund für das Zurückziehen angeben.")
    return {WITHDRAWN: reason.strip(), WITHDRAWN_READABLE: READABLE if readable else ""}


# Makes a withdrawn document searchable (and readable) again.
REINSTATEMENT = {WITHDRAWN: "", WITHDRAWN_READABLE: ""}


class DataHome:
    """Archive plus index of one data home. Readers open it with ``readonly=True``.

    Every write goes through ``recorder``, the data home's one write path.
    """

    def __init__(self, settings: Settings, *, readonly: bool = False) -> None:
        self.settings = settings
        self.archive = Archive(settings.layout, readonly=readonly)
        self.index: SearchBackend = open_index(settings.layout.index)
        self.recorder = Recorder(self.archive, self.index)

    def close(self) -> None:
        """Release catalog and index."""
        self.archive.close()
        self.index.close()

    def __enter__(self) -> DataHome:
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
        effective = {name: [] for name in LIST_FIELDS} | doc.field_values()
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
            "withdrawn_readable": doc.withdrawn_readable,
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
            "same_text": [
                {"doc_id": m.other, "similarity": round(m.similarity, 2), "found_at": m.found_at}
                for m in catalog.same_text(doc_id)
            ],
            "pages": [asdict(p) for p in self.pages(doc_id)],
        }

    def pages(self, doc_id: str) -> list[Page]:
        """The pages of a document, in order."""
        return self.archive.catalog.pages(doc_id)

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str = RELEVANCE,
        filters: Filters = Filters(),  # noqa: B008 - frozen, so one shared default is safe
    ) -> SearchResults:
        """Search the index, each text once; snippets are cut from the archive's page texts.

        A hit carries in ``same_text`` the other searchable files with its text.
        """
        return fold_same_text(
            lambda n: self.index.search(
                query,
                limit=n,
                offset=0,
                sort=sort,
                filters=filters,
                page_text=self.archive.catalog.page_text,
            ),
            self.same_text_links,
            limit=limit,
            offset=offset,
        )

    def same_text(self, doc_id: str, *, separated: bool = False) -> list[SameText]:
        """The documents holding the same text as this one (withdrawn ones too)."""
        return self.archive.catalog.same_text(doc_id, separated=separated)

    def same_text_links(self, doc_ids: list[str]) -> dict[str, set[str]]:
        """Per document, the searchable documents holding the same text."""
        links = self.archive.catalog.same_text_links(doc_ids)
        others = set().union(*links.values()) if links else set()
        hidden = {o for o in others if (d := self.archive.catalog.get(o)) is None or d.withdrawn}
        return {doc_id: found - hidden for doc_id, found in links.items()}

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

    def ingest(
        self, paths: Iterable[Path], *, on_page: PageProgress | None = None
    ) -> Iterator[IngestResult]:
        """Ingest files and folders into this home, one result per file in input order."""
        try:
            yield from ingest_paths(paths, self.settings, self.recorder, on_page=on_page)
        finally:
            self.recorder.commit()

    def reindex(self) -> int:
        """Rebuild the index from the archive alone; returns the number of documents."""
        return self.recorder.rebuild()

    def correct(
        self, doc_id: str, changes: dict[str, str | list[str]], *, editor: str
    ) -> list[Correction]:
        """Correct metadata fields; the index follows at once. Returns the recorded changes."""
        self.document(doc_id)
        return self.recorder.correct(doc_id, changes, editor=editor)

    def withdraw(self, doc_id: str, *, reason: str, editor: str, readable: bool = False) -> None:
        """Hide a document from search, keeping it in the archive, with the reason recorded."""
        self.correct(doc_id, withdrawal(reason, readable=readable), editor=editor)

    def reinstate(self, doc_id: str, *, editor: str) -> None:
        """Make a withdrawn document searchable again."""
        self.correct(doc_id, REINSTATEMENT, editor=editor)

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
                self.recorder.ensure_indexed(self.document(doc_id))
        self.recorder.commit()
        return results

    def warm(self) -> None:
        """Read the index's shared tables now rather than in the first searches (a server)."""
        self.index.warm()

    def ensure_index(self) -> bool:
        """Rebuild the index if it was written with another schema; returns whether it was."""
        if not self.index.needs_rebuild:
            return False
        self.reindex()
        return True
