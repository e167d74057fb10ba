"""The newcomer's demo home: readable without an account on this machine, one archivist login.

``make run`` turns its own data home into a demo with ``findbuch demo``: an archivist account
with a random password, kept beside the catalog (readable by the owner only) so the terminal
can show it whenever the demo starts. Only a home marked so, served on a loopback address, is
open without login; any other home or address still requires it unless ``public`` is set.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass

from common.layout import HomeLayout
from service.accounts import add_user
from service.home import DataHome

DEMO_USER = "archivar"


@dataclass(frozen=True)
class DemoLogin:
    """The archivist account of a demo home."""

    name: str
    password: str


def make_demo(home: DataHome) -> DemoLogin:
    """Mark the home as a demo and give it an archivist account (once; later calls reuse it)."""
    existing = demo_login(home.settings.layout)
    if existing is not None:
        return existing
    login = DemoLogin(DEMO_USER, secrets.token_urlsafe(12))
    add_user(home.archive.catalog, login.name, "archivar", login.password)
    path = home.settings.layout.demo_login
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{login.name}\n{login.password}\n")
    return login


def demo_login(layout: HomeLayout) -> DemoLogin | None:
    """The demo login of this home, or ``None`` when it is not a demo home."""
    if not layout.demo_login.is_file():
        return None
    name, password = layout.demo_login.read_text(encoding="utf-8").split("\n")[:2]
    return DemoLogin(name, password)


def is_loopback(host: str) -> bool:
    """Whether a server bound to ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def login_line(login: DemoLogin, base: str) -> str:
    """The one German line that tells a newcomer how to get in."""
    return (
        f"Demo: Suchen und Lesen ohne Anmeldung; als Archivar anmelden unter {base}/anmelden "
        f"mit Benutzer „{login.name}“ und Passwort „{login.password}“."
    )
