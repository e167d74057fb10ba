"""OParl objects to Findbuch's records: a Paper to its row, files and stated metadata.

Which OParl field becomes which Findbuch field is decided here and only here (README,
"OParl-Import"): reference -> references, name -> title, date -> date, body -> issuer,
every paper -> type ``council_paper`` (its own ``paperType`` is kept with the paper).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.paper_rows import (
    COMMITTEES,
    MAIN_FILE_OF,
    PAPER_TYPES,
    ConsultationRow,
    FileRow,
    PaperRow,
)

COUNCIL_PAPER = "council_paper"


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _first(value: Any) -> str:
    """The first URL of a list of URLs (OParl's ``organization: [url]``), or the URL itself."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def paper_row(paper: dict[str, Any], body: dict[str, Any]) -> PaperRow:
    """What is kept of a (schema-valid) Paper."""
    return PaperRow(
        paper_id=paper["id"],
        body_id=body["id"],
        body_name=_text(body, "name"),
        reference=_text(paper, "reference"),
        name=_text(paper, "name"),
        paper_type=_text(paper, "paperType"),
        date=_text(paper, "date")[:10],
        web=_text(paper, "web"),
        modified=_text(paper, "modified"),
        deleted=paper.get("deleted") is True,
    )


def file_rows(paper: dict[str, Any]) -> list[FileRow]:
    """The paper's files, main file first (OParl's ``mainFile``, else the first auxiliary).

    A file listed twice (as main and auxiliary, or twice among the auxiliaries) is one entry.
    """
    listed = ([paper["mainFile"]] if isinstance(paper.get("mainFile"), dict) else []) + [
        f for f in paper.get("auxiliaryFile", []) if isinstance(f, dict)
    ]
    rows: dict[str, FileRow] = {}
    for f in listed:
        if f["id"] in rows:
            continue
        rows[f["id"]] = FileRow(
            paper_id=paper["id"],
            file_id=f["id"],
            position=len(rows),
            name=_text(f, "name"),
            file_name=_text(f, "fileName"),
            access_url=_text(f, "accessUrl"),
            download_url=_text(f, "downloadUrl"),
            modified=_text(f, "modified"),
        )
    return list(rows.values())


def consultation_row(
    consultation: dict[str, Any],
    meeting: dict[str, Any] | None,
    organization: dict[str, Any] | None,
) -> ConsultationRow:
    """A consultation with its meeting's name and date and its agenda item's result."""
    item: dict[str, Any] = {}
    if meeting is not None:
        wanted = consultation.get("agendaItem")
        items = meeting.get("agendaItem") if isinstance(meeting.get("agendaItem"), list) else []
        item = next((i for i in items if isinstance(i, dict) and i.get("id") == wanted), {})
    return ConsultationRow(
        consultation_id=_text(consultation, "id"),
        role=_text(consultation, "role"),
        authoritative=consultation.get("authoritative") is True,
        meeting_id=_text(consultation, "meeting"),
        meeting_name=_text(meeting or {}, "name"),
        meeting_start=_text(meeting or {}, "start"),
        organization_id=organization_url(consultation, meeting),
        organization_name=_text(organization or {}, "name"),
        agenda_item_number=_text(item, "number"),
        agenda_item_name=_text(item, "name"),
        result=_text(item, "result"),
    )


def organization_url(consultation: dict[str, Any], meeting: dict[str, Any] | None) -> str:
    """The committee of a consultation: its own, else its meeting's."""
    return _first(consultation.get("organization")) or _first((meeting or {}).get("organization"))


def stated_metadata(
    links: list[tuple[PaperRow, FileRow]],
    consultations: dict[str, list[ConsultationRow]],
) -> dict[str, list[str]]:
    """What the council system states about one document, from every paper listing its bytes.

    The first paper that listed it gives title, date and issuer; the references, paper types
    and committees (``consultations`` by paper id) of all of them are kept. A file other than
    the main one is titled after the paper and itself, so the files of one paper are told
    apart in a hit list; the main file keeps its papers' references in ``main_file_of``, so
    that a search for a reference ranks it before the paper's attachments.
    """
    live = [(p, f) for p, f in links if not p.deleted] or links
    if not live:
        return {}
    paper, entry = live[0]
    title = paper.name
    if entry.position > 0 and entry.name and entry.name != paper.name:
        title = f"{paper.name} – {entry.name}" if paper.name else entry.name
    committees = [c.organization_name for p, _ in live for c in consultations.get(p.paper_id, [])]
    return {
        "title": [title] if title else [],
        "type": [COUNCIL_PAPER],
        "date": [paper.date] if paper.date else [],
        "issuer": [paper.body_name] if paper.body_name else [],
        "references": _unique(p.reference for p, _ in live),
        PAPER_TYPES: _unique(p.paper_type for p, _ in live),
        COMMITTEES: _unique(committees),
        MAIN_FILE_OF: _unique(p.reference for p, f in live if f.position == 0),
    }


def _unique(values: Iterable[str]) -> list[str]:
    """The non-empty values, each once, in order."""
    return list(dict.fromkeys(v for v in values if v))
