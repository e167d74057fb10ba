"""Application factory: one app from settings, built the same way by the CLI and the tests."""

from __future__ import annotations

import threading

from flask import Flask, Response, g, render_template

from findbuch.errors import DocumentNotFoundError
from findbuch.home import Home
from findbuch.settings import Settings
from web.documents import documents
from web.search import search
from web.text import german_date

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def create_app(settings: Settings) -> Flask:
    """Build the Flask app for a data home; does no work beyond wiring."""
    app = Flask(__name__)
    app.config["FINDBUCH_SETTINGS"] = settings
    app.jinja_env.filters["german_date"] = german_date
    homes = threading.local()

    def home() -> Home:
        """One read-only home per server thread: SQLite connections are not shared."""
        if getattr(homes, "home", None) is None:
            homes.home = Home(settings, readonly=True)
        return homes.home

    @app.before_request
    def _attach_home() -> None:
        g.home = home()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.update(_SECURITY_HEADERS)
        return response

    @app.errorhandler(404)
    @app.errorhandler(DocumentNotFoundError)
    def _not_found(error: Exception) -> tuple[str, int]:
        message = getattr(error, "message", None) or getattr(error, "description", None)
        if not message or "requested URL was not found" in message:
            message = "Diese Seite gibt es nicht."
        return render_template("error.html", title="Nicht gefunden", message=message), 404

    app.register_blueprint(search)
    app.register_blueprint(documents)
    return app
