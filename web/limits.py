"""How large a request body may be, decided from its headers before a byte of it is read.

The login form and every other form need little; only an archivist's upload may be large
(``max_upload_mb``). The web server asks this as soon as a request's headers are in
(findbuch/serving.py), so a 900 MB anonymous ``POST /anmelden`` is refused at once instead of
being buffered first (#17); the app applies the same limits itself under any other server.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from archive.catalog import Catalog
from web.auth import AccountUser, session_account, token_account

# Forms (login, corrections, withdrawal) and API calls other than uploads: 1 MiB.
FORM_BODY_BYTES = 1024 * 1024
UPLOAD_PATHS = frozenset({"/hochladen", "/api/uploads"})

BodyLimit = Callable[..., int]


def body_limit(app: Flask, catalog: Callable[[], Catalog]) -> BodyLimit:
    """The function that gives a request's body limit from its method, path and credentials.

    Args:
        app: the app whose sessions (signed cookies) are checked.
        catalog: this thread's read-only catalog, for accounts and session versions.
    """
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    max_age = app.permanent_session_lifetime.total_seconds()
    upload_bytes = app.config["MAX_CONTENT_LENGTH"]

    def account(authorization: str, cookie: str) -> AccountUser | None:
        if authorization.startswith("Bearer "):
            return token_account(catalog(), authorization.removeprefix("Bearer ").strip())
        value = parse_cookie(cookie).get(cookie_name)
        if not value or serializer is None:
            return None
        try:
            session = serializer.loads(value, max_age=max_age)
        except BadSignature:
            return None
        session_id = session.get("_user_id") if isinstance(session, dict) else None
        return session_account(catalog(), session_id) if isinstance(session_id, str) else None

    def limit(method: str, path: str, *, authorization: str = "", cookie: str = "") -> int:
        """Bytes the body of this request may have."""
        if method == "POST" and path in UPLOAD_PATHS:
            user = account(authorization, cookie)
            if user is not None and user.is_archivist:
                return upload_bytes
        return FORM_BODY_BYTES

    return limit
