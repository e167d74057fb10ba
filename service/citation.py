r"""Citations of archived documents: German text, BibTeX, RIS and CSL-JSON.

Pure functions only: the CLI (``findbuch cite``) and the web app pass in the JSON-ready
dict of :meth:`service.home.DataHome.describe` and write the returned string wherever they
need it.

Every citation names the issuer, the title (the file name when there is none), the
document type, the date, reference numbers, the page, the archive id, the permalink, the
first 12 hex digits of the SHA-256 checksum (marked as the start of the checksum) and the
date retrieved.

Values come from documents and may hold hostile text. Before formatting, every value is
normalised (NFC), control and format characters are removed and all whitespace, line
breaks included, is collapsed to single spaces; each format then escapes what is special
to it. The text citation is plain text: a web page that shows it must HTML-escape it as
any other value.

Format choices:

* BibTeX is written for biblatex/biber and keeps umlauts and other non-ASCII letters as
  UTF-8 (German titles stay readable and searchable; classic BibTeX with
  ``\usepackage[utf8]{inputenc}`` copes as well). LaTeX specials are escaped; braces
  become ``\textbraceleft{}``/``\textbraceright{}`` because BibTeX counts every brace,
  escaped or not, so ``\}`` would end a field early. Title and issuer are braced twice
  so that styles keep German capitalisation and do not split the issuer into names.
  ``year``/``month`` serve classic BibTeX, ``date`` and ``urldate`` serve biblatex.
* RIS lines are ``TAG  - value`` and end with CRLF, as the RIS specification asks; every
  reference manager also reads them. An entry ends with ``ER  - ``.
* CSL-JSON is an array holding one CSL item, written with ``ensure_ascii=False`` and an
  indent of 2.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from common.errors import FindbuchError, UsageError
from common.fields import DOCUMENT_TYPES
from service.citation_formats import (
    FORMATTERS,
    URL_SAFE,
    Citation,
    clean,
    date_parts,
    page_suffix,
    pages_phrase,
    safe_id,
    sha_start,
)

FORMATS = ("text", "bibtex", "ris", "csl-json")
MEDIA_TYPES = {
    "text": "text/plain",
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
EXTENSIONS = {"text": "txt", "bibtex": "bib", "ris": "ris", "csl-json": "json"}


def cite(
    doc: dict[str, Any],
    *,
    fmt: str,
    base_url: str,
    retrieved: datetime.date,
    page: int | None = None,
) -> str:
    """A citation of a document, or of one of its pages, in one format.

    Args:
        doc: the document as given by ``DataHome.describe``.
        fmt: one of :data:`FORMATS`.
        base_url: public address of the Findbuch, for the permalink.
        retrieved: the date the document was retrieved (``abgerufen am``).
        page: the page cited, counted from 1; ``None`` cites the whole document.

    Returns:
        The citation, ending with a line end: CRLF in RIS, LF in the other formats
        (print it without adding another).

    Raises:
        FindbuchError: unknown format, or a page the document does not have.
    """
    check_format(fmt)
    check_page(doc, page)
    citation = _prepare(doc, base_url=base_url, retrieved=retrieved, page=page)
    return FORMATTERS[fmt](citation)


def citation_file_name(doc: dict[str, Any], fmt: str, page: int | None) -> str:
    """File name for a downloaded citation, e.g. ``findbuch-c42529a0e07ee995-s2.bib``.

    Raises:
        FindbuchError: unknown format, or a page the document does not have.
    """
    check_format(fmt)
    check_page(doc, page)
    return f"findbuch-{safe_id(doc)}{page_suffix(page)}.{EXTENSIONS[fmt]}"


def check_format(fmt: str) -> None:
    """Raise unless ``fmt`` is one of :data:`FORMATS`.

    Raises:
        UsageError: unknown format.
    """
    if fmt not in FORMATS:
        raise UsageError(f"Unbekanntes Zitierformat „{fmt}“; möglich sind: {', '.join(FORMATS)}.")


def check_page(doc: dict[str, Any], page: int | None) -> None:
    """Raise unless ``page`` is ``None`` or a page of the document.

    Raises:
        FindbuchError: page outside 1 to the document's page count.
    """
    if page is None:
        return
    count = doc.get("page_count") or 0
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= count:
        raise FindbuchError(f"Seite {page} gibt es nicht: das Dokument hat {pages_phrase(count)}.")


def permalink(base_url: str, doc_id: str, page: int | None = None) -> str:
    """The permanent address of a document or of one of its pages."""
    base = quote(clean(base_url).rstrip("/"), safe=URL_SAFE)
    link = f"{base}/d/{quote(doc_id, safe='')}"
    return link if page is None else f"{link}/s/{page}"


# --- shared preparation -----------------------------------------------------------------


def _prepare(
    doc: dict[str, Any], *, base_url: str, retrieved: datetime.date, page: int | None
) -> Citation:
    """Clean every value a citation uses."""
    doc_id = safe_id(doc)
    type_key = clean(doc.get("type"))
    references = (clean(r) for r in doc.get("references") or ())
    return Citation(
        doc_id=doc_id,
        issuer=clean(doc.get("issuer")),
        title=clean(doc.get("title")) or clean(doc.get("original_name")) or doc_id,
        type_label=DOCUMENT_TYPES.get(type_key, type_key),
        type_key=type_key,
        date=date_parts(clean(doc.get("date"))),
        references=tuple(r for r in references if r),
        page=page,
        permalink=permalink(base_url, doc_id, page),
        sha_start=sha_start(clean(doc.get("sha256"))),
        retrieved=retrieved,
    )
