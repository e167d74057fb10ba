r"""Reference numbers: papers (V2072/23), sessions (SR/049/2023), Drucksachen and file references.

Each is normalised to one canonical form and kept with the spelling found, so ``V 2072/23`` and
the OCR reading ``\/2072/23`` both become ``V2072/23``.
"""

from __future__ import annotations

import re

from ingest.found import Found

PAPER = "vorlage"
SESSION = "sitzung"
PRINTED = "drucksache"
FILE = "gz"

# V2072/23, V 2072/23, V2072-23; "\/" and a bare "/" are how OCR reads the V after "zu".
_PAPER = re.compile(r"(?<![\w/])(?:(V)\s?|(\\/)|(?<=zu )(/))(\d{3,5})[/-](\d{2})\b")
# Karlsruhe and others: "Vorlage Nr.: 2013/0140", "Vorlage Nr. 440".
_PAPER_LABELLED = re.compile(
    r"\bVorlage\s*(?:Nr\.?|Nummer)?\s*:?\s*(\d{4}/\d{3,5}(?:/\d{1,2})?|\d{2,6}(?![/\d]))(?![\d/])",
    re.IGNORECASE,
)
# Year/number paper numbers as council information systems print them: 2013/0140.
_PAPER_YEAR_NUMBER = re.compile(r"(?<![\w/])((?:19|20)\d{2}/\d{4}(?:/\d{1,2})?)(?![\w/])")
# Year ranges are not paper numbers: "Doppelhaushalt 2015/2016", "Schuljahr 2014/2015".
_NOT_PAPER_BEFORE = re.compile(
    r"(Haushalt\w*|DHH|Schuljahr\w*|Jahre?n?|Verordnung|Richtlinie|Saison|Wintersemester|"
    r"Sommersemester|Spielzeit)\s*(\(\w+\))?\s*$",
    re.IGNORECASE,
)
_SESSION = re.compile(r"(?<![\w/])([A-Z]{1,4})/(\d{2,4})/(\d{4})\b")
_PRINTED = re.compile(r"\bDrucksache\s*(?:Nr\.?)?\s*:?\s*(\d{1,2}/\d{1,6})\b", re.IGNORECASE)
_FILE_LABEL = re.compile(
    r"^[ \t]*(?:GZ|Gz\.|Geschäftszeichen|Aktenzeichen|Az\.)[ \t]*:?[ \t]*(.*)$", re.MULTILINE
)
_FILE_VALUE = re.compile(r"^[\w()./\- ]{2,40}$")
# A file reference ends before the first plain word ("924.008 Eigentumsaufgabe").
_FILE_REFERENCE = re.compile(
    r"^(?:\(?[\w.]*\d[\w./()-]*\)?|\([A-ZÄÖÜ]{1,6}\))(?:\s+[\w./()-]*\d[\w./()-]*)*"
)
_FILE_LOOKAHEAD_LINES = 3


# Old forms list their labels, then the values in the same order: "Termin:", "Vorlage Nr.:",
# "TOP:" and then "11.09.2007", "1095", "17".
_TABLE_LABEL = re.compile(r"^(Gremium|Termin|Vorlage\s*Nr\.?|TOP|Verantwortlich)\s*:\s*$")
_LONE_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
_TABLE_NUMBER = re.compile(r"^(\d{4}/\d{3,5}(?:/\d{1,2})?|\d{1,5})$")
_TABLE_VALUE = re.compile(r"^\d[\d.]*(?:\s?[a-z])?$")


def find_references(pages: list[str]) -> list[Found]:
    """Every reference number in the document, first occurrence of each, in order."""
    found: dict[tuple[str, str], Found] = {}
    for number, text in enumerate(pages, start=1):
        for ref in (
            *_papers(text, number),
            *_sessions(text, number),
            *_printed(text, number),
            *_file_references(text, number),
            *_table_paper(text, number),
        ):
            found.setdefault((ref.kind, ref.value), ref)
    return sorted(found.values(), key=lambda f: f.page)


def _papers(text: str, page: int) -> list[Found]:
    refs = []
    for m in _PAPER.finditer(text):
        _, ocr_v, bare_slash, number, year = m.groups()
        method = "Vorlagennummer"
        if ocr_v or bare_slash:
            method = "Vorlagennummer, OCR-Lesung „" + (ocr_v or bare_slash) + "“ als V korrigiert"
        refs.append(Found(f"V{number}/{year}", page, method, m.group(0), PAPER))
    for m in _PAPER_LABELLED.finditer(text):
        refs.append(Found(m.group(1), page, "Feld „Vorlage Nr.“", m.group(0), PAPER))
    for m in _PAPER_YEAR_NUMBER.finditer(text):
        if not _is_year_range(m.group(1), text[max(0, m.start() - 40) : m.start()]):
            refs.append(Found(m.group(1), page, "Vorlagennummer (Jahr/Nummer)", m.group(0), PAPER))
    return refs


def _is_year_range(value: str, before: str) -> bool:
    first, second = value.split("/")[:2]
    return int(second) == int(first) + 1 or bool(_NOT_PAPER_BEFORE.search(before))


def _sessions(text: str, page: int) -> list[Found]:
    return [
        Found(
            f"{m.group(1)}/{m.group(2)}/{m.group(3)}", page, "Sitzungsnummer", m.group(0), SESSION
        )
        for m in _SESSION.finditer(text)
    ]


def _printed(text: str, page: int) -> list[Found]:
    return [
        Found(m.group(1), page, "Drucksachennummer", m.group(0), PRINTED)
        for m in _PRINTED.finditer(text)
    ]


def _file_references(text: str, page: int) -> list[Found]:
    """The value after a GZ/Aktenzeichen label, on its line or one of the next few lines."""
    refs = []
    for m in _FILE_LABEL.finditer(text):
        candidates = [m.group(1), *text[m.end() :].splitlines()[1 : _FILE_LOOKAHEAD_LINES + 1]]
        value = next((c.strip() for c in candidates if c.strip()), "")
        kept = _FILE_REFERENCE.match(value)
        if _FILE_VALUE.match(value) and kept and any(c.isdigit() for c in kept.group(0)):
            refs.append(Found(" ".join(kept.group(0).split()), page, "Feld „GZ:“", value, FILE))
    return refs


def _table_paper(text: str, page: int) -> list[Found]:
    """The paper number in an old form's value column, where "Vorlage Nr.:" follows "Termin:".

    Only when the values after the session date are as many as the labels after "Termin:";
    with fewer, which value is the paper number cannot be told.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    labels = [i for i, line in enumerate(lines) if _TABLE_LABEL.match(line)]
    names = [lines[i].split()[0].rstrip(":").lower() for i in labels]
    if "termin" not in names or "vorlage" not in names:
        return []
    after_term = names[names.index("termin") + 1 :]
    if not after_term or after_term[0] != "vorlage":
        return []
    wanted = len([n for n in after_term if n in ("vorlage", "top")])
    date = next((i for i in range(labels[-1] + 1, len(lines)) if _LONE_DATE.match(lines[i])), None)
    if date is None:
        return []
    values = []
    for line in lines[date + 1 : date + 1 + wanted]:
        if not _TABLE_VALUE.match(line) and not _TABLE_NUMBER.match(line):
            break
        values.append(line)
    if len(values) < wanted or not _TABLE_NUMBER.match(values[0]):
        return []
    return [
        Found(values[0], page, "Wertspalte des Formulars unter „Vorlage Nr.“", values[0], PAPER)
    ]
