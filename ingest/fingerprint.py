"""Same text in several files: MinHash of word shingles finds candidates, an alignment decides.

A scan and a born-digital PDF of one letter differ in OCR errors, line breaks, hyphenation and
page furniture, so exact hashes miss them; a council paper and its sister paper (the same
statement on two motions, a by-law and its next amendment) differ in a few words and numbers
and must stay apart. Two steps, both classic:
- the fingerprint (Broder 1997; Leskovec, Rajaraman, Ullman, *Mining of Massive Datasets*,
  ch. 3): folded words cut into overlapping 3-word shingles, summarised by the minima of
  ``PERMUTATIONS`` hash functions; the share of equal minima estimates the Jaccard similarity,
  and locality-sensitive hashing (``BANDS`` bands of ``ROWS`` minima) finds candidates without
  comparing every pair. A form header shared by council papers stays far below ``CANDIDATE``;
- the decision: the candidate's words are aligned with the document's (difflib), and the
  words that differ other than as OCR misreadings (a letter or two changed, words split or
  joined) may be at most ``MAX_DIFFERING`` of the text, and no number may be replaced by
  another (OCR misreads digits as letters, ``2O13``, rarely as other digits).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

PERMUTATIONS = 128
BANDS, ROWS = 32, 4  # candidates from about 0.4 similarity on; BANDS * ROWS == PERMUTATIONS
SHINGLE_WORDS = 3
# Fewest words a text needs to be compared: a short note says too little to be "the same".
MIN_WORDS = 40
# Candidates from this estimated similarity on: copies with 1% of their letters changed score
# 0.6-0.7, council papers sharing only a 30-word form header 0.24 (bench/duplicates).
CANDIDATE = 0.4
# bench/duplicates on 10,000 Karlsruhe texts: pairs read between 2% and 3% were mostly
# versions of a paper (an inserted clause, a changed word); copies with 1% of their letters
# changed differ in at most 1.9%, Findbuch's OCR gets 0.1% of characters wrong.
MAX_DIFFERING = 0.02
_MISREAD = 0.6  # least letter similarity of a word and its OCR misreading

_HYPHENATED = re.compile(r"(\w)-\s*\n\s*(\w)")
_WORD = re.compile(r"[^\W_]{2,}")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_CHUNK = 4096  # shingles hashed at once: 4 MiB of work memory, however long the text
_rng = np.random.default_rng(19)  # fixed: fingerprints must compare across runs and homes
_SEEDS = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_MULTIPLIERS = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)


@dataclass(frozen=True)
class Fingerprint:
    """The MinHash signature of a text.

    Attributes:
        signature: ``PERMUTATIONS`` minima, as bytes (little-endian unsigned 64-bit).
        words: how many words the text has.
    """

    signature: bytes
    words: int

    def bands(self) -> list[int]:
        """One hash per LSH band; texts sharing any band are candidates."""
        values = np.frombuffer(self.signature, dtype="<u8")
        return [
            int.from_bytes(
                hashlib.blake2b(values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=7).digest()
            )
            for b in range(BANDS)
        ]


def words_of(text: str) -> list[str]:
    """The folded words of a text: lower case, umlauts spelled out, hyphenation undone."""
    text = _HYPHENATED.sub(r"\1\2", unicodedata.normalize("NFKC", text))
    return _WORD.findall(text.casefold().translate(_FOLD))


def fingerprint(texts: Iterable[str]) -> Fingerprint | None:
    """The fingerprint of a document's page texts, or ``None`` when it has too few words."""
    words = words_of("\n".join(texts))
    if len(words) < MIN_WORDS:
        return None
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest()) for s in shingles),
        dtype=np.uint64,
        count=len(shingles),
    )
    signature = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), _CHUNK):
        signature = np.minimum(signature, _minima(hashes[start : start + _CHUNK]))
    return Fingerprint(signature=signature.astype("<u8").tobytes(), words=len(words))


def _minima(hashes: np.ndarray) -> np.ndarray:
    # One hash function per permutation: xor a seed, multiply by an odd number (mod 2**64),
    # mix the high bits down (as the finaliser of splitmix64 does).
    mixed = (hashes[None, :] ^ _SEEDS[:, None]) * _MULTIPLIERS[:, None]
    mixed ^= mixed >> np.uint64(31)
    return mixed.min(axis=1)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets (0 to 1)."""
    left, right = np.frombuffer(a, dtype="<u8"), np.frombuffer(b, dtype="<u8")
    return float(np.mean(left == right))


def differing_share(left: list[str], right: list[str]) -> float:
    """The share of words that differ other than as OCR misreadings, of the longer text.

    A number replaced by another (a date, a paper's number, a session) makes it 1.0: two
    versions of a paper, or one text sent to two committees, are different documents.
    """
    if left == right:
        return 0.0
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    differing = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = left[i1:i2], right[j1:j2]
        if op == "equal" or "".join(a) == "".join(b):  # equal, or only split or joined
            continue
        numbers = sorted(w for w in a if w.isdigit()), sorted(w for w in b if w.isdigit())
        if all(numbers) and numbers[0] != numbers[1]:
            return 1.0
        if len(a) == len(b) and all(map(_misread, a, b)):
            continue
        differing += max(len(a), len(b))
    return differing / max(len(left), len(right), 1)


def _misread(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= _MISREAD
