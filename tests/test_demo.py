"""The newcomer's path: ``make run``'s own steps give a demo that opens and a login that works.

The steps are read from the Makefile's ``run`` target and run as real ``findbuch`` processes
(with two sample documents instead of all of ``samples/``, to stay quick); the server is the
real waitress server on a free port.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from conftest import DLT_TEXT, NRW_PDF, csrf_token, free_port

ROOT = Path(__file__).resolve().parent.parent
FINDBUCH = str(Path(sys.executable).parent / "findbuch")
LOGIN_LINE = re.compile(r"Benutzer „(?P<name>[^“]+)“ und Passwort „(?P<password>[^“]+)“")


def make_run_steps(home: Path, samples: Path, port: int) -> list[list[str]]:
    """The commands of the Makefile's ``run`` target, for this home, samples folder and port."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    steps = []
    for line in recipe.splitlines():
        words = line.strip().replace("$(BIN)/findbuch", FINDBUCH).split()
        words = [str(home) if w == "$(HOME_DIR)" else w for w in words]
        words = [str(samples) if w == "samples" else w for w in words]
        words = [str(port) if w == "8000" else w for w in words]
        steps.append(words)
    return steps


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)


def _demo_server(tmp_path: Path, *, host: str | None = None) -> tuple[subprocess.Popen, int, str]:
    """Run ``make run``'s steps; returns the server, its port and what ingest and demo printed."""
    samples = tmp_path / "samples"
    samples.mkdir()
    for source in (NRW_PDF, DLT_TEXT):
        (samples / source.name).write_bytes(source.read_bytes())
    port = free_port()
    *setup, serve = make_run_steps(tmp_path / "demo-home", samples, port)
    printed = ""
    for step in setup:
        done = subprocess.run(step, capture_output=True, text=True, check=True)
        printed += done.stderr
    if host is not None:
        serve[serve.index("--host") + 1] = host
    server = subprocess.Popen(serve, stderr=subprocess.PIPE, text=True)
    _wait_until_up(port, server)
    return server, port, printed


def _stop(server: subprocess.Popen) -> str:
    server.terminate()
    try:
        return server.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        server.kill()
        return server.communicate()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_make_run_gives_a_demo_that_opens_and_a_login_that_works(tmp_path: Path) -> None:
    server, port, printed = _demo_server(tmp_path)
    try:
        login = LOGIN_LINE.search(printed)
        assert login, printed  # one German line says how to log in
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/?q=Dnipropetrowsk", timeout=10) as response:
            page = response.read().decode()
        assert response.url.startswith(f"{base}/?q=")  # no detour to the login form
        assert "<mark>Dnipropetrowsk</mark>" in page
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(f"{base}/anmelden", timeout=10) as response:
            token = csrf_token(response.read().decode())
        form = {"name": login["name"], "password": login["password"], "csrf_token": token}
        opener.open(f"{base}/anmelden", data=urllib.parse.urlencode(form).encode(), timeout=10)
        with opener.open(f"{base}/hochladen", timeout=10) as response:
            assert response.status == 200  # the archivist's upload form
    finally:
        said = _stop(server)
    assert LOGIN_LINE.search(said)  # serve repeats the line when it starts


def test_a_demo_home_served_beyond_loopback_still_requires_login(tmp_path: Path) -> None:
    server, port, _ = _demo_server(tmp_path, host="0.0.0.0")
    try:
        opener = urllib.request.build_opener(_NoRedirect())
        try:
            opener.open(f"http://127.0.0.1:{port}/?q=Dnipropetrowsk", timeout=10)
            status, location = 200, ""
        except urllib.error.HTTPError as e:
            status, location = e.code, e.headers["Location"]
    finally:
        said = _stop(server)
    assert status == 302
    assert "/anmelden" in location
    assert not LOGIN_LINE.search(said)
