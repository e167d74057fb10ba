"""The JSON API: search, documents, citations, uploads and jobs, described by OpenAPI."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user
from werkzeug.wrappers import Response

from common.errors import FindbuchError
from index import SORTS
from service.citation import FORMATS, cite
from service.home import results_json
from web.openapi import openapi_document
from web.params import number
from web.upload import upload_files

api = Blueprint("api", __name__, url_prefix="/api")
MAX_LIMIT = 100


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = number(request.args.get(name, str(default)), None)
    if value is None or not low <= value <= high:
        abort(400, f"Parameter {name} muss eine Zahl von {low} bis {high} sein.")
    return value


@api.get("/search")
def search() -> Response:
    """Search; the same JSON as ``findbuch search --json``."""
    text = request.args.get("q", "").strip()
    if not text:
        abort(400, "Parameter q (Suchanfrage) fehlt.")
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        abort(400, f"Parameter sort muss einer von {', '.join(SORTS)} sein.")
    results = g.home.search(
        text,
        limit=_int_arg("limit", 10, 1, MAX_LIMIT),
        offset=_int_arg("offset", 0, 0, 1_000_000),
        sort=sort,
    )
    return jsonify(results_json(results))


@api.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """All metadata with sources and corrections, and every page's text."""
    return jsonify(g.home.describe(doc_id))


@api.get("/documents/<doc_id>/citation")
def citation(doc_id: str) -> Response:
    """The citation in one format (``format``), optionally for one page (``page``)."""
    fmt = request.args.get("format", "text")
    if fmt not in FORMATS:
        abort(400, f"Parameter format muss einer von {', '.join(FORMATS)} sein.")
    doc = g.home.describe(doc_id)
    page = _int_arg("page", 0, 0, doc["page_count"]) or None
    text = cite(doc, fmt=fmt, base_url=g.settings.base_url, retrieved=date.today(), page=page)
    return jsonify({"doc_id": doc_id, "format": fmt, "page": page, "citation": text})


@api.post("/uploads")
def uploads() -> tuple[Response, int]:
    """Upload files (multipart ``files``) with an archivist's API token; returns their jobs."""
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        abort(401, "Hochladen über die API braucht ein API-Token (Authorization: Bearer …).")
    if not current_user.is_archivist:
        abort(403, "Nur Archivarinnen und Archivare dürfen hochladen.")
    try:
        jobs = upload_files(request.files.getlist("files"), request.form, current_user.name)
    except FindbuchError as e:
        abort(400, e.message)
    return jsonify({"jobs": [j.public_fields() for j in jobs]}), 202


@api.get("/jobs/<job_id>")
def job(job_id: str) -> Response:
    """The state of one upload (archivists only: it names the file and who sent it)."""
    if not getattr(current_user, "is_archivist", False):
        abort(403, "Aufträge sehen nur Archivarinnen und Archivare.")
    found = g.home.archive.catalog.job(job_id)
    if found is None:
        abort(404, "Diesen Auftrag gibt es nicht.")
    return jsonify(found.public_fields())


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description of this API."""
    return jsonify(openapi_document())
