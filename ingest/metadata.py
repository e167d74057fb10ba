"""Document metadata found in the text: type, issuer, title, dates, references, persons, places.

Every value carries its page and how it was found; a value that cannot be found stays empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.dates import find_dates, find_document_date
from ingest.entities import find_places
from ingest.found import Found
from ingest.persons import find_persons
from ingest.references import find_references
from ingest.titles import HEADLINE_METHOD, find_title

MEMO = "memo"
PRESS_RELEASE = "press_release"
COUNCIL_PAPER = "council_paper"
LETTER = "letter"
WEB_ARTICLE = "web_article"
OTHER = "other"
DOCUMENT_TYPES = (MEMO, PRESS_RELEASE, COUNCIL_PAPER, LETTER, WEB_ARTICLE, OTHER)

_HEADER_LINES = 40
# The issuer stands in the letterhead or the first paragraph, not further down.
_ISSUER_LINES = 15
_LETTERHEAD_LINES = 30
# Checked in this order on the header of the first page (web cues on the whole page).
_TYPE_CUES = (
    (MEMO, re.compile(r"\b(Hausmitteilung|Aktenvermerk|Vermerk|Aktennotiz)\b")),
    # "Antrag" and "Anfrage" count only as a heading; in a sentence they are everyday words.
    (
        COUNCIL_PAPER,
        re.compile(
            r"\b(Beschlussvorlage|Informationsvorlage|(?i:Vorlage\s+Nr)|Drucksache|"
            r"(?i:Ergänzungsantrag|Änderungsantrag)|Änderungs-/Ergänzungsantrag|"
            r"Stellungnahme der Verwaltung|Niederschrift|"
            r"(?i:Stellungnahme\s+zu[mr]?\s+(?:\w+\s+)?An(?:trag|frage))|"
            r"^(?:DOPPEL)?HAUSHALT\s+\d{4}|Punkt [\d.]+ der Tagesordnung|Beschlussvorschlag|"
            r"OSR-Vorlage)\b|"
            r"^[#*\s]*(ANTRAG|Antrag|ANFRAGE|Anfrage)\b(?!\s+(?:auf|zur|zum|für)\b)[^.\n]{0,60}$",
            re.MULTILINE,
        ),
    ),
    # Only as a heading of its own: "Die vollständige Pressemeldung finden Sie hier" is a web
    # teaser pointing to a press release, not one.
    (
        PRESS_RELEASE,
        re.compile(
            r"^[#*\s]*(Pressemitteilung|Medieninformation|Presseinformation|Pressemeldung|"
            r"Pressenotiz)[*\s]*$|presse@",
            re.IGNORECASE | re.MULTILINE,
        ),
    ),
)
_WEB_CUES = re.compile(
    r"\b(Hauptnavigation|Navigation|Startseite|Cookie|Weiterlesen|finden Sie hier|"
    r"Zum Inhalt springen|Seite teilen)\b|\]\(https?://"
)
_LETTER = re.compile(r"^\s*Sehr geehrte", re.MULTILINE)
# A letter closes with greetings, or its letterhead asks to quote its file number.
_LETTER_CLOSING = re.compile(
    r"Mit freundlichen Grüßen|\(Bitte bei Antwort angeben\)|^\s*(?:Ihr|Unser) Zeichen", re.MULTILINE
)
# Direct quotes with reporting verbs: how press statements without a heading read.
_REPORTING = re.compile(
    r"\b(sagte|erklärte|betonte|bekräftigte|versicherte|bedankte|unterstrich|forderte|mahnte|"
    r"appellierte|so \w+ weiter)\b"
)
_MIN_REPORTING = 2

_TYPE_METHODS = {
    MEMO: "Stichwort im Kopf",
    COUNCIL_PAPER: "Stichwort im Kopf",
    PRESS_RELEASE: "Stichwort im Kopf",
    WEB_ARTICLE: "Seitenelemente einer Webseite",
    LETTER: "Anrede und Grußformel",
    OTHER: "keine Merkmale gefunden",
}

_CITY_BODY = (
    r"(?:Landeshauptstadt|Hansestadt|Universitätsstadt|Große Kreisstadt|Stadt|Gemeinde|"
    r"Landkreis|Markt|Bezirksamt)\s+(?-i:[A-ZÄÖÜ])[\w-]+"
)
_STATE_BODY = (
    r"(?:[A-ZÄÖÜ][a-zäöü]+e\s+)?Staatskanzlei(?:\s+[A-ZÄÖÜ][\w-]+)?|"
    r"Landesregierung\s+[A-ZÄÖÜ][\w-]+|Freistaat\s+[A-ZÄÖÜ][\w-]+|"
    r"(?:Regierungs|Polizei)präsidium[ \t]+(?-i:[A-ZÄÖÜ])[\w-]+|"
    r"Landratsamt[ \t]+(?-i:[A-ZÄÖÜ])[\w-]+|"
    r"(?:[A-ZÄÖÜ][a-zäöü]+es\s+)?Staatsministerium\s+(?:für|des|der)\s+[\w ,]+?(?=\n|$|\.)"
)
_ASSOCIATION = r"Deutsche[rns]?\s+(?:Landkreistag|Städtetag|Städte-\s+und\s+Gemeindebund)(?:es)?"
_ISSUER = re.compile(rf"\b({_ASSOCIATION}|{_STATE_BODY}|{_CITY_BODY})", re.IGNORECASE)
# In running text only associations and state bodies name the issuer ("der Präsident des
# Deutschen Landkreistages"); a city named in a sentence is usually the subject, not the author.
_ASSOCIATION_RE = re.compile(_ASSOCIATION, re.IGNORECASE)
# By-laws and guidelines name their issuer in their title.
_BY_LAW = re.compile(
    rf"^(?:\w*[Ss]atzung|Richtlinie|\w*[Vv]erordnung)\b.*?\bder\s+({_CITY_BODY})\b", re.IGNORECASE
)
_STATE_RE = re.compile(rf"(?:{_STATE_BODY})", re.IGNORECASE)


@dataclass(frozen=True)
class Metadata:
    """Everything found about a document; single values are ``None`` when not found."""

    doc_type: Found
    issuer: Found | None
    title: Found | None
    date: Found | None
    dates: tuple[Found, ...]
    references: tuple[Found, ...]
    persons: tuple[Found, ...]
    places: tuple[Found, ...]


def extract_metadata(pages: list[str], *, pdf_title: str = "", pdf_author: str = "") -> Metadata:
    """Find the metadata of a document from its pages and the file's own properties."""
    dates = find_dates(pages)
    first = pages[0] if pages else ""
    title = find_title(first, pdf_title=pdf_title)
    return Metadata(
        doc_type=find_type(first, closing="\n".join(pages)),
        issuer=find_issuer(first, pdf_author=pdf_author, heading=_heading(title)),
        title=title,
        date=find_document_date(pages, dates),
        dates=tuple(dates),
        references=tuple(find_references(pages)),
        persons=tuple(find_persons(pages)),
        places=tuple(find_places(pages)),
    )


def _heading(title: Found | None) -> str:
    """The title when it is the document's own heading (not a form's subject line)."""
    return title.value if title and title.method == HEADLINE_METHOD else ""


def find_type(text: str, *, closing: str = "") -> Found:
    """Memo, press release, council paper, letter, web article, or other.

    ``closing`` is the whole document, where a letter's greeting stands (often on its last page).
    """
    header = "\n".join(text.splitlines()[:_HEADER_LINES])
    for doc_type, cue in _TYPE_CUES:
        match = cue.search(header)
        if match:
            return Found(doc_type, 1, f"{_TYPE_METHODS[doc_type]} „{match.group(0).strip()}“")
    if _WEB_CUES.search(text):
        return Found(WEB_ARTICLE, 1, _TYPE_METHODS[WEB_ARTICLE])
    if _LETTER.search(header) and _LETTER_CLOSING.search(closing or text):
        return Found(LETTER, 1, _TYPE_METHODS[LETTER])
    if len(_REPORTING.findall(text)) >= _MIN_REPORTING:
        return Found(PRESS_RELEASE, 1, "Zitate mit Redeeinleitung (Pressestil)")
    return Found(OTHER, 1, _TYPE_METHODS[OTHER])


def find_issuer(text: str, *, pdf_author: str = "", heading: str = "") -> Found | None:
    """The issuing body: the PDF's author field, a letterhead, the opening, or a by-law's title.

    A by-law or guideline names its issuer in its heading (``Satzung … der Stadt Karlsruhe``).

    A body named in running text further down ("die Stadt Stuttgart hat …") is not the issuer,
    nor is the addressee of a letter (a body followed by ``Herrn …``).
    """
    if pdf_author and _ISSUER.fullmatch(pdf_author.strip()):
        return Found(_normalise_body(pdf_author.strip()), 0, "PDF-Eigenschaft „Autor“")
    lines = text.splitlines()
    letterhead = _letterhead(lines[:_LETTERHEAD_LINES])
    if letterhead:
        return letterhead
    for match in _ISSUER.finditer("\n".join(lines[:_ISSUER_LINES])):
        if _ASSOCIATION_RE.fullmatch(match.group(1)) or _STATE_RE.match(match.group(1)):
            found = match.group(1)
            return Found(_normalise_body(found), 1, "Behördenname im Eingangstext", found)
    by_law = _BY_LAW.match(heading)
    if by_law:
        return Found(_normalise_body(by_law.group(1)), 1, "Titel der Satzung oder Richtlinie")
    return None


def _letterhead(lines: list[str]) -> Found | None:
    """A line (or a column of one, in a two-column head) that names only the body."""
    for i, line in enumerate(lines):
        for cell in re.split(r"\s{3,}|\s\|\s", line.strip()):
            match = _ISSUER.fullmatch(cell.strip(" .,:*#©|"))
            if match and not _addressee(lines[i + 1 :]):
                return Found(_normalise_body(match.group(1)), 1, "Briefkopf", match.group(1))
    return None


def _addressee(below: list[str]) -> bool:
    following = next((line.strip() for line in below if line.strip()), "")
    return bool(re.match(r"(?:Herrn?|Frau|An)\b", following))


def _normalise_body(name: str) -> str:
    """``STADT KARLSRUHE`` -> ``Stadt Karlsruhe``; ``Deutschen Landkreistages`` -> nominative."""
    name = " ".join(name.split())
    if name.isupper():
        name = name.title()
    name = re.sub(r"^Deutsche[ns]?\s+(Landkreistag|Städtetag)(?:es)?$", r"Deutscher \1", name)
    return re.sub(r"^Deutsche[nr]?\s+(Städte- und Gemeindebund)(?:es)?$", r"Deutscher \1", name)
