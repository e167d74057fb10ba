"""Ingestion jobs on a real task queue (Huey): work for many workers, notices for one writer.

Two Huey queues share one backend: ``findbuch`` carries extraction work (read a file waiting in
the archive's inbox) to every worker, ``findbuch-writer`` carries notices (a job started, a
result is ready) to the single writer (``service.queue_writer``). The backend is Huey's SQLite
storage in the data home by default, needing no server; with ``broker_url`` set it is Redis, and the
same jobs run on workers on other machines that mount the data home.

Huey has no acknowledgements: a task taken by a worker that is then killed is gone from the
queue. So the catalog's job table is the record of what is owed, workers send a heartbeat
while they read (kept in Huey's key-value store), and the writer enqueues again every job whose
worker fell silent.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from archive import Archive, Job, sha256_file
from archive.models import utc_now
from common.errors import InputFileError
from common.settings import Settings
from ingest.document import check_readable, printable_name
from ingest.pipeline import DUPLICATE, FAILED, IngestResult

QUEUED, PROCESSING, DONE = "queued", "processing", "done"
WORK_QUEUE, WRITER_QUEUE = "findbuch", "findbuch-writer"
# How often a web request looks for the writer's answer to the write it asked for.
ANSWER_POLL_S = 0.05
# Huey retries a task that raised (not a file that cannot be read: that is a result).
TASK_RETRIES = 2


@dataclass(frozen=True)
class Beat:
    """A worker's sign of life for one job, with its progress."""

    worker: str
    attempt: int
    at: float
    pages_done: int = 0
    pages_total: int = 0


@dataclass(frozen=True)
class WriteAnswer:
    """What the writer answers to a write asked of it: changes recorded, or why not."""

    recorded: int = 0
    error: str = ""


class WriterHandler(Protocol):
    """What the writer does with the notices on its queue."""

    def started(self, job_id: str, worker: str, attempt: int) -> None: ...  # noqa: D102
    def finished(self, job_id: str) -> None: ...  # noqa: D102
    def correct(  # noqa: D102
        self, request_id: str, doc_id: str, changes: dict[str, Any], editor: str
    ) -> None: ...
    def separate(  # noqa: D102
        self, request_id: str, doc_id: str, other: str, editor: str
    ) -> None: ...


class Queues:
    """The two queues of a data home and the tasks on them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.work = _huey(settings, WORK_QUEUE)
        self.writer = _huey(settings, WRITER_QUEUE)
        self.writer_handler: WriterHandler | None = None

        @self.work.task(retries=TASK_RETRIES, retry_delay=2, name="extract", context=True)
        def extract(job_id: str, inbox_path: str, attempt: int, task: Any = None) -> None:
            from ingest.worker import extract_job  # the worker side imports OCR and PDF code

            extract_job(self, job_id, inbox_path, attempt, retries_left=task.retries)

        @self.writer.task(name="started")
        def started(job_id: str, worker: str, attempt: int) -> None:
            self._handler().started(job_id, worker, attempt)

        @self.writer.task(name="finished")
        def finished(job_id: str) -> None:
            self._handler().finished(job_id)

        @self.writer.task(name="correct")
        def correct(request_id: str, doc_id: str, changes: dict[str, Any], editor: str) -> None:
            self._handler().correct(request_id, doc_id, changes, editor)

        @self.writer.task(name="separate")
        def separate(request_id: str, doc_id: str, other: str, editor: str) -> None:
            self._handler().separate(request_id, doc_id, other, editor)

        self.extract: Callable[..., Any] = extract
        self.notify_started: Callable[..., Any] = started
        self.notify_finished: Callable[..., Any] = finished
        self._correct: Callable[..., Any] = correct
        self._separate: Callable[..., Any] = separate

    def _handler(self) -> WriterHandler:
        if self.writer_handler is None:
            raise RuntimeError("Nachrichten an den Schreibdienst nimmt nur der Schreibdienst an.")
        return self.writer_handler

    def enqueue(self, job: Job, attempt: int) -> None:
        """Put a job (again) on the work queue."""
        self.extract(job.job_id, job.inbox_path, attempt)

    def beat(self, job_id: str, beat: Beat) -> None:
        """Record that a worker is alive and how far it got."""
        self.work.put(f"beat:{job_id}", beat)

    def last_beat(self, job_id: str) -> Beat | None:
        """The latest sign of life for a job."""
        return self.work.get(f"beat:{job_id}", peek=True)

    def forget_beat(self, job_id: str) -> None:
        """Drop a finished job's heartbeat."""
        self.work.delete(f"beat:{job_id}")

    def request_correction(self, doc_id: str, changes: dict[str, Any], *, editor: str) -> str:
        """Ask the writer to record corrections (a withdrawal among them); returns the request."""
        request_id = uuid.uuid4().hex
        self._correct(request_id, doc_id, changes, editor)
        return request_id

    def request_separation(self, doc_id: str, other: str, *, editor: str) -> str:
        """Ask the writer to undo a same-text match of two documents; returns the request."""
        request_id = uuid.uuid4().hex
        self._separate(request_id, doc_id, other, editor)
        return request_id

    def answer(self, request_id: str, answer: WriteAnswer) -> None:
        """The writer's answer to a request (kept until it is read)."""
        self.writer.put(f"answer:{request_id}", answer)

    def wait_for_answer(self, request_id: str, *, timeout: float) -> WriteAnswer | None:
        """The writer's answer, or ``None`` when it did not come within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.writer.get(f"answer:{request_id}")
            if answer is not None or time.monotonic() > deadline:
                return answer
            time.sleep(ANSWER_POLL_S)

    def waiting_job_ids(self) -> set[str]:
        """Jobs on the work queue, waiting or scheduled for a retry."""
        tasks = [*self.work.pending(), *self.work.scheduled()]
        return {task.args[0] for task in tasks if task.name == "extract" and task.args}


def _huey(settings: Settings, name: str) -> Huey:
    if settings.broker_url:
        return RedisHuey(name=name, url=settings.broker_url, results=False)
    settings.home.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name=name, filename=str(settings.layout.queue), results=False)


def new_batch() -> str:
    """An id shared by the jobs submitted together."""
    return uuid.uuid4().hex[:12]


def submit_job(
    archive: Archive,
    queues: Queues,
    *,
    path: Path,
    file_name: str,
    metadata: dict[str, str],
    user: str,
    batch: str,
) -> Job:
    """Record a job for a file already in the inbox and enqueue it.

    The inbox path is kept relative to the data home: workers on other machines may mount it
    elsewhere.
    """
    now = utc_now()
    root = queues.settings.home.resolve()
    inbox_path = path.resolve()
    job = Job(
        job_id=uuid.uuid4().hex,
        file_name=file_name,
        inbox_path=str(inbox_path.relative_to(root) if inbox_path.is_relative_to(root) else path),
        metadata=metadata,
        status=QUEUED,
        submitted_by=user,
        submitted_at=now,
        updated_at=now,
        batch=batch,
    )
    archive.catalog.add_job(job)
    queues.enqueue(job, attempt=1)
    return job


def enqueue_files(
    archive: Archive, queues: Queues, files: Iterable[Path], *, user: str
) -> Iterator[IngestResult]:
    """Copy files into the inbox and queue them; files already archived are not queued.

    Yields one result per file: queued (with its job), failed, or already archived.
    """
    batch = new_batch()
    catalog = archive.catalog
    for path in files:
        try:
            check_readable(path, queues.settings)
            existing = catalog.get_by_sha256(sha256_file(path))
            if existing is None:
                with path.open("rb") as f:
                    inbox = archive.receive(f, path.name)
        except InputFileError as e:
            yield IngestResult(path=str(path), status=FAILED, error=e.message)
            continue
        except OSError as e:
            yield IngestResult(path=str(path), status=FAILED, error=f"nicht lesbar ({e.strerror})")
            continue
        if existing is not None:
            yield IngestResult(
                path=str(path), status=DUPLICATE, doc_id=existing.doc_id, sha256=existing.sha256
            )
            continue
        job = submit_job(
            archive,
            queues,
            path=inbox,
            file_name=printable_name(path),
            metadata={},
            user=user,
            batch=batch,
        )
        yield IngestResult(path=str(path), status=QUEUED, job_id=job.job_id)


def remove_inbox_folder(settings: Settings, inbox_path: str) -> None:
    """Remove a job's inbox folder once its file is archived or refused."""
    folder = (settings.home / inbox_path).parent
    if folder.parent == settings.layout.inbox:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def worker_name() -> str:
    """How a worker process shows up in job lists: host and process id."""
    return f"{os.uname().nodename}:{os.getpid()}"
