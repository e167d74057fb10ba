"""Document pages: read with highlights, page images, downloads, citations, corrections."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from archive import WITHDRAWN, WITHDRAWN_READABLE
from common.errors import BusyError, FindbuchError
from common.fields import DOCUMENT_TYPES, FIELD_LABELS, FIELDS, LIST_FIELDS, read_field_value
from ingest.queue import Queues
from service.citation import FORMATS, MEDIA_TYPES, citation_file_name, cite
from service.home import REINSTATEMENT, withdrawal
from web.auth import archivist_required
from web.images import page_png
from web.params import number

documents = Blueprint("documents", __name__)
HISTORY_LABELS = FIELD_LABELS | {
    WITHDRAWN: "zurückgezogen",
    WITHDRAWN_READABLE: "zurückgezogen, weiter für alle lesbar",
}
EDITABLE = ("title", "date", "type", "issuer", "references", "persons", "places", "note")
THUMBNAIL_WIDTH, PAGE_WIDTH = 120, 900
# How long a correction waits for the data home's writer to record it.
WRITER_ANSWER_S = 15.0


def _citations(doc: dict, page: int | None) -> dict[str, str]:
    settings = g.settings
    return {
        fmt: cite(doc, fmt=fmt, base_url=settings.base_url, retrieved=date.today(), page=page)
        for fmt in FORMATS
    }


@documents.get("/d/<doc_id>")
def document_page(doc_id: str) -> str:
    """Metadata, citation, page images and the text of every page, matches marked."""
    doc = g.home.describe(doc_id)
    can_edit = getattr(current_user, "is_archivist", False)
    query = request.args.get("q", "").strip()
    marked = g.home.highlighted_pages(doc_id, query) if query else {}
    same_text = _same_text(doc_id, archivist=can_edit)
    same_ids = {other.doc_id for _, other in same_text["current"]}
    cited_page = number(request.args.get("seite"), None)
    return render_template(
        "document.html",
        doc=doc,
        query=query,
        marked={n: Markup(html) for n, html in marked.items()},  # noqa: S704 - escaped by the index
        citation=_citations(doc, cited_page),
        cited_page=cited_page,
        formats=FORMATS,
        type_labels=DOCUMENT_TYPES,
        field_labels=FIELD_LABELS,
        history_labels=HISTORY_LABELS,
        fields=FIELDS,
        list_fields=LIST_FIELDS,
        editable=EDITABLE,
        has_searchable=any(d["kind"] == "searchable_pdf" for d in doc["derivatives"]),
        similar=[h for h in g.home.similar(doc_id).hits if h.doc_id not in same_ids],
        can_edit=can_edit,
        same_text=same_text,
    )


def _same_text(doc_id: str, *, archivist: bool) -> dict[str, list]:
    """The other files with this text (withdrawn ones for archivists only), and undone matches."""
    shown: dict[str, list] = {"current": [], "separated": []}
    for match in g.home.same_text(doc_id, separated=archivist):
        other = g.home.document(match.other)
        if archivist or not other.withdrawn:
            shown["separated" if match.separated_by else "current"].append((match, other))
    return shown


@documents.get("/d/<doc_id>/s/<int:page>")
def page_permalink(doc_id: str, page: int) -> BaseResponse:
    """Permalink of one page: the document page at that page, cited with that page."""
    doc = g.home.document(doc_id)
    if not 1 <= page <= doc.page_count:
        abort(404, f"Das Dokument hat {doc.page_count} Seite(n); Seite {page} gibt es nicht.")
    args = {k: v for k, v in request.args.items() if k == "q"}
    target = url_for("documents.document_page", doc_id=doc_id, seite=page, **args)
    return redirect(f"{target}#seite-{page}")


@documents.get("/d/<doc_id>/s/<int:page>/bild")
def page_image(doc_id: str, page: int) -> Response:
    """The page as an image (the scan, or the rendered PDF page); ``?breite=`` in pixels."""
    doc = g.home.document(doc_id)
    pages = g.home.pages(doc_id)
    if not 1 <= page <= len(pages) or doc.media_type == "text/plain":
        abort(404, "Zu dieser Seite gibt es kein Bild.")
    width = request.args.get("breite", str(PAGE_WIDTH))
    try:
        png = page_png(
            g.home.archive.original_path(doc),
            doc.media_type,
            page,
            width=number(width, PAGE_WIDTH),
            rotation=pages[page - 1].rotation,
        )
    except (ValueError, OSError, StopIteration):
        abort(404, "Diese Seite lässt sich nicht als Bild zeigen.")
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@documents.get("/d/<doc_id>/durchsuchbar.pdf")
def searchable(doc_id: str) -> Response:
    """The searchable PDF made for scanned documents (page images with a text layer)."""
    doc = g.home.document(doc_id)
    path = g.home.archive.derivative_path(doc_id, "searchable_pdf")
    if path is None:
        abort(404, "Zu diesem Dokument gibt es kein durchsuchbares PDF.")
    stem = doc.original_name.rsplit(".", 1)[0]
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{stem}-durchsuchbar.pdf",
    )


@documents.get("/d/<doc_id>/original")
def original(doc_id: str) -> Response:
    """The original file, byte for byte, under its original name."""
    doc = g.home.document(doc_id)
    return send_file(
        g.home.archive.original_path(doc),
        mimetype=doc.media_type,
        as_attachment=True,
        download_name=doc.original_name,
    )


@documents.get("/d/<doc_id>/zitat/<fmt>")
def citation(doc_id: str, fmt: str) -> Response:
    """The citation as a file: text, BibTeX, RIS or CSL-JSON; ``?seite=`` for one page."""
    if fmt not in FORMATS:
        abort(404, "Dieses Zitierformat gibt es nicht.")
    doc = g.home.describe(doc_id)
    page = number(request.args.get("seite"), None)
    text = cite(doc, fmt=fmt, base_url=g.settings.base_url, retrieved=date.today(), page=page)
    response = Response(text, mimetype=MEDIA_TYPES[fmt])
    name = citation_file_name(doc, fmt, page)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@documents.post("/d/<doc_id>/bearbeiten")
@archivist_required
def edit(doc_id: str) -> BaseResponse:
    """Have the archivist's corrections recorded by the writer; the index follows at once."""
    doc = g.home.describe(doc_id)
    changes = {}
    try:
        for name in EDITABLE:
            if name in request.form:
                value = read_field_value(name, request.form[name])
                if value != doc[name]:
                    changes[name] = value
    except FindbuchError as e:
        flash(e.message, "error")
        return redirect(url_for("documents.document_page", doc_id=doc_id) + "#bearbeiten")
    recorded = _ask_writer(doc_id, changes)
    flash(f"{recorded} Änderung(en) gespeichert." if recorded else "Keine Änderung.", "info")
    return redirect(url_for("documents.document_page", doc_id=doc_id))


@documents.post("/d/<doc_id>/zurueckziehen")
@archivist_required
def withdraw(doc_id: str) -> BaseResponse:
    """Take a document out of search (with a reason), or put it back."""
    g.home.document(doc_id)
    if request.form.get("aktion") == "wiederherstellen":
        _ask_writer(doc_id, REINSTATEMENT)
        flash("Das Dokument ist wieder durchsuchbar.", "info")
    else:
        readable = request.form.get("lesbar") == "ja"
        _ask_writer(doc_id, withdrawal(request.form.get("grund", ""), readable=readable))
        flash("Das Dokument wurde aus der Suche genommen; es bleibt im Archiv.", "info")
    return redirect(url_for("documents.document_page", doc_id=doc_id))


def _ask_writer(doc_id: str, changes: dict[str, str | list[str]]) -> int:
    """Have the data home's one writer record corrections; returns how many it recorded."""
    return _writer_answer(
        lambda queue: queue.request_correction(doc_id, changes, editor=current_user.name)
    )


def _writer_answer(send: Callable[[Queues], str]) -> int:
    """Send a request to the data home's one writer and wait for its answer.

    Raises:
        BusyError: no writer runs, or it did not answer in time.
        FindbuchError: the writer refused the change.
    """
    queue = current_app.config["FINDBUCH_QUEUE"]
    if queue is None:
        raise BusyError("Korrigieren ist abgeschaltet: kein Schreibdienst läuft.")
    answer = queue.wait_for_answer(send(queue), timeout=WRITER_ANSWER_S)
    if answer is None:
        raise BusyError(
            "Der Schreibdienst hat nicht rechtzeitig geantwortet; die Änderung wird übernommen, "
            "sobald er sie erreicht."
        )
    if answer.error:
        raise FindbuchError(answer.error)
    return answer.recorded


@documents.post("/d/<doc_id>/gleicher-text")
@archivist_required
def separate(doc_id: str) -> BaseResponse:
    """Undo a wrong same-text match with another document (recorded with editor and time)."""
    other = request.form.get("anderes", "")
    g.home.document(doc_id)
    separated = _writer_answer(
        lambda queue: queue.request_separation(doc_id, other, editor=current_user.name)
    )
    if separated:
        flash("Die Dokumente gelten nicht mehr als gleicher Text.", "info")
    else:
        flash("Diese Dokumente waren nicht als gleicher Text verbunden.", "error")
    return redirect(url_for("documents.document_page", doc_id=doc_id))
