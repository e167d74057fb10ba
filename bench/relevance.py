"""Relevance benchmark: Findbuch against plain Whoosh and SQLite FTS5 on the judged query sets.

Run: ``python -m bench.relevance [--fresh] [--only findbuch]``. The ingested homes and the
baseline indexes are cached under ``bench/out/relevance/``; an analyzer change is measured by
reopening the cached home (``ensure_index`` rebuilds its index). ``--fresh`` ingests anew.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bench.common import machine, require_shared
from bench.relevance_baselines import Fts5Baseline, WhooshBaseline
from common.settings import Settings
from ingest import FAILED, IngestResult
from service.home import DataHome

OUT = Path(__file__).resolve().parent / "out" / "relevance"
LIMIT = 10
CATEGORIES = ("words", "compounds", "ocr", "identifiers", "names")
FINDBUCH, WHOOSH, FTS5 = "Findbuch", "Whoosh-Standard", "FTS5"
PROGRESS_EVERY = 250
ROOT = Path(__file__).resolve().parent.parent
# The packages whose uncommitted changes the figures depend on (printed with the results).
SEARCH_PATH_CODE = ("index", "ingest", "archive", "findbuch")
# The packages that decide what a cached home holds: a change here needs --fresh.
INGEST_CODE = ("ingest", "archive")

T = TypeVar("T")
# Stages the input files of a collection in a scratch folder; returns them and how many
# source texts were skipped as empty.
Stager = Callable[[Path], tuple[list[Path], int]]
# A query as typed -> archive doc ids of the best documents, best first.
Search = Callable[[str], list[str]]


@dataclass(frozen=True)
class Judged:
    """A judged query: its id, category, text and the ids of the relevant documents."""

    qid: str
    category: str
    text: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class EvalSet:
    """A collection with its judged queries.

    Attributes:
        name: short name, used for cache paths and the per-query TSV.
        home: the cached data home it is ingested into.
        queries: the judged queries.
        labels: file name -> the id queries judge (seed id, paragraph id); others are distractors.
        stage: writes the input files.
    """

    name: str
    home: Path
    queries: tuple[Judged, ...]
    labels: dict[str, str]
    stage: Stager


@dataclass(frozen=True)
class IngestRecord:
    """How a cached home was ingested; kept beside it as JSON."""

    seconds: float
    statuses: dict[str, int]
    failed: list[str]
    skipped_empty: int
    finished_at: str
    code: str = ""


@dataclass(frozen=True)
class Outcome:
    """One system's answer to one query: top file names and the rank of each relevant id."""

    query: Judged
    names: tuple[str, ...]
    ranks: dict[str, int | None]

    @property
    def recall(self) -> float:
        """Share of relevant ids among the first ``LIMIT`` documents."""
        return sum(r is not None for r in self.ranks.values()) / len(self.ranks)

    @property
    def reciprocal_rank(self) -> float:
        """1 / rank of the first relevant document, 0 when none is in the first ``LIMIT``."""
        found = [r for r in self.ranks.values() if r is not None]
        return 1 / min(found) if found else 0.0

    @property
    def ndcg(self) -> float:
        """nDCG@LIMIT with binary gains, each relevant id counted once."""
        dcg = sum(1 / math.log2(r + 1) for r in self.ranks.values() if r is not None)
        ideal = sum(1 / math.log2(i + 1) for i in range(1, min(len(self.ranks), LIMIT) + 1))
        return dcg / ideal


@dataclass(frozen=True)
class Run:
    """One system on one set: its outcomes and the wall-clock seconds of all queries."""

    system: str
    outcomes: tuple[Outcome, ...]
    seconds: float


@dataclass(frozen=True)
class SetReport:
    """Everything measured on one set."""

    eval_set: EvalSet
    record: IngestRecord
    cached: bool
    index_seconds: float
    index_rebuilt: bool
    build_seconds: dict[str, float]
    runs: tuple[Run, ...]


# --- the collections -------------------------------------------------------------------------


def council_set(shared: Path) -> EvalSet:
    """The public judged set: seed documents hidden among Karlsruhe council texts."""
    collection = json.loads((shared / "eval/collection.json").read_text(encoding="utf-8"))
    targets = [(seed, shared / rel) for seed, rels in collection["targets"].items() for rel in rels]
    distractors = collection["distractors"]

    def stage(scratch: Path) -> tuple[list[Path], int]:
        skipped = write_distractors(
            shared / distractors["file"], scratch, first=distractors["first"]
        )
        return [path for _seed, path in targets] + [scratch], skipped

    queries = tuple(
        Judged(q["id"], q["category"], q["query"], tuple(q["relevant"]))
        for q in _read_jsonl(shared / "eval/queries.jsonl")
    )
    labels = {path.name: seed for seed, path in targets}
    return EvalSet("council", OUT / "home", queries, labels, stage)


def write_distractors(source: Path, scratch: Path, *, first: int) -> int:
    """Write the first ``first`` lines as ``karlsruhe-<file_id>.txt``; returns the empty ones."""
    skipped = 0
    with gzip.open(source, "rt", encoding="utf-8") as f:
        for _, line in zip(range(first), f, strict=False):
            item = json.loads(line)
            if not item["text"].strip():
                skipped += 1
                continue
            (scratch / f"karlsruhe-{item['file_id']}.txt").write_text(
                item["text"], encoding="utf-8"
            )
    return skipped


def xquad_set(shared: Path) -> EvalSet:
    """XQuAD German: 240 paragraphs as text files, one relevant paragraph per question."""
    folder = shared / "eval/xquad_de"
    paragraphs = list(_read_jsonl(folder / "corpus.jsonl"))
    with (folder / "qrels.tsv").open(encoding="utf-8") as f:
        qrels = {row["query_id"]: row["doc_id"] for row in csv.DictReader(f, delimiter="\t")}
    queries = tuple(
        Judged(q["query_id"], "xquad", q["text"], (qrels[q["query_id"]],))
        for q in _read_jsonl(folder / "queries.jsonl")
    )

    def stage(scratch: Path) -> tuple[list[Path], int]:
        for p in paragraphs:
            (scratch / f"{p['doc_id']}.txt").write_text(p["text"], encoding="utf-8")
        return [scratch], 0

    labels = {f"{p['doc_id']}.txt": p["doc_id"] for p in paragraphs}
    return EvalSet("xquad", OUT / "xquad-home", queries, labels, stage)


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


# --- ingestion, cached -----------------------------------------------------------------------


def prepare_home(eval_set: EvalSet, *, fresh: bool) -> tuple[IngestRecord, bool]:
    """Ingest the set into its home unless a complete cached home exists; returns (record, cached).

    The record is written only after the whole ingest, so an interrupted run is resumed
    (files already archived come back as duplicates and cost only their hash).
    """
    record_path = eval_set.home.with_suffix(".json")
    if fresh:
        shutil.rmtree(eval_set.home, ignore_errors=True)
        record_path.unlink(missing_ok=True)
    if record_path.is_file() and eval_set.home.is_dir():
        return IngestRecord(**json.loads(record_path.read_text())), True
    with tempfile.TemporaryDirectory(prefix=f"relevance-{eval_set.name}-") as tmp:
        inputs, skipped = eval_set.stage(Path(tmp))
        with DataHome(Settings(home=eval_set.home)) as home:
            seconds, results = timed(lambda: list(_with_progress(home.ingest(inputs))))
    record = IngestRecord(
        seconds=round(seconds, 1),
        statuses=dict(Counter(r.status for r in results)),
        failed=[f"{Path(r.path).name}: {r.error}" for r in results if r.status == FAILED],
        skipped_empty=skipped,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        code=ingest_code_hash(),
    )
    record_path.write_text(json.dumps(asdict(record), indent=1))
    return record, False


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds of one call, and its result (typed, unlike bench.common.timed)."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def ingest_code_hash() -> str:
    """A digest of the ingest and archive code, to tell when a cached home is out of date."""
    digest = hashlib.sha256()
    for package in INGEST_CODE:
        for path in sorted((ROOT / package).rglob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _with_progress(results: Iterable[IngestResult]) -> Iterator[IngestResult]:
    start = time.perf_counter()
    for count, result in enumerate(results, start=1):
        if count % PROGRESS_EVERY == 0:
            print(f"  … {count} files, {time.perf_counter() - start:.0f} s", file=sys.stderr)
        yield result


# --- scoring ---------------------------------------------------------------------------------


def outcome(query: Judged, names: Sequence[str], labels: dict[str, str]) -> Outcome:
    """Score a ranked list of file names: a hit on any file of an id counts once, at its best."""
    ranks: dict[str, int] = {}
    for rank, name in enumerate(names[:LIMIT], start=1):
        label = labels.get(name)
        if label in query.relevant:
            ranks.setdefault(label, rank)
    return Outcome(query, tuple(names), {r: ranks.get(r) for r in query.relevant})


def run_system(system: str, search: Search, eval_set: EvalSet, names: dict[str, str]) -> Run:
    """Run every query of the set through ``search`` and score it."""
    start = time.perf_counter()
    outcomes = tuple(
        outcome(q, [names[d] for d in search(q.text)], eval_set.labels) for q in eval_set.queries
    )
    return Run(system, outcomes, time.perf_counter() - start)


def mean_scores(outcomes: Sequence[Outcome]) -> tuple[float, float, float]:
    """Mean recall@10, MRR and nDCG@10 over queries."""
    n = len(outcomes)
    return (
        sum(o.recall for o in outcomes) / n,
        sum(o.reciprocal_rank for o in outcomes) / n,
        sum(o.ndcg for o in outcomes) / n,
    )


# --- one set, all systems --------------------------------------------------------------------


def evaluate(eval_set: EvalSet, *, fresh: bool, baselines: bool) -> SetReport:
    """Ingest (or reuse) the set's home, then run Findbuch and, if asked, the baselines."""
    record, cached = prepare_home(eval_set, fresh=fresh)
    with DataHome(Settings(home=eval_set.home)) as home:
        index_seconds, rebuilt = timed(home.ensure_index)
        names = {d.doc_id: d.original_name for d in home.archive.catalog.documents()}
        runs = [
            run_system(
                FINDBUCH,
                lambda q: [h.doc_id for h in home.search(q, limit=LIMIT).hits],
                eval_set,
                names,
            )
        ]
        build_seconds: dict[str, float] = {}
        if baselines:
            runs += _run_baselines(eval_set, home, names, build_seconds)
    return SetReport(eval_set, record, cached, index_seconds, rebuilt, build_seconds, tuple(runs))


def _run_baselines(
    eval_set: EvalSet, home: DataHome, names: dict[str, str], build_seconds: dict[str, float]
) -> list[Run]:
    runs = []
    factories = {
        WHOOSH: lambda: WhooshBaseline(OUT / "baseline-whoosh" / eval_set.name, home),
        FTS5: lambda: Fts5Baseline(OUT / f"baseline-fts5-{eval_set.name}.sqlite", home),
    }
    for system, factory in factories.items():
        build_seconds[system], baseline = timed(factory)
        runs.append(_run_baseline(system, baseline, eval_set, names))
    return runs


def _run_baseline(
    system: str, baseline: WhooshBaseline | Fts5Baseline, eval_set: EvalSet, names: dict[str, str]
) -> Run:
    try:
        return run_system(system, lambda q: baseline.search(q, limit=LIMIT), eval_set, names)
    finally:
        baseline.close()


# --- output ----------------------------------------------------------------------------------


def table(council: SetReport, xquad: SetReport) -> list[str]:
    """The Markdown table: categories, all, XQuAD; recall@10, MRR, nDCG@10 per system."""
    systems = [run.system for run in council.runs]
    header = ["set", "n"] + [f"{s} {m}" for s in systems for m in ("R@10", "MRR", "nDCG@10")]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    rows = [(c, lambda o, c=c: o.query.category == c) for c in CATEGORIES]
    rows.append(("all", lambda o: True))
    for label, keep in rows:
        lines.append(_row(label, [[o for o in r.outcomes if keep(o)] for r in council.runs]))
    lines.append(_row("XQuAD de", [list(r.outcomes) for r in xquad.runs]))
    return lines


def _row(label: str, per_system: list[list[Outcome]]) -> str:
    cells = [label, str(len(per_system[0]))]
    for outcomes in per_system:
        cells += [f"{v:.2f}" for v in mean_scores(outcomes)]
    return "| " + " | ".join(cells) + " |"


def write_tsv(path: Path, report: SetReport) -> None:
    """Per query: ranks of each relevant id per system, and Findbuch's top three file names."""
    runs = report.runs
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter="\t", lineterminator="\n")
        out.writerow(
            ["id", "category", "query", "relevant"]
            + [f"{r.system}_ranks" for r in runs]
            + [f"{FINDBUCH}_top3"]
        )
        for i, q in enumerate(report.eval_set.queries):
            ranks = [_ranks_cell(r.outcomes[i]) for r in runs]
            top3 = " | ".join(runs[0].outcomes[i].names[:3])
            out.writerow([q.qid, q.category, q.text, " ".join(q.relevant), *ranks, top3])


def _ranks_cell(o: Outcome) -> str:
    return " ".join(f"{rid}:{rank or '-'}" for rid, rank in o.ranks.items())


def describe(report: SetReport) -> list[str]:
    """What was ingested and how long everything took."""
    rec = report.record
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(rec.statuses.items()))
    how = f"cached, ingested {rec.finished_at}" if report.cached else "ingested in this run"
    lines = [
        f"- {report.eval_set.name}: {statuses} files; {rec.skipped_empty} empty texts skipped; "
        f"ingest {rec.seconds:.0f} s ({how})",
        f"  index: {'rebuilt' if report.index_rebuilt else 'current'} "
        f"({report.index_seconds:.1f} s); baselines built/opened in "
        + (", ".join(f"{s} {t:.1f} s" for s, t in report.build_seconds.items()) or "(skipped)"),
        "  queries: "
        + ", ".join(
            f"{r.system} {r.seconds:.1f} s ({r.seconds / len(r.outcomes) * 1000:.0f} ms/query)"
            for r in report.runs
        ),
    ]
    lines += [f"  FAILED {line}" for line in rec.failed]
    if report.cached and rec.code != ingest_code_hash():
        lines.append(
            f"  WARNING: {'/, '.join(INGEST_CODE)}/ changed since this home was ingested; "
            "its page texts may be stale: run with --fresh"
        )
    return lines


def findbuch_misses(report: SetReport) -> list[str]:
    """The queries where Findbuch left a relevant id out of its first ten."""
    return [
        f"- {o.query.qid} {o.query.text!r}: {_ranks_cell(o)}; top: {', '.join(o.names[:3])}"
        for o in report.runs[0].outcomes
        if o.recall < 1
    ]


def code_state() -> str:
    """The commit measured, and which files of the search path differ from it."""
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", *SEARCH_PATH_CODE], capture_output=True, text=True
    )
    paths = [line[3:] for line in changed.stdout.splitlines()]
    return f"{commit.stdout.strip() or '?'}" + (
        f" + uncommitted changes in {', '.join(paths)}" if paths else " (clean)"
    )


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__)
    parser.add_argument("--fresh", action="store_true", help="ingest anew into fresh homes")
    parser.add_argument(
        "--only", choices=["findbuch"], help="run Findbuch only (skip the baselines)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Ingest or reuse, run all query sets, print the table and write the per-query TSVs."""
    args = _parse_args(argv)
    shared = require_shared()
    OUT.mkdir(parents=True, exist_ok=True)
    baselines = args.only != "findbuch"
    reports = [
        evaluate(s, fresh=args.fresh, baselines=baselines)
        for s in (council_set(shared), xquad_set(shared))
    ]
    council, xquad = reports
    write_tsv(OUT / "queries.tsv", council)
    write_tsv(OUT / "xquad-queries.tsv", xquad)
    flags = ["--fresh"] * args.fresh + ["--only findbuch"] * (not baselines)
    print(f"Machine: {machine()}")
    print(f"Code: {code_state()}")
    print(" ".join(["Command: python -m bench.relevance", *flags]) + "\n")
    print("\n".join(table(council, xquad)) + "\n")
    print("\n".join(describe(council) + describe(xquad)) + "\n")
    print(f"Findbuch misses (details in {OUT / 'queries.tsv'}):")
    print("\n".join(findbuch_misses(council)) or "- none")


if __name__ == "__main__":
    main()
