"""Keeps an archive in step with a council's OParl server: papers, their files and metadata.

Per page of the paper list: each paper is checked against the schema and recorded with its
consultations; its new or changed files are downloaded and ingested through the normal
ingestion (``DataHome.ingest``: PDF text layer, OCR for scans, duplicates by SHA-256). What OParl
states about a file is recorded before the file is ingested, so its first index entry already
carries it. Every step is recorded as it is done, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive import doc_id_for, safe_file_name
from archive.paper_rows import DONE, FAILED, FileRow
from archive.papers import papers_for
from ingest.oparl.client import OParlClient, OParlError
from ingest.oparl.mapping import consultation_row, file_rows, organization_url, paper_row
from ingest.oparl.mapping import stated_metadata as _stated_metadata
from ingest.oparl.schema import schema_errors
from ingest.oparl.walker import ListWalk, fetch_object, find_bodies, walk_list
from ingest.pipeline import ADDED, DUPLICATE
from service.home import DataHome

EDITOR = "OParl-Import"
DOWNLOADS = "oparl-downloads"
# Files ingested together by default: one worker pool and one index commit for this many, so
# that small list pages do not pay the pool's start each; a kill loses at most their downloads.
BATCH_FILES = 24


@dataclass(frozen=True)
class ImportEvent:
    """Something the caller may show: a paper done, a file done, a problem, the list's size.

    Attributes:
        kind: ``total``, ``paper``, ``file`` or ``problem``.
        subject: the OParl id or URL concerned.
        message: what went wrong (problems, failed files), in German.
        reference: the paper's reference.
        status: for files ``added``, ``duplicate`` or ``failed``.
        doc_id: the document a file became.
        pages: its pages.
        total: for ``total``: papers the server announces (or ``None``).
    """

    kind: str
    subject: str = ""
    message: str = ""
    reference: str = ""
    status: str = ""
    doc_id: str = ""
    pages: int = 0
    total: int | None = None


@dataclass
class ImportReport:
    """Counts of one run, for the summary line and ``--json``."""

    bodies: int = 0
    papers_imported: int = 0
    papers_unchanged: int = 0
    papers_deleted: int = 0
    papers_invalid: int = 0
    files_added: int = 0
    files_duplicate: int = 0
    files_failed: int = 0
    pages: int = 0
    problems: int = 0
    requests: int = 0
    complete: list[str] = field(default_factory=list)


def import_oparl(
    home: DataHome,
    client: OParlClient,
    url: str,
    *,
    body: str | None = None,
    since: str = "",
    batch_files: int = BATCH_FILES,
    on_event: Callable[[ImportEvent], None] = lambda _: None,
) -> ImportReport:
    """Import (or bring up to date) the papers of the bodies at an OParl System or Body URL.

    Args:
        home: the data home to write to.
        client: the HTTP client (rate, retries, timeouts).
        url: a System or Body URL.
        body: only this body (its id or last path segment).
        since: only papers modified since this ISO date-time; default: since the last complete
            run for that body (everything on the first run).
        batch_files: files downloaded and then ingested together.
        on_event: called for every paper, file and problem.
    """
    sync = _Sync(home, client, on_event, batch_files)
    for found in find_bodies(client, url, body, sync.problem):
        sync.report.bodies += 1
        sync.run_body(found, since)
    sync.report.requests = client.requests
    return sync.report


class _Sync:
    """One run: caches of meetings and organizations, the documents to re-index."""

    def __init__(
        self,
        home: DataHome,
        client: OParlClient,
        emit: Callable[[ImportEvent], None],
        batch_files: int,
    ) -> None:
        self.home = home
        self.batch_files = batch_files
        self.client = client
        self.emit = emit
        self.papers = papers_for(home.archive.catalog)
        self.report = ImportReport()
        self.downloads = home.settings.home / DOWNLOADS
        self._objects: dict[str, dict | None] = {}
        self._reindex: set[str] = set()
        self._attempted: set[tuple[str, str]] = set()

    def problem(self, subject: str, message: str) -> None:
        self.report.problems += 1
        self.emit(ImportEvent("problem", subject=subject, message=message))

    def run_body(self, body: dict[str, Any], since: str) -> None:
        """Walk a body's paper list (new and modified only), then retry what failed before."""
        started = datetime.now(UTC).isoformat(timespec="seconds")
        since = since or self.papers.last_sync(body["id"])
        params = {"modified_since": since} if since else {}
        for done in self.papers.done_files(body["id"]):  # what this version states more of
            self._restate(done.sha256)
        walk = ListWalk()
        announced = False
        pending: list[FileRow] = []
        for page in walk_list(self.client, body["paper"], params, self.problem, walk):
            if not announced:
                self.emit(ImportEvent("total", subject=body["id"], total=page.total))
                announced = True
            pending += [f for paper in page.items for f in self._take_paper(body, paper)]
            if len(pending) >= self.batch_files:
                self._fetch(pending)
                pending = []
        self._fetch(pending)
        self._fetch(self.papers.unfinished_files(body["id"]))
        self.papers.record_sync(body["id"], body.get("name", ""), started=started,
                                complete=walk.complete)  # fmt: skip
        if walk.complete:
            self.report.complete.append(body["id"])

    def _take_paper(self, body: dict[str, Any], paper: Any) -> list[FileRow]:
        """Record a paper and its consultations; returns its files still to fetch."""
        errors = schema_errors(paper, "Paper")
        name = paper.get("id", "") if isinstance(paper, dict) else ""
        if errors or not isinstance(paper.get("id"), str):
            self.report.papers_invalid += 1
            self.problem(name or "Vorlage ohne id", "ungültige Vorlage übersprungen: "
                         + "; ".join(errors or ["Feld „id“ fehlt"]))  # fmt: skip
            return []
        row = paper_row(paper, body)
        if row.deleted:
            self.report.papers_deleted += 1
            self.papers.mark_deleted(row.paper_id, body["id"], row.modified)
            self.emit(ImportEvent("paper", subject=row.paper_id, status="deleted"))
            return []
        known = self.papers.paper(row.paper_id)
        files = file_rows(paper)
        if known == row and all(f.status == DONE for f in self.papers.files(row.paper_id)):
            self.report.papers_unchanged += 1
            self.emit(ImportEvent("paper", subject=row.paper_id, reference=row.reference,
                                  status="unchanged"))  # fmt: skip
            return []
        consultations = [self._consultation(c) for c in paper.get("consultation", [])]
        self.papers.save_paper(row, consultations)
        self.papers.sync_files(row.paper_id, files)
        self.report.papers_imported += 1
        self.emit(ImportEvent("paper", subject=row.paper_id, reference=row.reference,
                              status="imported"))  # fmt: skip
        stored = self.papers.files(row.paper_id)
        for f in stored:
            if f.status == DONE:  # metadata may have changed: state it anew
                self._restate(f.sha256)
        return [f for f in stored if f.status != DONE]

    def _consultation(self, consultation: dict[str, Any]) -> Any:
        meeting = self._object(consultation.get("meeting"), "Meeting")
        organization = self._object(organization_url(consultation, meeting), "Organization")
        return consultation_row(consultation, meeting, organization)

    def _object(self, url: Any, expected: str) -> dict | None:
        """A linked object, fetched once per run; ``None`` (reported) when it cannot be had."""
        if not isinstance(url, str) or not url:
            return None
        if url not in self._objects:
            self._objects[url] = fetch_object(self.client, url, expected, self.problem)
        return self._objects[url]

    def _fetch(self, rows: list[FileRow]) -> None:
        """Download files, ingest them in one batch, link them to their documents."""
        downloaded: list[tuple[FileRow, Path, str]] = []
        for row in rows:
            if (row.paper_id, row.file_id) in self._attempted:  # failed earlier in this run
                continue
            self._attempted.add((row.paper_id, row.file_id))
            copy = self.papers.done_copy(row.file_id, row.modified)
            if copy is not None:  # the same file, already fetched for another paper
                self.papers.set_file(row.paper_id, row.file_id, sha256=copy.sha256, status=DONE,
                                     error="")  # fmt: skip
                self._restate(copy.sha256)
                self._file_event(row, DUPLICATE, copy.sha256)
                continue
            target = self._download_path(row)
            try:
                sha256 = self.client.download(row.download_url or row.access_url, target)
            except OParlError as e:
                self._failed(row, e.message)
                continue
            self._restate(sha256, extra=replace(row, sha256=sha256))
            downloaded.append((row, target, sha256))
        # All of the batch first: its index commit comes at the end, and a file counts as done
        # only once it is searchable (a kill before that makes the next run index it).
        results = list(self.home.ingest([path for _, path, _ in downloaded]))
        for (row, path, sha256), result in zip(downloaded, results, strict=True):
            shutil.rmtree(path.parent, ignore_errors=True)
            if result.status not in (ADDED, DUPLICATE):
                self._failed(row, f"Datei nicht lesbar: {result.error}")
                continue
            self.papers.set_file(row.paper_id, row.file_id, sha256=sha256, status=DONE, error="")
            if row.sha256 and row.sha256 != sha256:
                self._supersede(row.sha256, sha256)
            self._file_event(row, result.status, sha256, pages=result.pages)
        for sha256 in {sha256 for _, _, sha256 in downloaded}:  # links made in this batch
            self._restate(sha256)
        self._flush_index()

    def _download_path(self, row: FileRow) -> Path:
        folder = hashlib.sha256(row.file_id.encode()).hexdigest()[:16]
        return self.downloads / folder / safe_file_name(row.file_name or "datei.pdf")

    def _failed(self, row: FileRow, message: str) -> None:
        self.papers.set_file(row.paper_id, row.file_id, status=FAILED, error=message)
        self.report.files_failed += 1
        self.emit(ImportEvent("file", subject=row.file_id, message=message, status=FAILED,
                              reference=self._reference(row)))  # fmt: skip

    def _file_event(self, row: FileRow, status: str, sha256: str, pages: int = 0) -> None:
        if status == ADDED:
            self.report.files_added += 1
            self.report.pages += pages
        else:
            self.report.files_duplicate += 1
        event = ImportEvent("file", subject=row.file_id, status=status, pages=pages,
                            doc_id=doc_id_for(sha256), reference=self._reference(row))  # fmt: skip
        self.emit(event)

    def _reference(self, row: FileRow) -> str:
        paper = self.papers.paper(row.paper_id)
        return paper.reference if paper else ""

    def _restate(self, sha256: str, extra: FileRow | None = None) -> None:
        """State anew what OParl says about these bytes; an indexed document is re-indexed."""
        if not sha256:
            return
        entries = self.papers.files_with(sha256)
        if extra is not None and all(e.file_id != extra.file_id for e in entries):
            entries.append(extra)
        links = [(p, e) for e in entries if (p := self.papers.paper(e.paper_id)) is not None]
        source = links[0][0].paper_id if links else ""
        doc_id = doc_id_for(sha256)
        consultations = {p.paper_id: self.papers.consultations(p.paper_id) for p, _ in links}
        changed = self.papers.set_stated(doc_id, _stated_metadata(links, consultations), source)
        if changed and self.home.archive.catalog.get(doc_id) is not None:
            self._reindex.add(doc_id)

    def _supersede(self, old_sha256: str, new_sha256: str) -> None:
        """Withdraw the former version of a changed file when no paper lists it any more."""
        old = doc_id_for(old_sha256)
        if self.papers.files_with(old_sha256) or self.home.archive.catalog.get(old) is None:
            return
        reason = (
            f"Im Ratsinformationssystem durch eine neue Fassung ersetzt: {doc_id_for(new_sha256)}"
        )
        self.home.withdraw(old, reason=reason, editor=EDITOR, readable=True)
        self._reindex.discard(old)

    def _flush_index(self) -> None:
        """Re-index, in one commit, the documents whose stated metadata changed."""
        self.home.recorder.refresh(sorted(self._reindex))
        self._reindex.clear()
