"""Ingest files nobody here wrote: other projects' test suites. One bad file costs one line.

Run: ``python -m bench.robustness --clones DIR`` (DIR holds a git clone of every repository in
``bench/robustness_manifest.json``, as ``DIR/owner/name``; the files are taken at the commit the
manifest names) or ``--corpus DIR`` (the files already laid out as ``DIR/owner/name/path``).
``--code DIR`` runs the ``findbuch`` of another checkout (the "before" of a change).

Every file goes through one ``findbuch ingest --json`` batch, as a user runs it. Per file it
reports one class: added (or duplicate), failed with a clear German message, failed with
library text in the message, wrongly refused (poppler, pypdf or Pillow read it, or its true
encoding decodes it), crashed (the batch stopped after it: ``Interner Fehler``, no JSON line),
hung (no line for ``--hang`` seconds). Then: pages whose stored text holds under 30% of
``pdftotext``'s words (a word also counts stored the right way round, as pdftotext reverses
runs of mirrored glyphs; pages where pdftotext's own words are fragments are not judged), text
files whose stored text misses the words of their true encoding, stderr lines that are neither
progress nor the summary, and ``findbuch check``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from queue import Empty, Queue

from bench.common import machine
from bench.robustness_refs import PDF, TEXT, file_class, references, true_encoding, words

MANIFEST = Path(__file__).with_name("robustness_manifest.json")
HANG_S = 300.0
MIN_PAGE_WORDS = 20  # pages with fewer pdftotext words are not judged
KEPT_SHARE = 0.30
# pdftotext reads rotated words letter by letter on some pages (pdf.js's bug946506.pdf: "lo",
# "ad", "re"); English and German words average 4-6 letters, such fragments under 3.
MIN_MEAN_REFERENCE_LETTERS = 3.0
DECODED_SHARE = 0.95
_ENGLISH = re.compile(
    r"\b(the|is|not|of|for|and|with|object|error|invalid|missing|unexpected|cannot|unable|"
    r"expected|found|stream|decoder|argument|must|was|does|supported|dimensions|truncated|"
    r"broken|trailer|xref|header|Traceback|Warning|UserWarning|line \d+)\b"
)


def english(text: str) -> bool:
    """Library text in a message: English words, empty brackets, a double full stop."""
    return bool(_ENGLISH.search(text)) or "()" in text or ".." in text


def _corpus(args: argparse.Namespace, rows: list[dict], work: Path) -> Path:
    if args.corpus:
        return Path(args.corpus)
    root = work / "corpus"
    for row in rows:
        target = root / row["repo"] / row["path"]
        if target.exists():
            continue
        clone = Path(args.clones) / row["repo"]
        data = subprocess.run(
            ["git", "-C", str(clone), "show", f"{row['commit']}:{row['path']}"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def _command(code: Path | None, home: Path, *args: str) -> tuple[list[str], dict]:
    """The command and environment that run ``code``'s findbuch (this checkout's by default).

    The command runs in ``code`` itself: ``python -m`` puts the working directory first on the
    module path, before PYTHONPATH.
    """
    env = dict(os.environ)
    code = (code or Path(__file__).resolve().parent.parent).resolve()
    env["PYTHONPATH"] = str(code)
    env["ROBUSTNESS_CWD"] = str(code)
    return [sys.executable, "-m", "findbuch", "--home", str(home), *args], env


def _run_batch(code, home, files, hang_s, stderr_log) -> tuple[list[dict], str]:
    """Results of one ingest over ``files`` until it ends, and how: done, crashed or hung."""
    cmd, env = _command(code, home, "ingest", "--json", "--jobs", "2", *map(str, files))
    with stderr_log.open("a") as err:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env, start_new_session=True,
            cwd=env["ROBUSTNESS_CWD"],
        )  # fmt: skip
        lines: Queue[str | None] = Queue()

        def pump() -> None:
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        results: list[dict] = []
        while True:
            try:
                line = lines.get(timeout=hang_s)
            except Empty:
                os.killpg(proc.pid, 9)
                proc.wait()
                return results, "hung"
            if line is None:
                proc.wait()
                return results, "done" if len(results) == len(files) else "crashed"
            if line.startswith("{"):
                results.append(json.loads(line))


def ingest_all(code, home, files, hang_s, stderr_log) -> dict[str, dict]:
    """Every file's outcome; after a crash or hang the batch goes on behind the file at fault."""
    outcome: dict[str, dict] = {}
    rest = list(files)
    while rest:
        results, how = _run_batch(code, home, rest, hang_s, stderr_log)
        for path, result in zip(rest, results, strict=False):
            outcome[str(path)] = result
        if how == "done":
            break
        culprit = rest[len(results)]
        outcome[str(culprit)] = {"status": how, "path": str(culprit)}
        print(f"  {how}: {culprit}", flush=True)
        rest = rest[len(results) + 1 :]
    if any(r["status"] in ("crashed", "hung") for r in outcome.values()):
        # A killed batch leaves documents stored but not yet indexed; as the README says, the
        # same ingest again completes them (their lines now say "duplicate").
        _run_batch(code, home, [f for f in files if outcome[str(f)].get("doc_id")], hang_s,
                   stderr_log)  # fmt: skip
    return outcome


def _stored_pages(home: Path, doc_ids: list[str]) -> dict[str, list[str]]:
    from common.settings import load_settings
    from service.home import DataHome

    with DataHome(load_settings({"home": home}), readonly=True) as h:
        return {d: [p.text for p in h.pages(d)] for d in doc_ids}


def _kept(expected: list[str], stored: str) -> float:
    """Share of the reference's words stored, either way round (see the module docstring)."""
    have = set(words(stored))
    return sum(w in have or w[::-1] in have for w in expected) / len(expected)


def _judged(expected: list[str]) -> bool:
    """Whether pdftotext's words of a page are enough, and words, to judge the stored text by."""
    if len(expected) < MIN_PAGE_WORDS:
        return False
    return sum(map(len, expected)) / len(expected) >= MIN_MEAN_REFERENCE_LETTERS


def judge(rows, corpus, refs, outcome, texts) -> tuple[dict, list[str]]:
    """Per suite, the count of each class; and one line per file that is not right."""
    table: dict[str, Counter] = defaultdict(Counter)
    notes = []
    for row, ref in zip(rows, refs, strict=True):
        path = str(corpus / row["repo"] / row["path"])
        res = outcome[path]
        kind, suite, status = file_class(row["path"]), row["repo"], res["status"]
        if status in ("added", "duplicate"):
            table[suite]["added"] += 1
            pages = texts.get(res.get("doc_id"), [])
            if kind == PDF:
                for n, expected in enumerate(ref.get("page_words", []), 1):
                    judged = _judged(expected)
                    table[suite]["pdf pages judged"] += judged
                    table[suite]["pages of fragments"] += (
                        len(expected) >= MIN_PAGE_WORDS and not judged
                    )
                    if judged and (n > len(pages) or _kept(expected, pages[n - 1]) < KEPT_SHARE):
                        table[suite]["pages text lost"] += 1
                        notes.append(f"text lost: {row['path']} page {n}")
            if kind == TEXT and ref.get("words"):
                table[suite]["texts judged"] += 1
                if _kept(ref["words"], "\n".join(pages)) < DECODED_SHARE:
                    table[suite]["texts decoded wrongly"] += 1
                    notes.append(f"decoded wrongly ({ref['encoding']}): {row['path']}")
        elif status == "failed":
            wrong = ref.get("readable") is True
            key = (
                "wrongly refused"
                if wrong
                else ("failed, library text" if english(res["error"] or "()") else "failed, German")
            )
            table[suite][key] += 1
            if wrong or key != "failed, German":
                notes.append(f"{key}: {row['path']}: {res['error']}")
        else:
            table[suite][status] += 1
            notes.append(f"{status}: {row['path']}")
    return table, notes


def stderr_lines(log: Path) -> tuple[int, int, list[str]]:
    """Lines that are neither progress nor the summary; how many of them English."""
    stray = [
        line for line in log.read_text(errors="replace").splitlines()
        if line.strip() and not line.startswith(('{"progress"', "Fertig:"))
    ]  # fmt: skip
    return len(stray), sum(english(re.sub(r"\S*/\S*", "", line)) for line in stray), stray


def main() -> None:
    """Build or take the corpus, ingest it, judge every file, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--clones", help="folder with a git clone of each repository")
    source.add_argument("--corpus", help="folder with the files as owner/name/path")
    parser.add_argument("--code", type=Path, help="checkout whose findbuch to run")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "robustness")
    parser.add_argument("--hang", type=float, default=HANG_S)
    parser.add_argument("--suite", action="append", help="only these repositories")
    args = parser.parse_args()
    rows = json.loads(MANIFEST.read_text())["files"]
    if args.suite:
        rows = [r for r in rows if r["repo"] in args.suite]
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = _corpus(args, rows, args.work)
    print(machine(), flush=True)
    files = [corpus / r["repo"] / r["path"] for r in rows]
    cache = args.work / "references.json"
    known = json.loads(cache.read_text()) if cache.exists() else {}
    todo = [(f, file_class(str(f)), true_encoding(r["repo"], r["path"]))
            for f, r in zip(files, rows, strict=True) if str(f) not in known]  # fmt: skip
    known.update(zip((str(t[0]) for t in todo), references(todo), strict=True))
    cache.write_text(json.dumps(known))
    refs = [known[str(f)] for f in files]

    run = Path(tempfile.mkdtemp(prefix="run-", dir=args.work))
    home, log = run / "home", run / "stderr.log"
    started = time.monotonic()
    outcome = ingest_all(args.code, home, files, args.hang, log)
    seconds = time.monotonic() - started
    doc_ids = [r["doc_id"] for r in outcome.values() if r.get("doc_id")]
    texts = _stored_pages(home, doc_ids)
    table, notes = judge(rows, corpus, refs, outcome, texts)
    cmd, env = _command(args.code, home, "check", "--json")
    check = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=env["ROBUSTNESS_CWD"])
    stray, stray_english, stray_lines = stderr_lines(log)

    (run / "notes.txt").write_text("\n".join([*notes, "", "stderr:", *stray_lines]) + "\n")
    columns = ["added", "failed, German", "failed, library text", "wrongly refused", "crashed",
               "hung", "pdf pages judged", "pages of fragments", "pages text lost", "texts judged",
               "texts decoded wrongly"]  # fmt: skip
    print(f"\n{len(files)} files from {len(table)} suites in {seconds:.0f} s; details: {run}")
    print("| suite | files | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 2) + "|")
    total: Counter = Counter()
    for suite in sorted(table):
        count = sum(1 for r in rows if r["repo"] == suite)
        total.update(table[suite], files=count)
        cells = " | ".join(str(table[suite][c]) for c in columns)
        print(f"| {suite} | {count} | {cells} |")
    print(f"| all | {total['files']} | " + " | ".join(str(total[c]) for c in columns) + " |")
    print(f"stderr lines besides progress and summary: {stray} ({stray_english} English)")
    print(f"findbuch check: exit {check.returncode}")


if __name__ == "__main__":
    main()
