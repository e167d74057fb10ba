"""The worker side of queued ingestion: read a job's file, hand the result to the writer.

A worker only reads the shared data home (the file in the inbox) and writes its result file;
it never opens the catalog or the index, so it can run on any machine that mounts the home.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

from findbuch.errors import InputFileError, MissingDependencyError
from findbuch.settings import Settings
from ingest.handoff import ExtractionResult, write_result
from ingest.pipeline import read_document
from ingest.queue import Beat, Queues, worker_name

log = logging.getLogger("findbuch.worker")
# Beats per lease: a worker is given up only after missing several in a row.
BEATS_PER_LEASE = 5


class Heartbeat:
    """Tells the writer, every few seconds and after every page, that a job is being read."""

    def __init__(self, queues: Queues, job_id: str, attempt: int) -> None:
        self.queues = queues
        self.job_id = job_id
        self.beat = Beat(worker_name(), attempt, time.time())
        self.interval = max(queues.settings.worker_lease / BEATS_PER_LEASE, 0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"beat-{job_id}", daemon=True)
        self._lock = threading.Lock()

    def __enter__(self) -> Heartbeat:
        self._send()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def page(self, _path: Path, done: int, total: int) -> None:
        """Progress after a page was read."""
        self.beat = replace(self.beat, pages_done=done, pages_total=total)
        self._send()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._send()

    def _send(self) -> None:
        with self._lock:
            self.queues.beat(self.job_id, replace(self.beat, at=time.time()))


def extract_job(
    queues: Queues, job_id: str, inbox_path: str, attempt: int, *, retries_left: int
) -> None:
    """Read the file of one job and hand the document, or the reason it failed, to the writer.

    A file that cannot be read is a result (the job fails with that reason); anything else
    that goes wrong is raised for Huey to retry, and reported as the job's error on the last try.
    """
    settings = queues.settings
    with Heartbeat(queues, job_id, attempt) as heartbeat:
        queues.notify_started(job_id, heartbeat.beat.worker, attempt)
        try:
            document, warnings = read_document(
                settings.home / inbox_path, settings, on_page=heartbeat.page
            )
            result = ExtractionResult(job_id, attempt, heartbeat.beat.worker, document, warnings)
            log.info("Auftrag %s gelesen: %d Seite(n)", job_id, len(document.pages))
        except InputFileError as e:
            result = ExtractionResult(job_id, attempt, heartbeat.beat.worker, error=e.message)
            log.warning("Auftrag %s: %s", job_id, e.message)
        except MissingDependencyError:
            raise
        except Exception as e:
            if retries_left:
                raise
            log.warning("Auftrag %s: unerwarteter Fehler", job_id, exc_info=e)
            error = "Datei nicht lesbar (unerwarteter Fehler; Einzelheiten im Worker-Protokoll)."
            result = ExtractionResult(job_id, attempt, heartbeat.beat.worker, error=error)
        write_result(settings.results_dir, result)
    queues.notify_finished(job_id)


def run_worker(settings: Settings, *, processes: int, workdir: Path | None) -> None:
    """Take jobs until stopped (SIGINT finishes the current job, SIGTERM stops at once).

    Args:
        settings: the data home (shared) and the broker.
        processes: jobs read at once, each in its own process.
        workdir: this worker's folder for temporary files (page images, Tesseract output).
    """
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        os.environ["TMPDIR"] = str(workdir)
        tempfile.tempdir = str(workdir)
    consumer = Queues(settings).work.create_consumer(
        workers=processes,
        worker_type="process" if processes > 1 else "thread",
        initial_delay=0.1,
        backoff=1.15,
        max_delay=1.0,
    )
    consumer.run()
