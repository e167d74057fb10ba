"""Scoring one page's OCR text against its ground truth, for bench/ocr_real.py."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

# Dot leaders and fill-in lines of forms: "......", ". . . .", "____", "…". Neither reader is
# expected to reproduce their length, so one CER leaves them out.
_LEADERS = re.compile(r"(?:[.…_]\s?){3,}")
_WORD = re.compile(r"\w+")
# A word broken at a line end: "Men-" / "schen" (transcriptions of old print keep the hyphen;
# Findbuch's clean-up joins it, so each such word costs it two edits against them).
_LINE_END_HYPHEN = re.compile(r"(?<=\w)[-⸗¬]\s*\n\s*(?=[a-zäöüßſ])")
_NUMBER = re.compile(r"\d+")
# A ground-truth line counts as lost when no stretch of the reading matches it this well.
_LINE_FOUND = 80.0


@dataclass(frozen=True)
class Score:
    """One reading of a page against its ground truth."""

    cer: float
    cer_no_leaders: float
    cer_hyphens_joined: float
    wer: float
    words_found: float
    numbers: int
    numbers_found: int
    lines: int
    lines_lost: int
    sections: int
    sections_found: int


def normalised(text: str) -> str:
    """All whitespace collapsed to single spaces."""
    return " ".join(text.split())


def without_leaders(text: str) -> str:
    """The text with dot leaders and fill-in lines removed."""
    return normalised(_LEADERS.sub(" ", text))


def joined(text: str) -> str:
    """The text with every word broken at a line end before a small letter joined."""
    return normalised(_LINE_END_HYPHEN.sub("", text))


def _cer(hypothesis: str, truth: str) -> float:
    return Levenshtein.distance(hypothesis, truth) / max(len(truth), 1)


def _found(hypothesis: list[str], truth: list[str]) -> int:
    """How many of the truth's tokens the hypothesis has (as a multiset)."""
    have = Counter(hypothesis)
    return sum(min(n, have[token]) for token, n in Counter(truth).items())


def score(hypothesis: str, truth: str) -> Score:
    """CER (as read, without dot leaders, line-end hyphens joined on both sides), WER, words
    and numbers found, lines lost."""
    hyp, gt = normalised(hypothesis), normalised(truth)
    hyp_words, gt_words = hyp.split(), gt.split()
    gt_tokens = _WORD.findall(gt)
    lines = [li for li in (without_leaders(x) for x in truth.splitlines()) if len(li) >= 4]
    flat = without_leaders(hypothesis)
    lost = sum(fuzz.partial_ratio(line, flat) < _LINE_FOUND for line in lines)
    gt_numbers = _NUMBER.findall(gt)
    return Score(
        cer=_cer(hyp, gt),
        cer_no_leaders=_cer(flat, without_leaders(truth)),
        cer_hyphens_joined=_cer(joined(hypothesis), joined(truth)),
        wer=Levenshtein.distance(hyp_words, gt_words) / max(len(gt_words), 1),
        words_found=_found(_WORD.findall(hyp), gt_tokens) / max(len(gt_tokens), 1),
        numbers=len(gt_numbers),
        numbers_found=_found(_NUMBER.findall(hyp), gt_numbers),
        lines=len(lines),
        lines_lost=lost,
        sections=gt.count("§"),
        sections_found=min(gt.count("§"), hyp.count("§")),
    )
