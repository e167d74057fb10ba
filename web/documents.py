"""Document pages, page permalinks and the download of the original."""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, render_template, send_file, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

documents = Blueprint("documents", __name__)


@documents.get("/d/<doc_id>")
def document_page(doc_id: str) -> str:
    """Metadata and the text of every page."""
    doc = g.home.document(doc_id)
    has_searchable = g.home.archive.derivative_path(doc_id, "searchable_pdf") is not None
    return render_template(
        "document.html", doc=doc, pages=g.home.pages(doc_id), has_searchable=has_searchable
    )


@documents.get("/d/<doc_id>/s/<int:page>")
def page_permalink(doc_id: str, page: int) -> BaseResponse:
    """Permalink of one page: the document page, scrolled to that page."""
    g.home.document(doc_id)
    return redirect(url_for("documents.document_page", doc_id=doc_id, _anchor=f"seite-{page}"))


@documents.get("/d/<doc_id>/durchsuchbar.pdf")
def searchable(doc_id: str) -> Response:
    """The searchable PDF made for scanned documents (page images with a text layer)."""
    doc = g.home.document(doc_id)
    path = g.home.archive.derivative_path(doc_id, "searchable_pdf")
    if path is None:
        raise NotFound("Zu diesem Dokument gibt es kein durchsuchbares PDF.")
    stem = doc.original_name.rsplit(".", 1)[0]
    return send_file(
        path, mimetype="application/pdf", as_attachment=True,
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
