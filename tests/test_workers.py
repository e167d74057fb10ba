"""Queued ingestion with real worker processes: through Redis and through the embedded queue.

Every test here starts the real ``findbuch`` command in separate processes (a writer and two
workers with their own working folders, sharing one data home), as an archive would run them
on several machines, and kills workers with SIGKILL the way a crash or a power cut does.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from conftest import FIXTURES, NRW_PDF

from archive import Job
from common.settings import Settings, load_settings
from ingest.document import read_document
from ingest.handoff import ExtractionResult, write_result
from ingest.queue import Queues, enqueue_files
from service.home import DataHome
from service.queue_writer import QueueWriter

FINDBUCH = [sys.executable, "-m", "findbuch"]
# The scans of ../shared/corpus/scans kept in the repository: every kind (multi-page image
# PDF, multi-page TIFF, JPEG, PNG, a sideways page).
SCANS = [
    FIXTURES / "001_hausmitteilung_dresden_scan.pdf",
    FIXTURES / "002_nrw_dnipropetrowsk.tif",
    FIXTURES / "003_skew_kommunalpartnerschaften-p1.jpg",
    FIXTURES / "004_dlt_rotated-p1.png",
    FIXTURES / "001_hausmitteilung_dresden-p1.png",
]
# What each scan is found by (words from its ground truth).
SCAN_WORDS = {
    "001_hausmitteilung_dresden_scan.pdf": "Hausmitteilung Solidaritätspartnerschaft",
    "002_nrw_dnipropetrowsk.tif": "Dnipropetrowsk",
    "003_skew_kommunalpartnerschaften-p1.jpg": "Kommunalpartnerschaften",
    "004_dlt_rotated-p1.png": "Partnerschaftskonferenz",
}
LEASE_S = "3"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback, without persistence, for this module."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)


def _texts(folder: Path) -> list[Path]:
    """200 real council texts of the Karlsruhe corpus, one file each."""
    folder.mkdir()
    with gzip.open(FIXTURES / "karlsruhe_200.jsonl.gz", "rt", encoding="utf-8") as f:
        papers = [json.loads(line) for line in f]
    for paper in papers:
        (folder / f"karlsruhe_{paper['file_id']}.txt").write_text(paper["text"], encoding="utf-8")
    return sorted(folder.iterdir())


def _start(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen([*FINDBUCH, *args], env=env, stdout=out, stderr=out)


def _jobs(env: dict[str, str]) -> dict:
    done = subprocess.run([*FINDBUCH, "jobs", "--json"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("broker", ["redis", "embedded"])
def test_two_workers_one_killed_mid_job_every_document_once(
    broker: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "FINDBUCH_HOME": str(home), "FINDBUCH_WORKER_LEASE": LEASE_S}
    if broker == "redis":
        env["FINDBUCH_BROKER_URL"] = request.getfixturevalue("redis_url")
    texts = _texts(tmp_path / "texts")
    broken = tmp_path / "kaputt.pdf"
    broken.write_bytes(NRW_PDF.read_bytes()[:3000])
    queued = subprocess.run(
        [*FINDBUCH, "ingest", "--queue", "--json", *map(str, SCANS), str(broken), *map(str, texts)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert queued.returncode == 0, queued.stderr
    lines = [json.loads(line) for line in queued.stdout.splitlines()]
    assert len(lines) == 206 and all(line["status"] == "queued" for line in lines)

    logs = tmp_path / "logs"
    logs.mkdir()
    writer = _start(env, "worker", "--writer", log=logs / "writer.log")
    first = _start(
        env, "worker", "--processes", "1", "--workdir", str(tmp_path / "w1"), log=logs / "w1.log"
    )
    second = None
    try:
        # The first worker takes the first job, the three-page scan (seconds of OCR per page);
        # the second starts while it reads, and the first is killed in the middle of it.
        victim_job = None
        deadline = time.monotonic() + 120
        while victim_job is None and time.monotonic() < deadline:
            for job in _jobs(env)["running"]:
                if job["worker"].endswith(f":{first.pid}"):
                    victim_job = job
            time.sleep(0.1)
        assert victim_job is not None, (logs / "w1.log").read_text()
        assert victim_job["file_name"] == SCANS[0].name
        second = _start(
            env, "worker", "--processes", "1", "--workdir", str(tmp_path / "w2"),
            log=logs / "w2.log",
        )  # fmt: skip
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(10)

        waited = subprocess.run(
            [*FINDBUCH, "jobs", "--wait"], env=env, capture_output=True, text=True, timeout=400
        )
        assert waited.returncode == 1, waited.stdout + waited.stderr  # the broken PDF failed
        assert "fehlgeschlagen: kaputt.pdf: PDF ist beschädigt" in waited.stdout
    finally:
        processes = [p for p in (writer, first, second) if p is not None]
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
    assert writer.returncode == 0, (logs / "writer.log").read_text()

    report = _jobs(env)
    [batch] = report["batches"]
    assert (batch["files_done"], batch["files_failed"], batch["files_total"]) == (205, 1, 206)
    with DataHome(Settings(home=home)) as h:
        retried = h.archive.catalog.job(victim_job["job_id"])
        assert retried.status == "done" and retried.attempts == 2
        assert retried.worker.endswith(f":{second.pid}")
        documents = list(h.archive.catalog.documents())
        assert len(documents) == 205
        assert h.index.document_ids() == {d.doc_id for d in documents}
        for doc in documents:  # every page indexed exactly once
            assert h.index.entries(doc.doc_id) == doc.page_count, doc.original_name
        by_name = {d.original_name: d.doc_id for d in documents}
        for name, words in SCAN_WORDS.items():
            hits = [hit.doc_id for hit in h.search(words, limit=10).hits]
            assert by_name[name] in hits, (name, words)
        words = {t.name: set(re.findall(r"[A-Za-zÄÖÜäöüß]{6,}", t.read_text())) for t in texts}
        for text in texts[:5]:  # council texts, each found by its longest word of its own
            others = set().union(*(w for name, w in words.items() if name != text.name))
            own = max(words[text.name] - others, key=len)
            hits = [hit.doc_id for hit in h.search(own, limit=10).hits]
            assert by_name[text.name] in hits, (text.name, own)
    check = subprocess.run([*FINDBUCH, "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert not any((home / "inbox").iterdir())
    assert not any((home / "results").iterdir())


def _read_and_hand_over(home: DataHome, job_id: str) -> ExtractionResult:
    """What a worker does for a job, in this process: read its file, write the result."""
    settings = home.settings
    job = home.archive.catalog.job(job_id)
    document, warnings = read_document(settings.home / job.inbox_path, settings)
    result = ExtractionResult(job_id, 1, "rechner:1", document, warnings)
    write_result(settings.layout.results, result)
    return result


def test_a_job_whose_workers_keep_dying_fails_visibly(tmp_path: Path) -> None:
    settings = load_settings({"home": tmp_path / "home"}, environ={"FINDBUCH_JOB_ATTEMPTS": "2"})
    queues = Queues(settings)
    with DataHome(settings) as home:
        [queued] = enqueue_files(home.archive, queues, [NRW_PDF], user="archivarin")
        writer = QueueWriter(home, queues)
        for attempt in (1, 2):  # a worker takes the job up and dies without a word
            assert queues.work.dequeue() is not None
            writer.started(queued.job_id, "rechner:1", attempt)
            writer.watch(lost_after=0.0)
        job = home.archive.catalog.job(queued.job_id)
        assert job.status == "failed"
        assert "abgebrochen nach 2 Versuchen" in job.error
        assert not list(home.archive.catalog.documents())
        assert not any((settings.home / "inbox").iterdir())  # nothing of it stays


def test_a_result_applied_twice_is_stored_and_indexed_once(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    queues = Queues(settings)
    with DataHome(settings) as home:
        [first, second] = enqueue_files(home.archive, queues, [NRW_PDF, NRW_PDF], user="archivarin")
        writer = QueueWriter(home, queues)
        for queued in (first, second):
            result = _read_and_hand_over(home, queued.job_id)
            writer.apply(queued.job_id)
            write_result(settings.layout.results, result)  # a second worker read it as well
            writer.apply(queued.job_id)
        writer.recorder.commit()
        [doc] = home.archive.catalog.documents()
        assert home.index.entries(doc.doc_id) == doc.page_count
        assert home.archive.catalog.job(second.job_id).error == "bereits im Archiv"


def _queued_and_read(home: DataHome, queues: Queues) -> Job:
    """The NRW PDF queued, and read by a worker that handed the result over."""
    [queued] = enqueue_files(home.archive, queues, [NRW_PDF], user="archivarin")
    job = home.archive.catalog.job(queued.job_id)
    _read_and_hand_over(home, job.job_id)
    return job


def test_a_restarted_writer_indexes_what_a_killed_one_left_uncommitted(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    queues = Queues(settings)
    with DataHome(settings) as home:
        job = _queued_and_read(home, queues)
        QueueWriter(home, queues).apply(
            job.job_id
        )  # stored in the catalog; killed before its commit
        [doc] = home.archive.catalog.documents()
        assert not home.index.has_document(doc.doc_id)
        QueueWriter(home, Queues(settings)).recover()
        assert home.index.entries(doc.doc_id) == doc.page_count
        assert home.archive.catalog.job(job.job_id).status == "done"


def test_a_result_whose_file_left_the_inbox_fails_the_job_with_the_reason(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    queues = Queues(settings)
    with DataHome(settings) as home:
        job = _queued_and_read(home, queues)
        (settings.home / job.inbox_path).unlink()  # removed by hand while the worker read it
        QueueWriter(home, queues).apply(job.job_id)
        failed = home.archive.catalog.job(job.job_id)
        assert failed.status == "failed" and "nicht mehr im Eingang" in failed.error
        assert not list(home.archive.catalog.documents())
