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
            # An upsert, not INSERT OR REPLACE: the row's session version must survive.
            self._conn.execute(
                "INSERT INTO users (name, role, password_hash, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
                "password_hash = excluded.password_hash, token_hash = excluded.token_hash, "
                "created_at = excluded.created_at",
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

    def claim_login_attempt(self, address: str, at: float, *, window_s: float, limit: int) -> int:
        """Count a login attempt from ``address`` before its password is checked.

        Checking the count and recording the attempt is one write transaction (BEGIN
        IMMEDIATE), so parallel attempts of every server process are counted together; the
        attempt counts as failed until ``forget_login_attempt`` clears it.

        Returns:
            The attempt's id, or 0 when ``limit`` attempts were made within ``window_s``.
        """
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM failed_logins WHERE at < ?", (at - window_s,))
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM failed_logins WHERE address = ?", (address,)
            ).fetchone()
            attempt = 0
            if count < limit:
                attempt = conn.execute(
                    "INSERT INTO failed_logins VALUES (?, ?)", (address, at)
                ).lastrowid
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        return attempt

    def forget_login_attempt(self, attempt: int) -> None:
        """Clear an attempt that turned out right: only failed logins count."""
        with self._conn:
            self._conn.execute("DELETE FROM failed_logins WHERE rowid = ?", (attempt,))

    def session_version(self, name: str) -> int:
        """The account's session version: sessions made under an older one are ended."""
        row = self._conn.execute(
            "SELECT session_version FROM users WHERE name = ?", (name,)
        ).fetchone()
        return int(row[0]) if row else -1

    def end_sessions(self, name: str) -> None:
        """End every session of the account (logout, new password)."""
        with self._conn:
            self._conn.execute(
                "UPDATE users SET session_version = session_version + 1 WHERE name = ?", (name,)
            )
