"""Application factory: one app from settings, built the same way by the CLI and the tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from common.errors import FindbuchError
from common.fields import german_date, german_datetime
from common.settings import Settings
from ingest.batches import duration_words
from ingest.queue import Queues
from service.home import DataHome
from service.secret_key import read_secret_key
from web.api import api
from web.auth import AccountUser, auth, session_account, token_account
from web.documents import documents
from web.limits import FORM_BODY_BYTES, UPLOAD_PATHS, body_limit
from web.search import search
from web.upload import upload

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# Reachable without logging in, even when the archive is not public.
_OPEN_ENDPOINTS = {"auth.login", "static", "api.openapi"}


def create_app(settings: Settings, *, queue: Queues | None = None) -> Flask:
    """Build the Flask app for a data home; does no work beyond wiring.

    Args:
        settings: the settings; the data home must hold a secret (``findbuch serve`` makes it).
        queue: the task queues uploads go to; without them, uploading is switched off.
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=read_secret_key(settings.home),
        FINDBUCH_SETTINGS=settings,
        FINDBUCH_QUEUE=queue,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.jinja_env.filters["german_date"] = german_date
    app.jinja_env.filters["german_datetime"] = german_datetime
    app.jinja_env.filters["duration_words"] = duration_words

    @app.before_request
    def _limit_body() -> None:
        """Small bodies except for uploads; registered before CSRFProtect reads any form."""
        if request.path not in UPLOAD_PATHS:
            request.max_content_length = FORM_BODY_BYTES

    # API writes need a bearer token (no cookie), so cross-site forgery cannot reach them.
    CSRFProtect(app).exempt(api)
    homes = threading.local()

    def home(*, writable: bool) -> DataHome:
        """Per server thread one read-only and one writable home: SQLite is not shared."""
        attr = "writer" if writable else "reader"
        if getattr(homes, attr, None) is None:
            setattr(homes, attr, DataHome(settings, readonly=not writable))
        return getattr(homes, attr)

    _login_manager(app, lambda: home(writable=False))
    # Asked by the web server when a request's headers are in, before its body (serving.py).
    app.config["FINDBUCH_BODY_LIMIT"] = body_limit(
        app, lambda: home(writable=False).archive.catalog
    )

    @app.before_request
    def _attach_home() -> Response | None:
        g.home = home(writable=False)
        g.writer = lambda: home(writable=True)
        g.settings = settings
        if request.endpoint in _OPEN_ENDPOINTS or current_user.is_authenticated:
            return None
        if settings.public and request.method == "GET":
            return None
        if request.blueprint == "api":
            return _api_error(401, "Anmeldung oder API-Token erforderlich.")
        return redirect(url_for("auth.login", next=request.full_path))

    @app.before_request
    def _hide_withdrawn() -> None:
        """A withdrawn document is for archivists only, by id too, unless it stays readable."""
        doc_id = (request.view_args or {}).get("doc_id")
        if doc_id and not getattr(current_user, "is_archivist", False):
            doc = g.home.archive.catalog.get(doc_id)
            if doc is not None and doc.withdrawn and not doc.withdrawn_readable:
                abort(404, "Dieses Dokument wurde zurückgezogen.")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.update(_SECURITY_HEADERS)
        return response

    _error_handlers(app)
    for blueprint in (auth, search, documents, upload, api):
        app.register_blueprint(blueprint)
    return app


def _login_manager(app: Flask, reader: Callable[[], DataHome]) -> None:
    """Sessions and API tokens; accounts are read through this thread's read-only home."""
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Bitte melden Sie sich an."

    @manager.user_loader
    def _load(session_id: str) -> AccountUser | None:
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None  # a request with a token is the token's user, never the cookie's
        return session_account(reader().archive.catalog, session_id)

    @manager.request_loader
    def _from_token(req) -> AccountUser | None:
        header = req.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return token_account(reader().archive.catalog, header.removeprefix("Bearer ").strip())


def _api_error(status: int, message: str) -> tuple[Response, int]:
    """The one JSON error shape of every API route."""
    return jsonify({"error": {"status": status, "message": message}}), status


_GERMAN_HTTP = {
    400: "Die Anfrage ist ungültig.",
    401: "Bitte melden Sie sich an.",
    403: "Dafür fehlt Ihnen die Berechtigung.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Aktion ist hier nicht möglich.",
    413: "Die Datei ist zu groß für das Hochladen.",
    429: "Zu viele Versuche; bitte später.",
}


def _error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        message = "Das Formular ist abgelaufen oder ungültig; bitte laden Sie die Seite neu."
        return _page_or_json(400, message)

    @app.errorhandler(FindbuchError)
    def _findbuch(error: FindbuchError):
        return _page_or_json(error.http_status, error.message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        # Our own aborts carry a German description; Werkzeug's defaults are English.
        custom = error.description if error.description != type(error).description else None
        return _page_or_json(code, custom or _GERMAN_HTTP.get(code, error.name))


def _page_or_json(status: int, message: str):
    if request.blueprint == "api":
        return _api_error(status, message)
    title = "Nicht gefunden" if status == 404 else "Das ging nicht"
    return render_template("error.html", title=title, message=message), status
