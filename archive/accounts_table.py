"""The catalog's accounts: users of the web app and failed logins, counted across processes."""

from __future__ import annotations

import sqlite3

from archive.models import User


class AccountsTable:
    """Accounts and failed logins; part of the ``Catalog``."""

    _conn: sqlite3.Connection

    def add_user(self, user: User) -> None:
        """Create or replace a user account."""
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO users (name, role, password_hash, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (user.name, user.role, user.password_hash, user.token_hash, user.created_at),
            )

    def user(self, name: str) -> User | None:
        """The account with this name, or ``None``."""
        row = self._conn.execute(
            "SELECT name, role, password_hash, token_hash, created_at FROM users WHERE name = ?",
            (name,),
        ).fetchone()
        return User(*row) if row else None

    def user_by_token(self, token_hash: str) -> User | None:
        """The account holding this API token (by its hash), or ``None``."""
        row = self._conn.execute(
            "SELECT name, role, password_hash, token_hash, created_at FROM users "
            "WHERE token_hash = ? AND token_hash != ''",
            (token_hash,),
        ).fetchone()
        return User(*row) if row else None

    def record_failed_login(self, address: str, at: float, *, keep_s: float) -> None:
        """Note a failed login from ``address`` (Unix time); forget those older than ``keep_s``.

        Kept in the catalog, not in memory, so that every server process counts them together.
        """
        with self._conn:
            self._conn.execute("INSERT INTO failed_logins VALUES (?, ?)", (address, at))
            self._conn.execute("DELETE FROM failed_logins WHERE at < ?", (at - keep_s,))

    def failed_logins(self, address: str, since: float) -> int:
        """Failed logins from ``address`` since ``since`` (Unix time)."""
        row = self._conn.execute(
            "SELECT COUNT(*) FROM failed_logins WHERE address = ? AND at >= ?", (address, since)
        ).fetchone()
        return int(row[0])
