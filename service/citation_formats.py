"""The citation formats: German text, BibTeX, RIS and CSL-JSON, made from one ``Citation``.

Every value was cleaned before (``clean``); each format escapes what is special to it. The
format choices are explained in ``service.citation``.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from common.fields import GERMAN_MONTHS

ARCHIVE_NAME = "Findbuch"
SHA_DIGITS = 12
RIS_LINE_END = "\r\n"

_BIBTEX_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(_BIBTEX_SPECIALS)) + "]")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_HEX = re.compile(r"[0-9a-fA-F]+")
URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_ASCII_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_RIS_TYPES = {"council_paper": "RPRT", "web_article": "ELEC"}
_CSL_TYPES = {"council_paper": "report", "web_article": "webpage"}


@dataclass(frozen=True)
class Citation:
    """The cleaned values every format is made from."""

    doc_id: str
    issuer: str
    title: str
    type_label: str
    type_key: str
    date: tuple[int, ...]
    references: tuple[str, ...]
    page: int | None
    permalink: str
    sha_start: str
    retrieved: datetime.date


def clean(value: object) -> str:
    """One line of printable text: NFC, no control characters, whitespace collapsed."""
    if value is None:
        return ""
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def safe_id(doc: dict[str, Any]) -> str:
    """The archive id, reduced to letters and digits (ids are hex in practice)."""
    return re.sub(r"[^0-9A-Za-z]", "", clean(doc.get("doc_id")))


def sha_start(sha256: str) -> str:
    """The first hex digits of the checksum, or empty when there is no valid one."""
    return sha256[:SHA_DIGITS].lower() if _HEX.fullmatch(sha256) else ""


def date_parts(iso: str) -> tuple[int, ...]:
    """(year, month, day) of an ISO date; shorter for ``2024-03`` or ``2024``; else ()."""
    match = _ISO_DATE.fullmatch(iso)
    if not match:
        return ()
    parts = tuple(int(p) for p in match.groups() if p is not None)
    try:
        datetime.date(*parts, *(1,) * (3 - len(parts)))
    except ValueError:
        return ()
    return parts


def page_suffix(page: int | None) -> str:
    """``-s2`` for page 2, empty for the whole document."""
    return "" if page is None else f"-s{page}"


def pages_phrase(count: int) -> str:
    """``1 Seite``, ``2 Seiten`` or ``keine Seiten``."""
    if count == 1:
        return "1 Seite"
    return f"{count} Seiten" if count else "keine Seiten"


def _sha_note(c: Citation) -> str:
    """``SHA-256 (Anfang): c42529a0e07e…``, or empty."""
    return f"SHA-256 (Anfang): {c.sha_start}…" if c.sha_start else ""


def _references_note(c: Citation) -> str:
    """``Az./Nr. V2072/23, SR/049/2023``, or empty."""
    return f"Az./Nr. {', '.join(c.references)}" if c.references else ""


def _iso(parts: Iterable[int]) -> str:
    """``2024-03-27`` (or ``2024-03``, ``2024``) from date parts."""
    return "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))


def _date_tuple(day: datetime.date) -> tuple[int, int, int]:
    """(year, month, day) of a date (or datetime)."""
    return (day.year, day.month, day.day)


# --- text -------------------------------------------------------------------------------


def _german_date(parts: tuple[int, ...]) -> str:
    """``27.03.2024``, ``März 2024`` or ``2024``."""
    if len(parts) == 3:
        return f"{parts[2]:02d}.{parts[1]:02d}.{parts[0]}"
    if len(parts) == 2:
        return f"{GERMAN_MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0]) if parts else ""


def _sentence(text: str) -> str:
    """The text with a full stop, unless it already ends in one (or ?, !)."""
    return text if text.endswith((".", "?", "!", "…")) else f"{text}."


def _kind_phrase(c: Citation) -> str:
    """``Pressemitteilung vom 27.03.2024, S. 2`` from whatever is known."""
    date = _german_date(c.date)
    joiner = " vom " if len(c.date) == 3 else ", "
    kind = joiner.join(p for p in (c.type_label, date) if p)
    page = f"S. {c.page}" if c.page is not None else ""
    return ", ".join(p for p in (kind, page) if p)


def _archive_phrase(c: Citation) -> str:
    """``Findbuch-Archiv, Kennung …, SHA-256 (Anfang): …, URL (abgerufen am …)``."""
    retrieved = _german_date(_date_tuple(c.retrieved))
    link = f"{c.permalink} (abgerufen am {retrieved})"
    parts = (f"{ARCHIVE_NAME}-Archiv", f"Kennung {c.doc_id}", _sha_note(c), link)
    return ", ".join(p for p in parts if p)


def _text(c: Citation) -> str:
    """One German citation paragraph."""
    head = f"{c.issuer}: {c.title}" if c.issuer else c.title
    sentences = (head, _kind_phrase(c), _references_note(c), _archive_phrase(c))
    return " ".join(_sentence(s) for s in sentences if s) + "\n"


# --- BibTeX -----------------------------------------------------------------------------


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX field: LaTeX specials escaped, braces balanced."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_SPECIALS[m.group()], clean(text))


def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits of a name, for a BibTeX key."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII_FOLD))
    return re.sub(r"[^a-z0-9]", "", folded.encode("ascii", "ignore").decode())[:24]


def _bibtex_key(c: Citation) -> str:
    """``saechsischestaatskanzlei2024-c42529a0e07ee995-s2``."""
    year = str(c.date[0]) if c.date else ""
    return f"{_slug(c.issuer) or 'findbuch'}{year}-{c.doc_id}{page_suffix(c.page)}"


def _bibtex_note(c: Citation) -> str:
    """Type, page, references, archive id and checksum start, escaped."""
    page = f"S.~{c.page}" if c.page is not None else ""
    parts = (
        bibtex_escape(c.type_label),
        page,
        bibtex_escape(_references_note(c)),
        f"{ARCHIVE_NAME}-Archiv, Kennung {c.doc_id}",
        bibtex_escape(_sha_note(c)),
    )
    return "; ".join(p for p in parts if p)


def _bibtex_fields(c: Citation) -> list[tuple[str, str]]:
    """(name, raw value) of each field; braced values include their braces."""
    fields = []
    if c.issuer:
        fields.append(("author", f"{{{{{bibtex_escape(c.issuer)}}}}}"))
    fields.append(("title", f"{{{{{bibtex_escape(c.title)}}}}}"))
    if c.date:
        fields.append(("year", f"{{{c.date[0]}}}"))
    if len(c.date) >= 2:
        fields.append(("month", _BIBTEX_MONTHS[c.date[1] - 1]))
    if c.date:
        fields.append(("date", f"{{{_iso(c.date)}}}"))
    fields.append(("note", f"{{{_bibtex_note(c)}}}"))
    fields.append(("url", f"{{{c.permalink}}}"))
    fields.append(("urldate", f"{{{_iso(_date_tuple(c.retrieved))}}}"))
    return fields


def _bibtex(c: Citation) -> str:
    """One ``@misc`` entry."""
    lines = [f"@misc{{{_bibtex_key(c)},"]
    lines += [f"  {name} = {value}," for name, value in _bibtex_fields(c)]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- RIS --------------------------------------------------------------------------------


def _ris_date(parts: tuple[int, ...]) -> str:
    """``2024/03/27/``; missing parts stay empty (``2024///``)."""
    padded = [f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts)]
    padded += [""] * (3 - len(padded))
    return "/".join(padded) + "/"


def _ris_pairs(c: Citation) -> list[tuple[str, str]]:
    """(tag, value) pairs of the entry, ER excluded; empty values are dropped later."""
    return [
        ("TY", _RIS_TYPES.get(c.type_key, "GEN")),
        ("ID", f"{c.doc_id}{page_suffix(c.page)}"),
        ("AU", c.issuer),
        ("TI", c.title),
        ("M3", c.type_label),
        ("PY", str(c.date[0]) if c.date else ""),
        ("DA", _ris_date(c.date) if c.date else ""),
        ("SP", str(c.page) if c.page is not None else ""),
        ("UR", c.permalink),
        ("Y2", _ris_date(_date_tuple(c.retrieved))),
        ("DB", ARCHIVE_NAME),
        ("AN", c.doc_id),
        ("N1", _references_note(c)),
        ("N1", _sha_note(c)),
    ]


def _ris(c: Citation) -> str:
    """One RIS entry, CRLF line ends."""
    lines = [f"{tag}  - {value}" for tag, value in _ris_pairs(c) if value]
    lines.append("ER  - ")
    return RIS_LINE_END.join(lines) + RIS_LINE_END


# --- CSL-JSON ---------------------------------------------------------------------------


def _csl_item(c: Citation) -> dict[str, Any]:
    """One CSL item; only CSL 1.0.2 variable names."""
    item: dict[str, Any] = {
        "id": f"findbuch-{c.doc_id}{page_suffix(c.page)}",
        "type": _CSL_TYPES.get(c.type_key, "document"),
        "title": c.title,
    }
    if c.issuer:
        item["author"] = [{"literal": c.issuer}]
    if c.type_label:
        item["genre"] = c.type_label
    if c.date:
        item["issued"] = {"date-parts": [list(c.date)]}
    item["accessed"] = {"date-parts": [list(_date_tuple(c.retrieved))]}
    item["URL"] = c.permalink
    if c.references:
        item["number"] = ", ".join(c.references)
    if c.page is not None:
        item["page"] = str(c.page)
    item["archive"] = ARCHIVE_NAME
    item["archive_location"] = c.doc_id
    if c.sha_start:
        item["note"] = _sha_note(c)
    return item


def _csl_json(c: Citation) -> str:
    """A CSL-JSON array with one item."""
    return json.dumps([_csl_item(c)], ensure_ascii=False, indent=2) + "\n"


FORMATTERS: dict[str, Callable[[Citation], str]] = {
    "text": _text,
    "bibtex": _bibtex,
    "ris": _ris,
    "csl-json": _csl_json,
}
