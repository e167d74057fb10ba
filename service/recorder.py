"""The one write path of a data home: archive a document, index it in batches, mend the gaps.

In-process ingest, the queue's writer, reindexing, ``check --repair`` and metadata corrections
all write through a ``Recorder``, so storing, batching index commits and the repair
"archived but not yet indexed" exist once. An index commit costs 0.3-0.5 s
(research/whoosh.md), so new documents are committed every ``COMMIT_EVERY_DOCS`` documents or
``COMMIT_EVERY_S`` seconds; a crash in between is mended by ``mend_unindexed`` on the next run.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from archive import Archive, Correction, Document, NewDocument, Page
from archive.paper_rows import COMMITTEES, MAIN_FILE_OF, PAPER_TYPES
from archive.papers import papers_for
from common.errors import DocumentNotFoundError
from index import IndexDocument, SearchBackend
from ingest.fingerprint import (
    CANDIDATE,
    MAX_DIFFERING,
    differing_share,
    fingerprint,
    similarity,
    words_of,
)

COMMIT_EVERY_DOCS = 25
COMMIT_EVERY_S = 10.0


class Recorder:
    """Writes documents to the archive and the index; one per writing process."""

    def __init__(self, archive: Archive, index: SearchBackend) -> None:
        self.archive = archive
        self.index = index
        self._pending: dict[str, IndexDocument] = {}
        self._papers = papers_for(archive.catalog)
        self._last_commit = time.monotonic()

    def _entry(self, doc: Document, pages: Iterable[Page]) -> IndexDocument:
        """What the index is given for an archived document."""
        facts = self._papers.index_facts(doc.doc_id)
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
            paper_types=tuple(facts[PAPER_TYPES]),
            committees=tuple(facts[COMMITTEES]),
            main_file_of=tuple(facts[MAIN_FILE_OF]),
        )

    def known(self, sha256: str) -> Document | None:
        """The archived document with these bytes, if any."""
        return self.archive.catalog.get_by_sha256(sha256)

    def store(
        self,
        path: Path,
        new: NewDocument,
        *,
        corrections: dict[str, str | list[str]] | None = None,
        editor: str = "",
    ) -> Document:
        """Archive a file read into ``new`` (with the uploader's ``corrections``); index it soon."""
        doc = self.archive.add(path, new)
        self.match_same_text(doc.doc_id, [p.text for p in new.pages])
        if corrections:
            self.archive.catalog.correct(doc.doc_id, corrections, editor=editor)
            doc = self.archive.catalog.get(doc.doc_id) or doc
        self._pending[doc.doc_id] = self._entry(doc, new.pages)
        return doc

    def match_same_text(self, doc_id: str, texts: list[str]) -> dict[str, float]:
        """Fingerprint a stored document and record the documents holding the same text.

        Candidates come from the fingerprint; each is decided by aligning the words of both
        texts. Returns the matches (id: share of words alike); none for a text too short.
        """
        found = fingerprint(texts)
        if found is None:
            return {}
        catalog = self.archive.catalog
        bands = found.bands()
        words = words_of("\n".join(texts))
        matches = {}
        for other, signature in catalog.fingerprint_candidates(doc_id, bands).items():
            if similarity(found.signature, signature) >= CANDIDATE:
                other_words = words_of("\n".join(p.text for p in catalog.pages(other)))
                differing = differing_share(words, other_words)
                if differing <= MAX_DIFFERING:
                    matches[other] = 1 - differing
        catalog.add_fingerprint(doc_id, found.signature, found.words, bands)
        catalog.add_same_text(doc_id, matches)
        return matches

    def ensure_indexed(self, doc: Document) -> None:
        """Index an archived document that a killed run left out of the index."""
        if not doc.withdrawn and not self.index.has_document(doc.doc_id):
            self._pending.setdefault(
                doc.doc_id, self._entry(doc, self.archive.catalog.pages(doc.doc_id))
            )

    def unindexed(self) -> list[str]:
        """Searchable documents missing from the index."""
        return sorted(self._searchable() - self.index.document_ids())

    def stray(self) -> list[str]:
        """Index entries of documents that are gone or withdrawn."""
        return sorted(self.index.document_ids() - self._searchable())

    def mend_unindexed(self) -> list[str]:
        """Index every searchable document missing from the index, now; returns their ids."""
        missing = self.unindexed()
        for doc_id in missing:
            self.ensure_indexed(self._document(doc_id))
        self.commit()
        return missing

    def remove_stray(self) -> list[str]:
        """Remove index entries of documents that are gone or withdrawn; returns their ids."""
        stray = self.stray()
        for doc_id in stray:
            self.index.remove(doc_id)
        return stray

    def separate(self, doc_id: str, other: str, *, editor: str) -> bool:
        """Undo a wrong same-text match (recorded with editor and time); whether one held.

        Raises:
            DocumentNotFoundError: no such document.
        """
        self._document(doc_id)
        return self.archive.catalog.separate(doc_id, other, editor=editor)

    def correct(
        self, doc_id: str, changes: dict[str, str | list[str]], *, editor: str
    ) -> list[Correction]:
        """Record corrections (``withdrawn`` among them); the index follows at once.

        Raises:
            DocumentNotFoundError: no such document.
        """
        self._document(doc_id)
        recorded = self.archive.catalog.correct(doc_id, changes, editor=editor)
        doc = self._document(doc_id)
        if doc.withdrawn:
            self._pending.pop(doc_id, None)
            self.index.remove(doc_id)
        else:
            self._pending[doc_id] = self._entry(doc, self.archive.catalog.pages(doc_id))
            self.commit()
        return recorded

    def refresh(self, doc_ids: list[str]) -> None:
        """Index documents again whose metadata changed (withdrawn ones stay out), in one commit."""
        for doc_id in doc_ids:
            doc = self.archive.catalog.get(doc_id)
            if doc is not None and not doc.withdrawn:
                self._pending[doc_id] = self._entry(doc, self.archive.catalog.pages(doc_id))
        self.commit()

    def rebuild(self) -> int:
        """Rebuild the index from the archive alone; returns the number of documents.

        Documents archived before texts were fingerprinted are fingerprinted first, so an
        upgraded home finds its same-text files as a new one does.
        """
        self._pending.clear()
        catalog = self.archive.catalog
        for doc_id in catalog.without_fingerprint():
            self.match_same_text(doc_id, [p.text for p in catalog.pages(doc_id)])
        return self.index.rebuild(
            self._entry(doc, catalog.pages(doc.doc_id))
            for doc in catalog.documents()
            if not doc.withdrawn
        )

    def commit_if_due(self) -> None:
        """Commit when enough documents wait or the last commit is long enough ago."""
        due = time.monotonic() - self._last_commit > COMMIT_EVERY_S
        if len(self._pending) >= COMMIT_EVERY_DOCS or (self._pending and due):
            self.commit()

    def commit(self) -> None:
        """Make every stored document searchable: one index commit for the batch."""
        if self._pending:
            with self.index.writer() as writer:
                for doc in self._pending.values():
                    writer.add(doc)
            self._pending.clear()
        self._last_commit = time.monotonic()

    def _searchable(self) -> set[str]:
        return {d.doc_id for d in self.archive.catalog.documents() if not d.withdrawn}

    def _document(self, doc_id: str) -> Document:
        doc = self.archive.catalog.get(doc_id)
        if doc is None:
            raise DocumentNotFoundError(f"Kein Dokument mit der Kennung {doc_id!r} im Archiv.")
        return doc
