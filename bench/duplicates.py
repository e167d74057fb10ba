"""Same text in several files: precision and recall of the matching on Karlsruhe texts.

Usage: ``python -m bench.duplicates [--corpus PATH] [--limit N] [--show N]``.

The Karlsruhe corpus holds the same council text under several file ids, and many sister
papers (one statement on two motions, a by-law and its next amendment). Every text is
matched as the recorder does at store time: fingerprint candidates through the LSH bands,
then the word alignment. Printed, for judging:
- precision: matched pairs with identical folded words, and the others: the ones closest to
  the limit and a seeded sample (``--show`` each), with the words where they differ, to read;
  the rejected candidates closest to the limit likewise (sister papers or missed copies?);
- recall of exact duplicates: pairs with the same folded words that were not matched; the
  baseline, an exact hash of the folded words, finds these pairs only;
- recall under OCR noise: a seeded sample of texts copied with scan-like damage (letters
  changed at several rates, line breaks moved, words hyphenated at line ends) must each be
  matched with its original;
- the cost per text of the fingerprint and of deciding the candidates.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import json
import random
import re
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from bench.common import SHARED, machine
from ingest.fingerprint import (
    CANDIDATE,
    MAX_DIFFERING,
    MIN_WORDS,
    Fingerprint,
    differing_share,
    fingerprint,
    similarity,
    words_of,
)

SEED = 19
NOISE_SAMPLE = 300
# Findbuch's OCR of the corpus scans gets 0.08-0.12% of characters wrong (bench/ocr).
NOISE_RATES = (0.001, 0.005, 0.01, 0.02)
LETTERS = "abcdefghijklmnopqrstuvwxyzäöüß"


def _texts(corpus: Path, limit: int) -> dict[str, str]:
    texts = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            texts[str(row["file_id"])] = row["text"]
            if limit and len(texts) >= limit:
                break
    return texts


def _candidates(prints: dict[str, Fingerprint]) -> dict[tuple[str, str], float]:
    """Pairs sharing an LSH band with an estimated similarity of at least ``CANDIDATE``."""
    buckets: dict[tuple[int, int], list[str]] = defaultdict(list)
    for doc_id, fp in prints.items():
        for band, value in enumerate(fp.bands()):
            buckets[band, value].append(doc_id)
    pairs: dict[tuple[str, str], float] = {}
    for members in buckets.values():
        for a, b in combinations(sorted(members), 2):
            if (a, b) not in pairs:
                pairs[a, b] = similarity(prints[a].signature, prints[b].signature)
    return {pair: score for pair, score in pairs.items() if score >= CANDIDATE}


def _scanned(text: str, rng: random.Random, rate: float) -> str:
    """A copy with scan-like damage: changed letters, moved line breaks, hyphenation."""
    # The source's own hyphenation is undone first (as words_of does), then new lines are set.
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    chars = [rng.choice(LETTERS) if c.isalpha() and rng.random() < rate else c for c in text]
    lines, line = [], []
    for word in "".join(chars).split():
        line.append(word)
        if rng.random() < 0.1:
            if len(word) > 6 and rng.random() < 0.3:
                line[-1] = word[:3] + "-"
                lines.append(" ".join(line))
                line = [word[3:]]
            else:
                lines.append(" ".join(line))
                line = []
    lines.append(" ".join(line))
    return "\n".join(lines)


def _show_pair(a: str, b: str, words: dict[str, list[str]], differing: float) -> None:
    """One pair with the words where the two texts differ, for reading."""
    wa, wb = words[a], words[b]
    print(f"\n--- {a} / {b}: {100 * differing:.1f}% of words differ, words {len(wa)}/{len(wb)}")
    print("  begins:", " ".join(wa[:25]))
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    diffs = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    for _, i1, i2, j1, j2 in diffs[:6]:
        print(f"  differs: [{' '.join(wa[i1:i2][:12])}] / [{' '.join(wb[j1:j2][:12])}]")


def _noise_recall(texts: dict[str, str], prints: dict[str, Fingerprint], rng: random.Random):
    sample = rng.sample(sorted(prints), min(NOISE_SAMPLE, len(prints)))
    print(f"\nrecall under scan-like damage ({len(sample)} texts): candidate, then matched")
    for rate in NOISE_RATES:
        candidate = matched = 0
        for doc_id in sample:
            copy = _scanned(texts[doc_id], rng, rate)
            found = fingerprint([copy])
            if found and similarity(found.signature, prints[doc_id].signature) >= CANDIDATE:
                candidate += 1
                matched += differing_share(words_of(copy), words_of(texts[doc_id])) <= (
                    MAX_DIFFERING
                )
        print(
            f"  {100 * rate:.1f}% of letters changed: {candidate / len(sample):.3f}, "
            f"{matched / len(sample):.3f}"
        )


def main() -> None:
    """Match the corpus as the recorder does and print the figures to judge."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = SHARED / "corpus/karlsruhe/karlsruhe.jsonl.gz"
    parser.add_argument("--corpus", type=Path, default=default)
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts")
    parser.add_argument("--show", type=int, default=12, help="pairs to print per kind")
    args = parser.parse_args()
    texts = _texts(args.corpus, args.limit)
    print(machine())
    started = time.perf_counter()
    prints = {k: fp for k, t in texts.items() if (fp := fingerprint([t])) is not None}
    fingerprinted = time.perf_counter() - started
    started = time.perf_counter()
    candidates = _candidates(prints)
    words = {k: words_of(texts[k]) for pair in candidates for k in pair}
    differing = {p: differing_share(words[p[0]], words[p[1]]) for p in candidates}
    deciding = time.perf_counter() - started
    matched = {p for p, d in differing.items() if d <= MAX_DIFFERING}
    folded = {k: hashlib.sha256(" ".join(words_of(texts[k])).encode()).hexdigest() for k in prints}
    identical = {p for p in matched if folded[p[0]] == folded[p[1]]}
    near = sorted(matched - identical, key=lambda p: -differing[p])
    rejected = sorted(set(candidates) - matched, key=lambda p: differing[p])
    by_hash: dict[str, list[str]] = defaultdict(list)
    for doc_id, digest in folded.items():
        by_hash[digest].append(doc_id)
    exact_pairs = {p for ids in by_hash.values() for p in combinations(sorted(ids), 2)}
    missed = exact_pairs - matched
    n = len(prints)
    print(f"texts: {len(texts)}, fingerprinted (>= {MIN_WORDS} words): {n}")
    print(
        f"cost: fingerprint {1000 * fingerprinted / n:.2f} ms/text; candidates and alignment "
        f"{deciding:.1f} s for {len(candidates)} pairs ({1000 * deciding / n:.2f} ms/text)"
    )
    print(f"matched pairs: {len(matched)}: identical words {len(identical)}, other {len(near)}")
    bins = {"0": 0, "<=1%": 0, "<=2%": 0}
    for pair in near:
        bins["0" if differing[pair] == 0 else "<=1%" if differing[pair] <= 0.01 else "<=2%"] += 1
    print(f"  other pairs by share of words differing: {bins}")
    print(f"rejected candidates: {len(rejected)}")
    print(f"baseline (exact hash of folded words): {len(exact_pairs)} pairs")
    print(f"recall of exact duplicates: {1 - len(missed) / max(len(exact_pairs), 1):.4f}")
    rng = random.Random(SEED)
    shown = near[: args.show] + rng.sample(
        near[args.show :], min(args.show, len(near[args.show :]))
    )
    print(f"\n=== matched, not identical: {len(shown)} of {len(near)} (closest to the limit first)")
    for a, b in shown:
        _show_pair(a, b, words, differing[a, b])
    print(f"\n=== rejected candidates closest to the limit: {min(args.show, len(rejected))}")
    for a, b in rejected[: args.show]:
        _show_pair(a, b, words, differing[a, b])
    _noise_recall(texts, prints, rng)


if __name__ == "__main__":
    main()
