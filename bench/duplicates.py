"""Same text in several files: precision and recall of the fingerprint on Karlsruhe texts.

Usage: ``python -m bench.duplicates [--corpus PATH] [--limit N] [--show N]``.

The Karlsruhe corpus holds the same council text under several file ids. Every text is
fingerprinted as the recorder does at store time and matched through the same LSH bands and
threshold. Judged:
- precision: every matched pair is classed as identical (same folded words), or else
  printed in a seeded sample (``--show``) for reading; the automatic word-level similarity
  (difflib) of all non-identical pairs is summarised beside it;
- recall of exact duplicates: pairs with the same folded words that the matching missed;
- recall under OCR noise: a seeded sample of texts copied with scan-like damage (2% of
  letters changed, line breaks moved, words hyphenated at line ends), each copy must match
  its original;
- the baseline, an exact hash of the folded words, finds the identical pairs only.
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
from ingest.fingerprint import MIN_WORDS, SAME_TEXT, Fingerprint, fingerprint, similarity, words_of

SEED = 19
NOISE_SAMPLE = 500
# Findbuch's OCR of the corpus scans: 0.08-0.12% of characters wrong (bench/ocr).
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


def _match(prints: dict[str, Fingerprint]) -> dict[tuple[str, str], float]:
    """Pairs at or above the threshold, found through the LSH bands as the catalog does."""
    buckets: dict[tuple[int, int], list[str]] = defaultdict(list)
    for doc_id, fp in prints.items():
        for band, value in enumerate(fp.bands()):
            buckets[band, value].append(doc_id)
    pairs: dict[tuple[str, str], float] = {}
    for members in buckets.values():
        for a, b in combinations(sorted(members), 2):
            if (a, b) not in pairs:
                pairs[a, b] = similarity(prints[a].signature, prints[b].signature)
    return {pair: score for pair, score in pairs.items() if score >= SAME_TEXT}


def _scanned(text: str, rng: random.Random, rate: float) -> str:
    """A copy with scan-like damage: changed letters, moved line breaks, hyphenation."""
    # The source's own hyphenation is undone first (as words_of does), then new lines are set.
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    chars = [rng.choice(LETTERS) if c.isalpha() and rng.random() < rate else c for c in text]
    words = "".join(chars).split()
    lines, line = [], []
    for word in words:
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


def _show_pair(a: str, b: str, texts: dict[str, str], score: float) -> None:
    """One matched pair with the words where the two texts differ, for reading."""
    wa, wb = words_of(texts[a]), words_of(texts[b])
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    print(
        f"\n--- {a} / {b}: fingerprint {score:.2f}, words {len(wa)}/{len(wb)}, "
        f"sequence {matcher.ratio():.2f}"
    )
    print("  begins:", " ".join(wa[:25]))
    diffs = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    for _, i1, i2, j1, j2 in diffs[:6]:
        print(f"  differs: [{' '.join(wa[i1:i2][:12])}] / [{' '.join(wb[j1:j2][:12])}]")


def main() -> None:
    """Fingerprint the corpus, match it, and print the judged figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=SHARED / "corpus/karlsruhe/karlsruhe.jsonl.gz"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts")
    parser.add_argument("--show", type=int, default=15, help="non-identical pairs to print")
    args = parser.parse_args()
    texts = _texts(args.corpus, args.limit)
    print(machine())
    started = time.perf_counter()
    prints = {k: fp for k, t in texts.items() if (fp := fingerprint([t])) is not None}
    fingerprinted = time.perf_counter() - started
    started = time.perf_counter()
    matched = _match(prints)
    matching = time.perf_counter() - started
    folded = {k: hashlib.sha256(" ".join(words_of(texts[k])).encode()).hexdigest() for k in prints}
    identical = {p for p in matched if folded[p[0]] == folded[p[1]]}
    near = sorted(set(matched) - identical)
    by_hash: dict[str, list[str]] = defaultdict(list)
    for doc_id, digest in folded.items():
        by_hash[digest].append(doc_id)
    exact_pairs = {p for ids in by_hash.values() for p in combinations(sorted(ids), 2)}
    ratios = sorted(
        difflib.SequenceMatcher(
            None, words_of(texts[a]), words_of(texts[b]), autojunk=False
        ).ratio()
        for a, b in near
    )
    print(f"texts: {len(texts)}, fingerprinted (>= {MIN_WORDS} words): {len(prints)}")
    print(
        f"cost: fingerprint {1000 * fingerprinted / len(prints):.2f} ms/text, "
        f"LSH matching of all {matching:.1f} s ({1000 * matching / len(prints):.2f} ms/text)"
    )
    print(f"matched pairs: {len(matched)}; identical words: {len(identical)}; other: {len(near)}")
    print(f"baseline (exact hash of folded words): {len(exact_pairs)} pairs")
    missed = exact_pairs - set(matched)
    print(
        f"recall of exact duplicates: {1 - len(missed) / max(len(exact_pairs), 1):.4f} "
        f"({len(missed)} missed)"
    )
    if ratios:
        print(
            f"non-identical pairs, word-sequence similarity: min {ratios[0]:.2f}, "
            f"median {ratios[len(ratios) // 2]:.2f}; below 0.8: {sum(r < 0.8 for r in ratios)}"
        )
    rng = random.Random(SEED)
    lowest = sorted(near, key=lambda p: matched[p])[: args.show]
    sampled = rng.sample(near, min(args.show, len(near)))
    print(f"\nthe {len(lowest)} lowest-scored and {len(sampled)} sampled non-identical pairs:")
    for a, b in dict.fromkeys(lowest + sampled):
        _show_pair(a, b, texts, matched[a, b])
    sample = rng.sample(sorted(prints), min(NOISE_SAMPLE, len(prints)))
    print(f"\nrecall under scan-like damage ({len(sample)} texts; at 0.5 / 0.6 / 0.7 / 0.8):")
    for rate in NOISE_RATES:
        scores = []
        for doc_id in sample:
            copy = fingerprint([_scanned(texts[doc_id], rng, rate)])
            scores.append(similarity(copy.signature, prints[doc_id].signature) if copy else 0.0)
        shares = " / ".join(
            f"{sum(x >= t for x in scores) / len(scores):.3f}" for t in (0.5, 0.6, 0.7, 0.8)
        )
        print(f"  {100 * rate:.1f}% of letters changed: {shares}")


if __name__ == "__main__":
    main()
