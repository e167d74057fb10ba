"""Background ingestion of uploads on a real task queue: Huey, with its SQLite storage.

The web app stores an upload in the archive's inbox, records a job and enqueues its id; a
consumer (started by ``findbuch serve``) runs the ordinary ingest pipeline on it. The queue
file lives in the data home, and unfinished jobs are enqueued again at start-up, so uploads
survive a restart of the server.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from huey import SqliteHuey
from huey.api import Huey

from archive import Job
from findbuch.errors import FindbuchError
from findbuch.fields import read_field_value
from findbuch.home import Home
from findbuch.settings import Settings, load_settings
from ingest.pipeline import ADDED, DUPLICATE, ingest_paths

QUEUED, PROCESSING, DONE, FAILED = "queued", "processing", "done", "failed"
QUEUE_FILE = "queue.sqlite"
TASK_RETRIES = 2


def make_queue(settings: Settings) -> Huey:
    """The task queue of a data home, with the ingest task registered."""
    huey = SqliteHuey(name="findbuch", filename=str(settings.home / QUEUE_FILE), results=False)

    @huey.task(retries=TASK_RETRIES, retry_delay=2, name="ingest_upload")
    def ingest_upload(home: str, job_id: str) -> None:
        run_job(load_settings({"home": home}), job_id)

    huey.ingest_upload = ingest_upload
    return huey


def submit_upload(
    home: Home, queue: Huey, *, path: Path, file_name: str, metadata: dict[str, str], user: str
) -> Job:
    """Record a job for an upload already in the inbox and enqueue it."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    job = Job(
        job_id=uuid.uuid4().hex,
        file_name=file_name,
        inbox_path=str(path),
        metadata=metadata,
        status=QUEUED,
        submitted_by=user,
        submitted_at=now,
        updated_at=now,
    )
    home.archive.catalog.add_job(job)
    queue.ingest_upload(str(home.settings.home), job.job_id)
    return job


def requeue_unfinished(home: Home, queue: Huey) -> int:
    """Enqueue again every job a stopped server left queued or half done."""
    jobs = home.archive.catalog.jobs(unfinished=True, limit=100_000)
    for job in jobs:
        queue.ingest_upload(str(home.settings.home), job.job_id)
    return len(jobs)


def run_job(settings: Settings, job_id: str) -> None:
    """Ingest one uploaded file; record progress, the document or the error."""
    with Home(settings) as home:
        catalog = home.archive.catalog
        job = catalog.job(job_id)
        if job is None or job.status in (DONE, FAILED):
            return  # already handled (a retry or a requeue after restart)
        catalog.update_job(job_id, status=PROCESSING, pages_done=0)

        def on_page(_path: Path, done: int, total: int) -> None:
            catalog.update_job(job_id, pages_done=done, pages_total=total)

        [result] = list(ingest_paths([Path(job.inbox_path)], home, on_page=on_page))
        if result.status in (ADDED, DUPLICATE):
            _apply_metadata(home, result.doc_id, job)
            catalog.update_job(
                job_id,
                status=DONE,
                doc_id=result.doc_id,
                pages_done=result.pages,
                pages_total=result.pages,
                error="bereits im Archiv" if result.status == DUPLICATE else "",
            )
        else:
            catalog.update_job(job_id, status=FAILED, error=result.error or "unbekannter Fehler")
        shutil.rmtree(Path(job.inbox_path).parent, ignore_errors=True)


def _apply_metadata(home: Home, doc_id: str, job: Job) -> None:
    """What the uploader said about the file, recorded as their correction."""
    changes: dict[str, Any] = {}
    for name, raw in job.metadata.items():
        if raw:
            try:
                changes[name] = read_field_value(name, raw)
            except FindbuchError:
                continue  # checked when the form was submitted; skip what no longer reads
    if changes:
        home.correct(doc_id, changes, editor=job.submitted_by)
