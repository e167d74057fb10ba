"""Accounts of the web app: roles, Argon2 password hashes and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive import User
from archive.catalog import Catalog
from archive.models import utc_now
from common.errors import FindbuchError, UsageError

ARCHIVIST = "archivar"
READER = "leser"
ROLES = (ARCHIVIST, READER)
MIN_PASSWORD_CHARS = 10
_HASHER = PasswordHasher()


def add_user(catalog: Catalog, name: str, role: str, password: str) -> User:
    """Create (or reset) an account; resetting ends the account's sessions.

    Raises:
        FindbuchError: unknown role, empty name or a password that is too short.
    """
    if role not in ROLES:
        raise UsageError(f"Unbekannte Rolle „{role}“; möglich sind: {', '.join(ROLES)}.")
    if not name.strip() or not name.isprintable():
        raise FindbuchError("Bitte einen Benutzernamen ohne Steuerzeichen angeben.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise FindbuchError(f"Das Passwort muss mindestens {MIN_PASSWORD_CHARS} Zeichen haben.")
    existing = catalog.user(name)
    user = User(
        name=name.strip(),
        role=role,
        password_hash=_HASHER.hash(password),
        token_hash=existing.token_hash if existing else "",
        created_at=utc_now(),
    )
    catalog.add_user(user)
    if existing:
        catalog.end_sessions(user.name)  # a new password (or role) ends the old sessions
    return user


def authenticate(catalog: Catalog, name: str, password: str) -> User | None:
    """The user if name and password match, else ``None`` (same time either way)."""
    user = catalog.user(name)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def issue_token(catalog: Catalog, name: str) -> str:
    """A new API token for a user (shown once; only its hash is kept).

    Raises:
        FindbuchError: no such user.
    """
    user = catalog.user(name)
    if user is None:
        raise FindbuchError(f"Keinen Benutzer „{name}“ gefunden.")
    token = secrets.token_urlsafe(32)
    catalog.add_user(
        User(user.name, user.role, user.password_hash, _token_hash(token), user.created_at)
    )
    return token


def user_for_token(catalog: Catalog, token: str) -> User | None:
    """The user holding this API token, or ``None``."""
    return catalog.user_by_token(_token_hash(token)) if token else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))
