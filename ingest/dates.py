"""German dates in text: the document date and every date mentioned, OCR-tolerant."""

from __future__ import annotations

import difflib
import re
from datetime import date

import dateparser

from common.fields import GERMAN_MONTHS
from ingest.found import Found

MONTHS = GERMAN_MONTHS
_MONTH_ALTERNATIVES = (
    "Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|"
    "November|Dezember|Jan|Feb|Mär|Mrz|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez"
)
DATE = re.compile(
    rf"\b\d{{1,2}}\.\s?(?:\d{{1,2}}\.\s?\d{{4}}|(?:{_MONTH_ALTERNATIVES})\.?\s+\d{{4}})\b",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^[ \t]*Datum[ \t]*:?[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE)
# "Bonn, 24. Februar 2024." / "Kyjiw (27. März 2024) –" / "vom 18. Oktober 2013" /
# "Fassung vom 31.05.2016" / a line holding only a date.
_DATELINE = re.compile(
    rf"^[ \t]*(?:(?:Fassung\s*(?:vom)?:?|vom)\s*|[A-ZÄÖÜ][\w\-. ]{{1,40}}(?:,[ \t]*|[ \t]\())"
    rf"({DATE.pattern})|^[ \t]*({DATE.pattern})[ \t.]*$",
    re.MULTILINE | re.IGNORECASE,
)
# A date under these labels is when the paper is discussed, not when it was written.
_SESSION_LABEL = re.compile(r"\b(Termin|Sitzung|Beratungsfolge|TOP|Eingang|eingegangen)\b")
_LABEL_LOOKBACK_LINES = 3
_HEADER_LINES = 40
_SETTINGS = {"DATE_ORDER": "DMY", "STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
# OCR reads the 1 of "21" as I, l or |, and splits the digits: "2 I MÜZ. 2024".
_OCR_ONE = re.compile(r"(?<=\d)\s*[Il|]\s*|\s*[Il|](?=\s*\d)")
_SPLIT_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")
_OCR_DAMAGED = re.compile(r"^\s*(\d{1,2})\s*\.?\s*([A-Za-zÄÖÜäöü]{3,9})\.?\s+(\d{4})")


def parse_german_date(text: str) -> date | None:
    """Parse ``27.03.2024`` or ``27. März 2024``; ``None`` for impossible dates."""
    parsed = dateparser.parse(text, languages=["de"], settings=_SETTINGS)
    return parsed.date() if parsed else None


def find_dates(pages: list[str]) -> list[Found]:
    """Every date mentioned, in order of appearance, each with its page."""
    found = []
    for number, text in enumerate(pages, start=1):
        for match in DATE.finditer(text):
            parsed = parse_german_date(match.group(0))
            if parsed:
                found.append(Found(parsed.isoformat(), number, "Datum im Text", match.group(0)))
    return found


def find_document_date(pages: list[str], mentioned: list[Found]) -> Found | None:
    """The document's own date: a ``Datum:`` label, else a dateline in the header, else none.

    A label damaged by OCR is repaired only when another date in the document confirms its
    month and year; otherwise the date stays empty rather than wrong.
    """
    first = pages[0] if pages else ""
    label = _LABEL.search(first)
    if label:
        following = [label.group(1), *first[label.end() :].splitlines()]
        value = next((line.strip() for line in following if line.strip()), "")
        return _labelled_date(value, mentioned)
    header = "\n".join(first.splitlines()[:_HEADER_LINES])
    for dateline in _DATELINE.finditer(header):
        text = dateline.group(1) or dateline.group(2)
        above = header[: dateline.start()].splitlines()[-_LABEL_LOOKBACK_LINES:]
        if _SESSION_LABEL.search(" ".join(above) + " " + dateline.group(0)):
            continue
        parsed = parse_german_date(text)
        if parsed:
            return Found(parsed.isoformat(), 1, "Datumszeile im Kopf", text)
    return None


def _labelled_date(value: str, mentioned: list[Found]) -> Found | None:
    match = DATE.search(value)
    parsed = parse_german_date(match.group(0)) if match else None
    if parsed:
        return Found(parsed.isoformat(), 1, "Feld „Datum:“", match.group(0))
    repaired = _repair(value)
    if repaired is None:
        return None
    confirming = [f for f in mentioned if f.value[:7] == repaired.isoformat()[:7]]
    if not confirming:
        return None
    method = f"Feld „Datum:“, OCR-Fehler korrigiert, bestätigt durch {confirming[0].text}"
    return Found(repaired.isoformat(), 1, method, value[:40])


def _repair(value: str) -> date | None:
    """Read an OCR-damaged German date such as ``2 I MÜZ. 2024`` (21. März 2024)."""
    cleaned = _SPLIT_DIGITS.sub("", _OCR_ONE.sub("1", value))
    match = _OCR_DAMAGED.match(cleaned)
    if not match:
        return None
    day, month_text, year = match.groups()
    month = difflib.get_close_matches(month_text.capitalize(), MONTHS, n=1, cutoff=0.5)
    if not month:
        return None
    return parse_german_date(f"{int(day)}. {month[0]} {year}")
