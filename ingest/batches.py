"""Progress of queued batches, as the CLI and the web status page show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive import Catalog, JobBatch

# Finished batches stay in the overview this long.
RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class BatchProgress:
    """Files and pages done, pages per minute and time left of one batch."""

    batch: str
    submitted_at: str
    files_total: int
    files_done: int
    files_failed: int
    pages_done: int
    pages_per_minute: float
    seconds_left: int | None

    @property
    def finished(self) -> bool:
        """Every file is done or failed."""
        return self.files_done + self.files_failed == self.files_total


def batch_progress(batch: JobBatch, now: datetime | None = None) -> BatchProgress:
    """The progress of a batch; time left from the rate at which its files finish."""
    now = now or datetime.now(UTC)
    finished = batch.done + batch.failed
    rate, left = 0.0, None
    if batch.started_at:
        end = datetime.fromisoformat(batch.finished_at) if finished == batch.jobs else now
        seconds = max((end - datetime.fromisoformat(batch.started_at)).total_seconds(), 1.0)
        rate = batch.pages_done / seconds * 60
        if finished and finished < batch.jobs:
            left = round(seconds / finished * (batch.jobs - finished))
    return BatchProgress(
        batch=batch.batch,
        submitted_at=batch.submitted_at,
        files_total=batch.jobs,
        files_done=batch.done,
        files_failed=batch.failed,
        pages_done=batch.pages_done,
        pages_per_minute=round(rate, 1),
        seconds_left=left,
    )


def current_batches(catalog: Catalog) -> list[BatchProgress]:
    """Batches still running or finished within the last day, newest first."""
    since = (datetime.now(UTC) - RECENT).isoformat(timespec="seconds")
    return [batch_progress(b) for b in catalog.job_batches(unfinished_since=since)]


def duration_words(seconds: int | None) -> str:
    """``noch etwa 3 min`` in the words of a German status line; empty while unknown."""
    if seconds is None:
        return ""
    if seconds < 90:
        return f"noch etwa {max(seconds, 1)} s"
    if seconds < 90 * 60:
        return f"noch etwa {round(seconds / 60)} min"
    return f"noch etwa {seconds / 3600:.1f} h".replace(".", ",")
