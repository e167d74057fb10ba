"""Clean extracted text: Unicode NFC, hyphenation at line ends, stray control characters, `§`."""

from __future__ import annotations

import re
import unicodedata

# "Solidaritäts-\npartnerschaft" -> "Solidaritätspartnerschaft"; "Hilfs-\nund" keeps its hyphen
# (a German suspended compound), as do breaks before a capital ("Nordrhein-\nWestfalen").
_SOFT_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(?!(?:und|oder|bzw|sowie)\b)([a-zäöüß])")
# The word broken before a capital starts with one itself: "Nordrhein-", "Baden-"; a small
# fragment ("zu er-") continues in small letters, so a capital next line is another field.
_HYPHEN_END = re.compile(r"(?<!\S)[A-ZÄÖÜ][\w-]*\w-[ \t]*$")
_CAPITAL_START = re.compile(r"[ \t]*[A-ZÄÖÜ]")
# A compound's head with its joint s ("Unterhalts-") goes on in small letters
# ("Unterhalts-\nzahlung"); a capital after it is the next cell of a table row ("Mutter)"), as
# is a word closing a bracket the line never opened.
_LINKING_S = re.compile(r"[a-zäöüß]s-[ \t]*$")
_CELL_START = re.compile(r"[ \t]*[^\s(]*\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad]")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")
# A hyphen before a capital joins only at the end of a line of running text: at least this share
# of the page's long lines, and more than one word. A form's label ("E-Mail-", "Unterhalts-")
# stands alone on its line, and the next line is the next field ("PLZ Ort", "Mutter)").
_RUNNING_SHARE = 0.6
# "$ 5", "$$ 3 bis 5": Tesseract's reading of "§" before a number. "8 5 Abs. 1" becomes
# "§ 5 Abs. 1" only where a legal designator follows, since "8 5" alone may be two numbers.
_DOLLAR_SECTION = re.compile(r"(?<![\w$-])\$(\$?)[ \t]?(?=\d)")
_EIGHT_SECTION = re.compile(
    r"(?<![\w.,/-])8[ \t](?=\d+[a-z]?[ \t]+(?:Abs\.|Absatz|Satz|S\.[ \t]*\d|Nr\.|Nummer"
    r"|[A-Z][A-Za-z]*(?:G|O|V|B)\b))"
)


def _long_line(lines: list[str]) -> int:
    """The length of the page's long lines (90th percentile), 1 for an empty page."""
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 1


def _join_capital_breaks(text: str) -> str:
    """A line ending ``Nordrhein-`` joins ``Westfalen`` in running text, not in forms."""
    lines = text.split("\n")
    width = _long_line(lines)
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        stripped = previous.strip()
        if (
            _HYPHEN_END.search(previous)
            and _CAPITAL_START.match(line)
            and len(stripped) >= _RUNNING_SHARE * width
            and len(stripped.split()) > 1
            and not _LINKING_S.search(previous)
            and not _CELL_START.match(line)
        ):
            out[-1] = previous.rstrip() + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def section_signs(text: str) -> str:
    """``$ 5`` and ``8 5 Abs. 1`` as ``§ 5`` and ``§ 5 Abs. 1``, where the context is certain."""
    text = _DOLLAR_SECTION.sub(lambda m: "§§ " if m.group(1) else "§ ", text)
    return _EIGHT_SECTION.sub("§ ", text)


def clean_page_text(text: str) -> str:
    """Text as indexed and shown: NFC, words joined across line breaks, tidy whitespace."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SOFT_BREAK.sub(r"\1\2", text)
    text = _join_capital_breaks(text)
    text = section_signs(text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
