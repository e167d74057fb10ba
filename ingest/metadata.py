"""Title and document date, found in the text; nothing is guessed where nothing is found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import dateparser

_MONTHS = (
    "Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|"
    "November|Dezember|Jan|Feb|Mär|Mrz|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}\.\s?(?:\d{{1,2}}\.\s?\d{{4}}|(?:{_MONTHS})\.?\s+\d{{4}})\b", re.IGNORECASE
)
_DATE_LABEL = re.compile(r"^\s*Datum\s*:?\s*(.*)$", re.IGNORECASE | re.MULTILINE)
_MARKDOWN_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_DATEPARSER_SETTINGS = {"DATE_ORDER": "DMY", "STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
# PDF producers often put a placeholder or the file name into the Title field.
_PLACEHOLDER_TITLE = re.compile(
    r"^(untitled|unbenannt|document|dokument\d*)$|\.(docx?|odt|pdf)$|^\S*_\S*$", re.IGNORECASE
)
_TITLE_SEARCH_LINES = 40


@dataclass(frozen=True)
class Metadata:
    """What was found about a document.

    Attributes:
        title: the title, or empty when none was found.
        date: the document date as ISO ``YYYY-MM-DD``, or empty.
    """

    title: str
    date: str


def extract_metadata(pages: list[str], *, pdf_title: str = "") -> Metadata:
    """Find title and date of a document from its pages (and the PDF's own title, if any)."""
    first = pages[0] if pages else ""
    return Metadata(title=find_title(first, pdf_title=pdf_title), date=find_date(first))


def find_title(text: str, *, pdf_title: str = "") -> str:
    """The PDF title, a Markdown heading, or the first line that reads like a headline."""
    if pdf_title and not _PLACEHOLDER_TITLE.search(pdf_title):
        return pdf_title
    for heading in _MARKDOWN_HEADING.findall(text):
        if len(heading.split()) >= 3:
            return heading.strip("*_ ")
    for line in text.splitlines()[:_TITLE_SEARCH_LINES]:
        if _reads_like_headline(line.strip()):
            return line.strip()
    return ""


def _reads_like_headline(line: str) -> bool:
    letters = sum(c.isalpha() or c.isspace() for c in line)
    return (
        len(line.split()) >= 4
        and 20 <= len(line) <= 160
        and letters >= 0.85 * len(line)
        and not line.endswith((",", ":", ";"))
        and line[0].isupper()
    )


def find_date(text: str) -> str:
    """The document date: the value after a ``Datum:`` label, else the first date in the text.

    A labelled date that cannot be read (OCR damage) gives no date rather than a wrong one.
    """
    label = _DATE_LABEL.search(text)
    if label:
        following = label.group(1) or text[label.end() : label.end() + 80]
        match = _DATE.search(following)
        parsed = parse_german_date(match.group(0)) if match else None
        return parsed.isoformat() if parsed else ""
    for match in _DATE.finditer(text):
        parsed = parse_german_date(match.group(0))
        if parsed:
            return parsed.isoformat()
    return ""


def parse_german_date(text: str) -> date | None:
    """Parse ``27.03.2024`` or ``27. März 2024``; ``None`` for impossible dates."""
    parsed = dateparser.parse(text, languages=["de"], settings=_DATEPARSER_SETTINGS)
    return parsed.date() if parsed else None
