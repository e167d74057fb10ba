"""The records of council papers taken over from OParl, and the names of what is stated."""

from __future__ import annotations

from dataclasses import dataclass

PENDING = "pending"
DONE = "done"
FAILED = "failed"
# Stated list fields are put before the extracted values; every other stated field replaces them.
MERGED_FIELDS = ("references",)
# Stated about a council paper's file for the index only (facets, ranking), not metadata fields.
PAPER_TYPES = "paper_types"
COMMITTEES = "committees"
MAIN_FILE_OF = "main_file_of"
INDEX_FACTS = (PAPER_TYPES, COMMITTEES, MAIN_FILE_OF)


@dataclass(frozen=True)
class PaperRow:
    """A council paper as taken over from OParl.

    Attributes:
        paper_id: the OParl id (a URL).
        body_id: the OParl id of the body it belongs to.
        body_name: that body's name (the issuer).
        reference: the paper's reference (``2021/1379``).
        name: its title.
        paper_type: its type as the council system names it (``Beschlussvorlage``).
        date: ISO date, or empty.
        web: the council system's web page for it, or empty.
        modified: the paper's ``modified`` as the server states it.
        deleted: the server marks it deleted (a tombstone); it is kept, marked.
    """

    paper_id: str
    body_id: str
    body_name: str = ""
    reference: str = ""
    name: str = ""
    paper_type: str = ""
    date: str = ""
    web: str = ""
    modified: str = ""
    deleted: bool = False


@dataclass(frozen=True)
class ConsultationRow:
    """A meeting that dealt with a paper, with what the committee resolved where stated."""

    consultation_id: str = ""
    role: str = ""
    authoritative: bool = False
    meeting_id: str = ""
    meeting_name: str = ""
    meeting_start: str = ""
    organization_id: str = ""
    organization_name: str = ""
    agenda_item_number: str = ""
    agenda_item_name: str = ""
    result: str = ""


@dataclass(frozen=True)
class FileRow:
    """One file of a paper and how far its import came.

    Attributes:
        paper_id: the paper listing it.
        file_id: the File's OParl id.
        position: 0 for the main file, then the auxiliary files in the paper's order.
        name: the File's ``name`` (``Anlage 1``).
        file_name: the File's ``fileName``.
        access_url: where it can be read.
        download_url: where it can be downloaded (preferred), or empty.
        modified: the File's ``modified``; a change means new bytes to fetch.
        sha256: the bytes last downloaded; the document is ``doc_id_for(sha256)``.
        status: ``pending``, ``done`` or ``failed``.
        error: why it failed, in German.
    """

    paper_id: str
    file_id: str
    position: int
    name: str = ""
    file_name: str = ""
    access_url: str = ""
    download_url: str = ""
    modified: str = ""
    sha256: str = ""
    status: str = PENDING
    error: str = ""
