"""Logging in and out, roles, and the limit on login attempts."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from archive import User
from archive.catalog import Catalog
from service.accounts import ARCHIVIST, authenticate, user_for_token

auth = Blueprint("auth", __name__)
# At most this many failed logins per address within the window, then a pause.
MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW_S = 300.0


class AccountUser:
    """The logged-in user as Flask-Login sees it."""

    is_active = True
    is_anonymous = False
    is_authenticated = True

    def __init__(self, user: User, session_version: int) -> None:
        self.name = user.name
        self.role = user.role
        self.session_version = session_version

    def get_id(self) -> str:
        """The session's reference to the account: its session version, then its name."""
        return f"{self.session_version}:{self.name}"

    @property
    def is_archivist(self) -> bool:
        """Whether the user may upload, edit and withdraw."""
        return self.role == ARCHIVIST


def session_account(catalog: Catalog, session_id: str) -> AccountUser | None:
    """The account a session refers to, unless the session was ended (#17).

    Logging out and a new password raise the account's session version in the catalog; a
    session (even a saved copy of its cookie) made under an older version is refused.
    """
    version, _, name = session_id.partition(":")
    user = catalog.user(name) if version.isdecimal() else None
    if user is None or catalog.session_version(name) != int(version):
        return None
    return AccountUser(user, int(version))


def token_account(catalog: Catalog, token: str) -> AccountUser | None:
    """The account holding an API token."""
    user = user_for_token(catalog, token)
    return AccountUser(user, catalog.session_version(user.name)) if user else None


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
    r"""Only redirect to a path of this site after login.

    Browsers read ``//host``, ``////host`` and ``/\host`` as another site and drop tabs and
    line breaks first, so a target must start with one slash, hold no backslash and nothing
    unprintable (#17).
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return url_for("search.search_page")


@auth.route("/anmelden", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form; check name and password."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    address = request.remote_addr or "?"
    catalog = g.writer().archive.catalog
    # Counted before the password is checked, in one transaction: parallel guesses too (#17).
    attempt = catalog.claim_login_attempt(
        address, time.time(), window_s=FAILED_LOGIN_WINDOW_S, limit=MAX_FAILED_LOGINS
    )
    if not attempt:
        message = "Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es in 5 Minuten."
        return render_template("login.html", error=message, next=""), 429
    user = authenticate(catalog, request.form.get("name", ""), request.form.get("password", ""))
    if user is None:
        error = "Benutzername oder Passwort stimmt nicht."
        return render_template("login.html", error=error, next=request.form.get("next")), 401
    catalog.forget_login_attempt(attempt)
    login_user(AccountUser(user, catalog.session_version(user.name)))
    return redirect(_safe_next(request.form.get("next")))


@auth.post("/abmelden")
def logout() -> Response:
    """End the session: every session of the account, saved cookies included (#17)."""
    if current_user.is_authenticated:
        g.writer().archive.catalog.end_sessions(current_user.name)
    logout_user()
    return redirect(url_for("auth.login"))
