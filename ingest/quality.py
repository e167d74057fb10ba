"""How readable an OCR'd page is, and whether to flag it as read badly.

Tesseract's mean word confidence alone misses badly read pages: on the BGBl forms pages read
at 41-88% word error rate have a mean confidence of 73-93, above ``low_confidence`` (60). The
text itself tells more: a badly read page holds tokens no dictionary knows (letters mixed with
digits and punctuation, fragments of grey fills and stamps), and many words Tesseract itself
doubted. A page Tesseract cut into many small paragraphs (form fields and table cells taken one
by one, columns of a table read one after another), or whose lines it cut between two blocks
where the words touch (``Verlängerun`` … ``g einer Fahrerlaubnis``), holds its words in an
order nobody can vouch for. Thresholds measured on bench/ocr_real.py (bench/RESULTS.md).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from common.wordlist import german_words
from ingest.ocr import OcrPage

# Tokens with a letter or digit; rules and table bars ("|", "–") are neither right nor wrong.
_TOKEN = re.compile(r"\S*[^\W_]\S*")
_LETTERS = re.compile(r"[A-Za-zÄÖÜäöüß]+")
# A word as printed: letters (hyphenated parts allowed), with brackets, quotes, punctuation.
_CLEAN = re.compile(r"^[(„\"'/]?[A-Za-zÄÖÜäöüß]+(?:[-/][A-Za-zÄÖÜäöüß]+)*-?[)\"“.,:;!?']*$")
_NUMBERLIKE = re.compile(r"^[(„]?[\d.,:/%€§()-]*\d[\d.,:/%€§()-]*[“)]?[.,:;]?$")
_MIN_PART = 3
# Tesseract's word confidence under which it doubts the word.
_DOUBTFUL = 50.0
# Below this many tokens a page is not judged by its words (a stamp, a page number).
_MIN_TOKENS = 8
# A page is flagged when fewer of its tokens than this share are known words or numbers, or
# Tesseract doubted more of its words than the rest of this share.
LOW_SHARE = 0.85
# A page is read as fragments when Tesseract found at least this many paragraphs per 100 of
# its words. On bench/ocr_real.py's forms the pages read in a wrong order (table cells and the
# columns of a table head as paragraphs of their own) measured 18.5-25; the forms read in order
# and the clean scans at most 14.7.
FRAGMENTED = 16.0
# A page is flagged when Tesseract cut this many of its lines between two blocks at a point where
# the words touch, closer than a space (``_TOUCHING`` of the line height): 4-5 on the forms read
# in a wrong order, 0 on every page read in order; one such cut may be a field beside a number.
CUT_LINES = 2
_TOUCHING = 0.3


@dataclass(frozen=True)
class PageQuality:
    """What a page's readability is made of.

    Attributes:
        tokens: the page's whitespace-separated tokens.
        known: share of tokens that are dictionary words (or compounds of two), numbers or
            dates, 0-1.
        confident: share of Tesseract's words read with a confidence of at least 50, 0-1.
        paragraphs: Tesseract's paragraphs per 100 of its words.
        cut_lines: lines that end in one block where a line of another block goes on at once.
    """

    tokens: int
    known: float
    confident: float
    paragraphs: float = 0.0
    cut_lines: int = 0

    @property
    def score(self) -> float:
        """0 (unreadable) to 1: the lower of the two shares."""
        return min(self.known, self.confident)

    @property
    def fragmented(self) -> bool:
        """Whether the page was read as fragments, in an order that cannot be trusted."""
        return self.paragraphs >= FRAGMENTED


def is_word(letters: str, words: frozenset[str]) -> bool:
    """A dictionary word, or a compound of two (``Verfahrens|kostenhilfe``, joint ``s``)."""
    low = letters.lower()
    if low in words or len(low) <= 2:
        return low in words or len(low) <= 2
    for cut in range(_MIN_PART, len(low) - _MIN_PART + 1):
        head, tail = low[:cut], low[cut:]
        if tail in words and (head in words or (head.endswith("s") and head[:-1] in words)):
            return True
    return False


def _known(token: str, words: frozenset[str]) -> bool:
    if _NUMBERLIKE.match(token):
        return True
    return bool(_CLEAN.match(token)) and all(
        is_word(part, words) for part in _LETTERS.findall(token)
    )


def _words(tsv: str) -> list[dict[str, str]]:
    """Tesseract's recognised words (TSV rows with text and a confidence)."""
    rows = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [row for row in rows if row.get("text", "").strip() and row["conf"] != "-1"]


def _confident_share(words: list[dict[str, str]]) -> float:
    confidences = [float(row["conf"]) for row in words]
    return sum(c >= _DOUBTFUL for c in confidences) / len(confidences) if confidences else 0.0


def _paragraphs(words: list[dict[str, str]]) -> float:
    """Paragraphs (within blocks) per 100 words."""
    paragraphs = {(row["block_num"], row["par_num"]) for row in words}
    return 100 * len(paragraphs) / len(words) if words else 0.0


def _cut_lines(words: list[dict[str, str]]) -> int:
    """Lines whose last word touches the first word of a line in another block, beside it."""
    lines: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in words:
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    ends = [(key[0], _box(line[-1])) for key, line in lines.items()]
    starts = [(key[0], _box(line[0])) for key, line in lines.items()]
    return sum(
        any(block != other and _touch(end, start) for other, start in starts) for block, end in ends
    )


def _box(row: dict[str, str]) -> tuple[int, int, int, int]:
    return int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"])


def _touch(end: tuple[int, int, int, int], start: tuple[int, int, int, int]) -> bool:
    """Whether ``start`` goes on right after ``end`` on the same line (similar height, no space)."""
    left, top, width, height = end
    left2, top2, _, height2 = start
    taller, shorter = max(height, height2), min(height, height2)
    if taller - shorter > 0.5 * taller:
        return False
    if min(top + height, top2 + height2) - max(top, top2) < 0.6 * shorter:
        return False
    return -2 <= left2 - (left + width) <= _TOUCHING * taller


def page_quality(page: OcrPage, text: str) -> PageQuality:
    """The readability of one OCR'd page, from its cleaned text and Tesseract's word boxes."""
    tokens = _TOKEN.findall(text)
    words = german_words().words
    known = sum(_known(t, words) for t in tokens) / len(tokens) if tokens else 0.0
    read = _words(page.words_tsv)
    return PageQuality(
        len(tokens), known, _confident_share(read), _paragraphs(read), _cut_lines(read)
    )


def ocr_problem(page: OcrPage, text: str, low_confidence: float) -> str:
    """Why the page is flagged as read badly (German, for the user), or empty."""
    if page.confidence < low_confidence:
        return f"geringe Erkennungssicherheit ({max(page.confidence, 0):.0f} %)"
    quality = page_quality(page, text)
    if quality.tokens < _MIN_TOKENS:
        return ""
    if quality.score < LOW_SHARE:
        return (
            f"schlecht lesbar ({quality.known:.0%} bekannte Wörter, "
            f"{quality.confident:.0%} sicher erkannt)"
        ).replace("%", " %")
    if quality.cut_lines >= CUT_LINES:
        return (
            f"Zeilen zwischen Textblöcken zerschnitten ({quality.cut_lines}), Reihenfolge unsicher"
        )
    if quality.fragmented:
        return (
            f"in Bruchstücken gelesen ({quality.paragraphs:.0f} Absätze auf 100 Wörter), "
            "Reihenfolge unsicher"
        )
    return ""


def low_quality(page: OcrPage, text: str, low_confidence: float) -> bool:
    """Whether the page is flagged as read badly (see ``ocr_problem``)."""
    return bool(ocr_problem(page, text, low_confidence))
