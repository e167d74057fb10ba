"""German dates in text: the document date and every date mentioned, OCR-tolerant."""

from __future__ import annotations

import difflib
import re
from datetime import date

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
# "Bonn, 24. Februar 2024." / "Kyjiw (27. März 2024) –" / "Karlsruhe 12.03.2009" / "vom: 22.04.2016"
# and "… (SPD) vom 18. August 2006" ending a line (an Antrag's own date) / "Fassung: 29.09.2011"
# (not "in der Fassung vom …" of a law cited) / a line holding only a date.
_DATELINE = re.compile(
    rf"^[ \t]*(?:vom:?[ \t]*(?=\S+(?:[ \t]+\S+){{0,2}}[ \t.]*$)|"
    rf"[A-ZÄÖÜ][\w\-. ]{{1,40}}(?:,[ \t]*|[ \t]\()|"
    rf"[A-ZÄÖÜ][\w-]+[ \t]+(?=[\d. ]+$))({DATE.pattern})|"
    rf"(?:\)|fraktion)[ \t]+vom[ \t]+({DATE.pattern})[ \t.]*$|"
    rf"(?<!der )\bFassung[ \t]*(?:vom)?:?[ \t]*({DATE.pattern})|"
    rf"^[ \t]*({DATE.pattern})[ \t.]*$",
    re.MULTILINE | re.IGNORECASE,
)
_LAW_GROUP, _LONE_DATE_GROUP = 3, 4
# "vom 19.12.12": old forms write the year with two digits.
_SHORT_YEAR = re.compile(r"^[ \t]*vom:?[ \t]*(\d{1,2})\.(\d{1,2})\.(\d{2})[ \t]*$", re.MULTILINE)
# Karlsruhe's papers close with the office that issued them and the day: "Hauptamt -
# Sitzungsdienste - 1. Oktober 2010".
_CLOSING = re.compile(
    rf"Hauptamt\s*[-–]\s*(?:Sitzungsdienste|Ratsangelegenheiten)\s*[-–]\s*({DATE.pattern})"
)
# A lone date below a form's "Termin" label is the session's, in the table's value column;
# below a "Beratungsfolge" or "Gremium Termin" table every date is a session's.
_TABLE_LABEL = re.compile(r"^[ \t]*Termin\b", re.MULTILINE)
_SESSION_TABLE = re.compile(r"Beratungsfolge|^[ \t]*Gremi(?:um|en)[ \t]+Termin", re.MULTILINE)
_LAW_VERSION = re.compile(r"\bder\s*$")
# A date under these labels is when the paper is discussed, not when it was written.
_SESSION_LABEL = re.compile(r"\b(Termin|Sitzung|Beratungsfolge|TOP|Eingang|eingegangen)\b")
_LABEL_LOOKBACK_LINES = 3
_HEADER_LINES = 40
# The month names and abbreviations ``DATE`` admits, by number.
_MONTH_NUMBERS = {
    **{name.lower(): number for number, name in enumerate(MONTHS, start=1)},
    **{"jänner": 1, "maerz": 3, "jan": 1, "feb": 2, "mär": 3, "mrz": 3, "apr": 4, "jun": 6},
    **{"jul": 7, "aug": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dez": 12},
}
_PARTS = re.compile(r"(\d{1,2})\.\s?(?:(\d{1,2})\.\s?|([^\W\d_]+)\.?\s+)(\d{4})")
# OCR reads the 1 of "21" as I, l or |, and splits the digits: "2 I MÜZ. 2024".
_OCR_ONE = re.compile(r"(?<=\d)\s*[Il|]\s*|\s*[Il|](?=\s*\d)")
_SPLIT_DIGITS = re.compile(r"(?<=\d)\s+(?=\d)")
_OCR_DAMAGED = re.compile(r"^\s*(\d{1,2})\s*\.?\s*([A-Za-zÄÖÜäöü]{3,9})\.?\s+(\d{4})")


def parse_german_date(text: str) -> date | None:
    """Parse ``27.03.2024`` or ``27. März 2024``; ``None`` for impossible dates.

    Only the shapes ``DATE`` finds are read, so plain rules do: they give dateparser's dates
    (DMY, strict; a month over 12 read as the day, ``1.13.2024`` as 13 January, as it does)
    without its 0.3 s of language data on every ingest's first date (#18).
    """
    match = _PARTS.fullmatch(text.strip())
    if match is None:
        return None
    day_text, number, name, year = match.groups()
    day = int(day_text)
    month = int(number) if number else _MONTH_NUMBERS.get(name.lower(), 0)
    if number and month > 12 >= day:
        day, month = month, day
    try:
        return date(int(year), month, day)
    except ValueError:
        return None


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
    labels = list(_LABEL.finditer(first))
    for label in labels:
        following = [label.group(1), *first[label.end() :].splitlines()]
        value = next((line.strip() for line in following if line.strip()), "")
        found = _labelled_date(value, mentioned)
        if found or label is labels[-1]:
            return found
    header = "\n".join(first.splitlines()[:_HEADER_LINES])
    for dateline in _DATELINE.finditer(header):
        text = next(g for g in dateline.groups() if g)
        above = header[: dateline.start()]
        if _is_session_or_law(dateline, above):
            continue
        parsed = parse_german_date(text)
        if parsed:
            return Found(parsed.isoformat(), 1, "Datumszeile im Kopf", text)
    return _short_year(header) or _closing(pages)


def _is_session_or_law(dateline: re.Match[str], above: str) -> bool:
    """A session's date (under a session label, in the form's tables) or a cited law's."""
    lookback = " ".join(above.splitlines()[-_LABEL_LOOKBACK_LINES:]) + " " + dateline.group(0)
    lone = dateline.group(_LONE_DATE_GROUP) is not None
    law = dateline.group(_LAW_GROUP) is not None and _LAW_VERSION.search(above[-12:])
    return bool(
        _SESSION_LABEL.search(lookback)
        or (lone and _TABLE_LABEL.search(above))
        or _SESSION_TABLE.search(above)
        or law
    )


def _short_year(header: str) -> Found | None:
    match = _SHORT_YEAR.search(header)
    if not match:
        return None
    day, month, year = match.groups()
    parsed = parse_german_date(f"{day}.{month}.20{year}")
    return (
        Found(parsed.isoformat(), 1, "Datumszeile im Kopf", match.group(0).strip())
        if parsed
        else None
    )


def _closing(pages: list[str]) -> Found | None:
    for number, text in enumerate(pages, start=1):
        match = _CLOSING.search(text)
        parsed = parse_german_date(match.group(1)) if match else None
        if parsed:
            return Found(parsed.isoformat(), number, "Schlusszeile des Hauptamts", match.group(1))
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
