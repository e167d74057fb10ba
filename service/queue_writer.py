"""The single writer of queued ingestion: applies workers' results to catalog and index.

Exactly one writer runs per data home (a lock file says which), on the machine whose local
disk holds the index: Whoosh's lock relies on local file locking. It applies results one at
a time, idempotently (a document already in the catalog is not stored or indexed again, so a
job read twice after a worker was given up counts once), and commits the index in batches.
It also watches the jobs: a job whose worker fell silent for ``worker_lease`` seconds is
queued again, and after ``job_attempts`` tries it fails visibly.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from archive import Job
from archive.models import utc_now
from common.errors import BusyError, FindbuchError
from common.fields import read_field_value
from common.settings import Settings
from ingest.handoff import ExtractionResult, read_result, result_path, waiting_results
from ingest.pipeline import FAILED
from ingest.queue import DONE, PROCESSING, QUEUED, Queues, WriteAnswer, remove_inbox_folder
from service.home import DataHome

log = logging.getLogger("findbuch.writer")
WATCH_EVERY_S = 1.0
IDLE_WAIT_S = 0.2


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the data home's writer lock.

    Raises:
        FindbuchError: another process is the writer.
    """
    settings.home.mkdir(parents=True, exist_ok=True)
    with settings.layout.writer_lock.open("a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            f.seek(0)
            holder = f.read().strip() or "unbekannt"
            raise BusyError(
                f"Für dieses Datenverzeichnis schreibt bereits ein anderer Prozess ({holder})."
            ) from e
        f.truncate(0)
        f.write(f"{os.uname().nodename}:{os.getpid()}\n")
        f.flush()
        yield


class QueueWriter:
    """Applies results and watches jobs; ``run`` until ``stop`` is set."""

    def __init__(self, home: DataHome, queues: Queues) -> None:
        self.home = home
        self.queues = queues
        self.catalog = home.archive.catalog
        self.settings = home.settings
        self.recorder = home.recorder
        self._last_watch = 0.0
        self._last_lost_check = time.monotonic()
        self._suspects: dict[str, float] = {}
        queues.writer_handler = self

    def run(self, stop: threading.Event) -> None:
        """Recover what a previous writer left, then apply notices until stopped."""
        self.recover()
        try:
            while not stop.is_set():
                task = self.queues.writer.dequeue()
                if task is not None:
                    self.queues.writer.execute(task)
                if task is None:
                    self.recorder.commit()
                else:
                    self.recorder.commit_if_due()
                if time.monotonic() - self._last_watch >= WATCH_EVERY_S:
                    self.watch()
                if task is None:
                    stop.wait(IDLE_WAIT_S)
        finally:
            self.recorder.commit()

    # Notices from workers -------------------------------------------------------------

    def started(self, job_id: str, worker: str, attempt: int) -> None:
        """A worker took a job up."""
        job = self.catalog.job(job_id)
        if job is None or job.status not in (QUEUED, PROCESSING):
            return
        self._suspects.pop(job_id, None)
        self.catalog.update_job(
            job_id,
            status=PROCESSING,
            worker=worker,
            attempts=max(job.attempts, attempt),
            started_at=job.started_at or utc_now(),
            pages_done=0,
        )

    def finished(self, job_id: str) -> None:
        """A worker handed a result over: apply it."""
        self.apply(job_id)

    def correct(self, request_id: str, doc_id: str, changes: dict[str, Any], editor: str) -> None:
        """A web request asks for corrections (or a withdrawal): record them, and answer."""
        try:
            recorded = self.recorder.correct(doc_id, changes, editor=editor)
            answer = WriteAnswer(recorded=len(recorded))
        except FindbuchError as e:
            answer = WriteAnswer(error=e.message)
        self.queues.answer(request_id, answer)

    def separate(self, request_id: str, doc_id: str, other: str, editor: str) -> None:
        """A web request undoes a same-text match: record it, and answer (1: a match held)."""
        try:
            answer = WriteAnswer(recorded=int(self.recorder.separate(doc_id, other, editor=editor)))
        except FindbuchError as e:
            answer = WriteAnswer(error=e.message)
        self.queues.answer(request_id, answer)

    # Applying results -------------------------------------------------------------------

    def apply(self, job_id: str) -> None:
        """Apply one waiting result, once: a result for a finished job is dropped."""
        path = result_path(self.settings.layout.results, job_id)
        result = read_result(path)
        if result is None:
            return
        job = self.catalog.job(job_id)
        if job is not None and job.status in (QUEUED, PROCESSING):
            if result.error:
                self._fail(job, result.error)
            else:
                self._store(job, result)
        path.unlink(missing_ok=True)
        self.queues.forget_beat(job_id)

    def _store(self, job: Job, result: ExtractionResult) -> None:
        new = result.document
        doc = self.recorder.known(new.sha256)
        note = ""
        if doc is not None:
            note = "bereits im Archiv"
            self.recorder.ensure_indexed(doc)
        elif not (self.settings.home / job.inbox_path).is_file():
            self._fail(job, "Die Datei ist nicht mehr im Eingang (inbox/) des Archivs.")
            return
        else:
            doc = self.recorder.store(
                self.settings.home / job.inbox_path,
                new,
                corrections=_uploader_metadata(job),
                editor=job.submitted_by,
            )
        self.catalog.update_job(
            job.job_id,
            status=DONE,
            doc_id=doc.doc_id,
            pages_done=doc.page_count,
            pages_total=doc.page_count,
            error="; ".join((note, *result.warnings)).strip("; "),
            finished_at=utc_now(),
        )
        remove_inbox_folder(self.settings, job.inbox_path)
        log.info("Auftrag %s: Dokument %s (%s)", job.job_id, doc.doc_id, job.file_name)

    def _fail(self, job: Job, error: str) -> None:
        self.catalog.update_job(job.job_id, status=FAILED, error=error, finished_at=utc_now())
        remove_inbox_folder(self.settings, job.inbox_path)
        log.warning("Auftrag %s (%s) fehlgeschlagen: %s", job.job_id, job.file_name, error)

    # Watching jobs ----------------------------------------------------------------------

    def recover(self) -> None:
        """Mend what a stopped writer left: waiting results, unindexed documents, lost jobs."""
        for job_id in waiting_results(self.settings.layout.results):
            self.apply(job_id)
        self.recorder.mend_unindexed()
        self.watch(lost_after=0.0)

    def watch(self, *, lost_after: float | None = None) -> None:
        """Record progress of running jobs; queue again those given up; pick up lost results."""
        self._last_watch = time.monotonic()
        lease = self.settings.worker_lease
        now = time.time()
        for job_id in waiting_results(self.settings.layout.results):
            self.apply(job_id)  # a notice may have been lost with a restarted writer
        for job in self.catalog.jobs(status=PROCESSING, limit=100_000):
            beat = self.queues.last_beat(job.job_id)
            if beat is not None and now - beat.at <= lease:
                if (beat.pages_done, beat.pages_total) != (job.pages_done, job.pages_total):
                    self.catalog.update_job(
                        job.job_id, pages_done=beat.pages_done, pages_total=beat.pages_total
                    )
            elif not result_path(self.settings.layout.results, job.job_id).exists():
                self._requeue(job, f"Worker {job.worker} antwortet nicht mehr")
        if lost_after is not None or time.monotonic() - self._last_lost_check >= lease:
            self._requeue_lost(lease if lost_after is None else lost_after)

    def _requeue_lost(self, after: float) -> None:
        """Queued jobs that no queue carries (taken by a worker killed before it beat)."""
        self._last_lost_check = time.monotonic()
        queued = self.catalog.jobs(status=QUEUED, limit=1_000_000)
        if not queued:
            self._suspects.clear()
            return
        waiting = self.queues.waiting_job_ids()
        now = time.monotonic()
        for job in queued:
            if job.job_id in waiting or self.queues.last_beat(job.job_id) is not None:
                self._suspects.pop(job.job_id, None)
                continue
            first_seen = self._suspects.setdefault(job.job_id, now)
            if now - first_seen >= after:
                self._suspects.pop(job.job_id)
                self._requeue(job, "nicht mehr in der Warteschlange")

    def _requeue(self, job: Job, reason: str) -> None:
        if job.attempts >= self.settings.job_attempts:
            error = (
                f"abgebrochen nach {job.attempts} Versuchen: {reason} "
                "(Datei zu groß oder Worker abgestürzt?)"
            )
            self._fail(job, error)
            return
        log.warning("Auftrag %s (%s) erneut eingereiht: %s", job.job_id, job.file_name, reason)
        self.queues.forget_beat(job.job_id)
        self.catalog.update_job(job.job_id, status=QUEUED, pages_done=0)
        self.queues.enqueue(job, attempt=job.attempts + 1)


def _uploader_metadata(job: Job) -> dict[str, Any]:
    """What the uploader said about the file, recorded as their correction."""
    changes: dict[str, Any] = {}
    for name, raw in job.metadata.items():
        if raw:
            try:
                changes[name] = read_field_value(name, raw)
            except FindbuchError:
                continue  # checked when the form was submitted; skip what no longer reads
    return changes


def run_writer(settings: Settings, queues: Queues, stop: threading.Event) -> None:
    """Be the data home's writer until ``stop`` is set; the caller holds ``writer_lock``."""
    with DataHome(settings) as home:
        home.ensure_index()
        QueueWriter(home, queues).run(stop)


@contextmanager
def ingestion_service(settings: Settings, *, worker: bool) -> Iterator[Queues]:
    """The writer, and with ``worker`` one worker, in threads of this process (``serve``).

    When another process is already the writer (``findbuch worker --writer``), only the
    worker runs here.
    """
    queues = Queues(settings)
    stop = threading.Event()
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(writer_lock(settings))
        except FindbuchError as e:
            log.warning("%s Dieser Prozess reiht nur ein.", e.message)
        else:
            thread = threading.Thread(
                target=run_writer, args=(settings, queues, stop), name="writer", daemon=True
            )
            thread.start()
            stack.callback(thread.join)
            stack.callback(stop.set)
        if worker:
            consumer = queues.work.create_consumer(
                workers=1, worker_type="thread", initial_delay=0.1, backoff=1.15, max_delay=1.0
            )
            consumer.start()
            stack.callback(consumer.stop, graceful=True)
        yield queues
