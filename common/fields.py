"""The metadata fields of a document: names, German labels, and how edits are read.

One name per concept, from the ``edit`` command to the catalog column and the JSON key.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.errors import FindbuchError

LOCAL_ZONE = "Europe/Berlin"
SINGLE_FIELDS = ("type", "issuer", "title", "date", "note")
LIST_FIELDS = ("dates", "references", "persons", "places")
FIELDS = SINGLE_FIELDS + LIST_FIELDS

FIELD_LABELS = {
    "type": "Dokumenttyp",
    "issuer": "Herausgeber",
    "title": "Titel",
    "date": "Datum",
    "dates": "Erwähnte Daten",
    "references": "Aktenzeichen und Nummern",
    "persons": "Personen",
    "places": "Orte",
    "note": "Notiz",
}
DOCUMENT_TYPES = {
    "memo": "Vermerk",
    "press_release": "Pressemitteilung",
    "council_paper": "Ratsvorlage",
    "letter": "Brief",
    "web_article": "Webartikel",
    "other": "Sonstiges",
}
# What users may type for a type, besides the key and its label.
TYPE_SYNONYMS = {
    "hausmitteilung": "memo",
    "aktenvermerk": "memo",
    "medieninformation": "press_release",
    "presseinformation": "press_release",
    "vorlage": "council_paper",
    "beschlussvorlage": "council_paper",
    "beschluss": "council_paper",
    "drucksache": "council_paper",
    "antrag": "council_paper",
    "webseite": "web_article",
}
GERMAN_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
LIST_SEPARATOR = ";"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def german_date(iso: str) -> str:
    """``2024-03-27`` as ``27.03.2024``; other strings unchanged, empty as a dash."""
    parts = iso.split("-") if iso else []
    if len(parts) == 3:
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    return iso or "–"


def german_datetime(iso: str) -> str:
    """A stored UTC time (ISO 8601) as local German time: ``21.11.2026 08:01``."""
    if not iso:
        return "–"
    moment = datetime.fromisoformat(iso)
    try:
        return moment.astimezone(ZoneInfo(LOCAL_ZONE)).strftime("%d.%m.%Y %H:%M")
    except ZoneInfoNotFoundError:  # no time zone data installed: say which time it is
        return moment.strftime("%d.%m.%Y %H:%M UTC")


def document_type_key(text: str) -> str | None:
    """The type key for what a user typed (``Vermerk``, ``memo``, ``Pressemitteilung``)."""
    lowered = text.strip().lower()
    for key, label in DOCUMENT_TYPES.items():
        if lowered in (key, label.lower()):
            return key
    return TYPE_SYNONYMS.get(lowered)


def read_date(text: str) -> str:
    """An ISO date from ``27.03.2024``, ``27. März 2024`` or ``2024-03-27``.

    Raises:
        FindbuchError: not a date.
    """
    import dateparser  # only edits need it; every command imports this module (#18)

    text = text.strip()
    parsed = dateparser.parse(
        text,
        languages=["de"],
        settings={
            "DATE_ORDER": "YMD" if _ISO_DATE.fullmatch(text) else "DMY",
            "STRICT_PARSING": True,
        },
    )
    if parsed is None:
        raise FindbuchError(f"„{text}“ ist kein Datum; bitte als TT.MM.JJJJ angeben.")
    return parsed.date().isoformat()


def read_field_value(field: str, raw: str) -> str | list[str]:
    """The stored value of an edit ``field=raw``: checked and normalised.

    Lists are separated by ``;``. An empty value clears the field.

    Raises:
        FindbuchError: unknown field, unknown type or unreadable date.
    """
    if field not in FIELDS:
        known = ", ".join(FIELDS)
        raise FindbuchError(f"Unbekanntes Feld „{field}“; möglich sind: {known}.")
    if field in LIST_FIELDS:
        items = [item.strip() for item in raw.split(LIST_SEPARATOR) if item.strip()]
        return [read_date(i) for i in items] if field == "dates" else items
    if not raw.strip():
        return ""
    if field == "date":
        return read_date(raw)
    if field == "type":
        key = document_type_key(raw)
        if key is None:
            raise FindbuchError(
                f"Unbekannter Dokumenttyp „{raw}“; möglich sind: "
                + ", ".join(DOCUMENT_TYPES.values())
            )
        return key
    return raw.strip()
