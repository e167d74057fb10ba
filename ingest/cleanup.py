"""Clean extracted text: Unicode NFC, hyphenation at line ends, stray control characters."""

from __future__ import annotations

import re
import unicodedata

# "Solidaritäts-\npartnerschaft" -> "Solidaritätspartnerschaft"; "Hilfs-\nund" keeps its hyphen
# (a German suspended compound), as do breaks before a capital ("Nordrhein-\nWestfalen").
_SOFT_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(?!(?:und|oder|bzw|sowie)\b)([a-zäöüß])")
_HARD_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(?=[A-ZÄÖÜ])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad]")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_page_text(text: str) -> str:
    """Text as indexed and shown: NFC, words joined across line breaks, tidy whitespace."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SOFT_BREAK.sub(r"\1\2", text)
    text = _HARD_BREAK.sub(r"\1-", text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
