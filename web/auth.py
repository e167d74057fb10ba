"""Logging in and out, roles, and the limit on login attempts."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from archive import User
from service.accounts import ARCHIVIST, authenticate

auth = Blueprint("auth", __name__)
# At most this many failed logins per address within the window, then a pause.
MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW_S = 300.0


class AccountUser:
    """The logged-in user as Flask-Login sees it."""

    is_active = True
    is_anonymous = False
    is_authenticated = True

    def __init__(self, user: User) -> None:
        self.name = user.name
        self.role = user.role

    def get_id(self) -> str:
        """The session's reference to the account."""
        return self.name

    @property
    def is_archivist(self) -> bool:
        """Whether the user may upload, edit and withdraw."""
        return self.role == ARCHIVIST


def archivist_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only archivists may use this route (upload, edit, withdraw)."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_archivist:
            abort(403, "Nur Archivarinnen und Archivare dürfen das.")
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after login."""
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("search.search_page")


@auth.route("/anmelden", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form; check name and password."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    address = request.remote_addr or "?"
    since = time.time() - FAILED_LOGIN_WINDOW_S
    if g.home.archive.catalog.failed_logins(address, since) >= MAX_FAILED_LOGINS:
        message = "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in 5 Minuten."
        return render_template("login.html", error=message, next=""), 429
    user = authenticate(
        g.home.archive.catalog, request.form.get("name", ""), request.form.get("password", "")
    )
    if user is None:
        catalog = g.writer().archive.catalog
        catalog.record_failed_login(address, time.time(), keep_s=FAILED_LOGIN_WINDOW_S)
        error = "Benutzername oder Passwort stimmt nicht."
        return render_template("login.html", error=error, next=request.form.get("next")), 401
    login_user(AccountUser(user))
    return redirect(_safe_next(request.form.get("next")))


@auth.post("/abmelden")
def logout() -> Response:
    """End the session."""
    logout_user()
    return redirect(url_for("auth.login"))
