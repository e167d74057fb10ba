"""The catalog's jobs: queued files, their progress and their batches."""

from __future__ import annotations

import json
import sqlite3

from archive.models import Job, JobBatch, utc_now


class JobsTable:
    """Queued files and their progress; part of the ``Catalog``."""

    _conn: sqlite3.Connection

    def add_job(self, job: Job) -> None:
        """Record a queued upload."""
        with self._conn:
            self._conn.execute(
                f"INSERT INTO jobs ({_JOB_COLUMNS}) VALUES ({', '.join('?' * 17)})",
                _job_row(job),
            )

    def update_job(self, job_id: str, **changes: str | int) -> None:
        """Change a job's status, progress, document or error."""
        columns = ", ".join(f"{name} = ?" for name in changes)
        with self._conn:
            self._conn.execute(
                f"UPDATE jobs SET {columns}, updated_at = ? WHERE job_id = ?",
                (*changes.values(), utc_now(), job_id),
            )

    def job(self, job_id: str) -> Job | None:
        """One job, or ``None``."""
        row = self._conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
        return _job(row) if row else None

    def jobs(
        self, *, limit: int = 200, unfinished: bool = False, status: str = "", batch: str = ""
    ) -> list[Job]:
        """The newest jobs first; ``unfinished`` only those still queued or processing."""
        conditions, params = [], []
        if unfinished:
            conditions.append("status IN ('queued', 'processing')")
        if status:
            conditions.append("status = ?")
            params.append(status)
        if batch:
            conditions.append("batch = ?")
            params.append(batch)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs {where} ORDER BY submitted_at DESC, job_id LIMIT ?",
            (*params, limit),
        )
        return [_job(row) for row in rows]

    def job_batches(self, *, unfinished_since: str) -> list[JobBatch]:
        """Progress of every batch with unfinished jobs or submitted since ``unfinished_since``."""
        rows = self._conn.execute(
            "SELECT batch, COUNT(*), SUM(status = 'done'), SUM(status = 'failed'), "
            "SUM(pages_done), SUM(pages_total), MIN(submitted_at), "
            "MIN(NULLIF(started_at, '')), MAX(finished_at) FROM jobs GROUP BY batch "
            "HAVING SUM(status IN ('queued', 'processing')) > 0 OR MAX(submitted_at) >= ? "
            "ORDER BY MIN(submitted_at) DESC",
            (unfinished_since,),
        )
        return [JobBatch(*row[:6], *(value or "" for value in row[6:])) for row in rows]


_JOB_COLUMNS = (
    "job_id, file_name, inbox_path, metadata, status, submitted_by, submitted_at, updated_at, "
    "pages_done, pages_total, doc_id, error, batch, attempts, worker, started_at, finished_at"
)


def _job_row(job: Job) -> tuple:
    return (
        job.job_id,
        job.file_name,
        job.inbox_path,
        json.dumps(job.metadata, ensure_ascii=False),
        job.status,
        job.submitted_by,
        job.submitted_at,
        job.updated_at,
        job.pages_done,
        job.pages_total,
        job.doc_id,
        job.error,
        job.batch,
        job.attempts,
        job.worker,
        job.started_at,
        job.finished_at,
    )


def _job(row: tuple) -> Job:
    values = list(row)
    values[3] = json.loads(values[3])
    return Job(*values)
