"""The web server under attack (issue 17), each finding against a real ``findbuch serve``."""

from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import (
    ARCHIVIST,
    NRW_PDF,
    READER,
    add_accounts,
    csrf_token,
    run_cli,
    search_json,
    serving,
)

from bench.page_image import strip_pdf
from findbuch.cli import cli


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser(jar: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    """A client with cookies that shows redirects instead of following them."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar if jar is not None else http.cookiejar.CookieJar()),
        _NoRedirect(),
    )


def _fetch(opener, url: str, data: dict | None = None) -> tuple[int, dict, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode(errors="replace")


def _log_in(opener, base: str, account: tuple[str, str], *, next_url: str = "") -> str:
    """Log in through the form; returns where the server sends the browser."""
    token = csrf_token(_fetch(opener, f"{base}/anmelden")[2])
    form = {"name": account[0], "password": account[1], "csrf_token": token, "next": next_url}
    status, headers, _ = _fetch(opener, f"{base}/anmelden", form)
    assert status == 302, status
    return headers["Location"]


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A server on a home with the long strip PDF and two accounts."""
    root = tmp_path_factory.mktemp("attacks")
    home = root / "home"
    strip = strip_pdf(root / "streifen.pdf")
    ingested = run_cli("--home", str(home), "ingest", str(strip), str(NRW_PDF))
    assert ingested.exit_code == 0, ingested.stderr
    add_accounts(home)
    with serving(home) as (base, process):
        yield base, process, home


def _doc_id(home: Path) -> str:
    return json.loads(run_cli("--home", str(home), "search", "Streifen1", "--json").stdout)["hits"][
        0
    ]["doc_id"]


def test_a_tall_pdf_page_is_drawn_with_bounded_pixels_and_memory(server) -> None:
    base, process, home = server
    opener = _browser()
    _log_in(opener, base, READER)
    url = f"{base}/d/{_doc_id(home)}/s/1/bild?breite=700"
    before = _rss_mb(process.pid)
    with opener.open(url, timeout=120) as response:
        png = response.read()
    grown = _rss_mb(process.pid) - before
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert grown < 150, f"server grew by {grown:.0f} MB"
    assert height <= 1400 and width <= 700  # at most twice as high as wide
    with opener.open(url, timeout=10) as again:  # from the cache: the same bytes
        assert again.read() == png


@pytest.mark.parametrize(
    "target",
    [
        "////evil.example",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
    ],
)
def test_login_never_redirects_to_another_site(server, target: str) -> None:
    base, _, _ = server
    assert _log_in(_browser(), base, ARCHIVIST, next_url=target) == "/"


def test_login_returns_to_the_page_it_came_from(server) -> None:
    base, _, _ = server
    assert _log_in(_browser(), base, ARCHIVIST, next_url="/?q=Streifen1") == "/?q=Streifen1"


def _saved_cookie_status(base: str, jar: http.cookiejar.CookieJar) -> int:
    """The status a copy of the cookies gets for the search page (302: sent to log in)."""
    copy = http.cookiejar.CookieJar()
    for cookie in jar:
        copy.set_cookie(cookie)
    return _fetch(_browser(copy), f"{base}/?q=Streifen1")[0]


def test_logout_ends_the_session_even_for_a_saved_cookie(server) -> None:
    base, _, _ = server
    jar = http.cookiejar.CookieJar()
    opener = _browser(jar)
    _log_in(opener, base, ARCHIVIST)
    saved = http.cookiejar.CookieJar()
    for cookie in jar:
        saved.set_cookie(cookie)
    assert _saved_cookie_status(base, saved) == 200
    token = csrf_token(_fetch(opener, f"{base}/?q=Streifen1")[2])
    assert _fetch(opener, f"{base}/abmelden", {"csrf_token": token})[0] == 302
    assert _saved_cookie_status(base, saved) == 302


def test_a_new_password_ends_the_accounts_sessions(server) -> None:
    base, _, home = server
    jar = http.cookiejar.CookieJar()
    _log_in(_browser(jar), base, READER)
    assert _saved_cookie_status(base, jar) == 200
    args = ["--home", str(home), "user", "add", READER[0], "--role", "leser", "--password-stdin"]
    changed = CliRunner().invoke(cli, args, input=READER[1] + "\n")  # reset, same password
    assert changed.exit_code == 0, changed.stderr
    assert _saved_cookie_status(base, jar) == 302


def _status_line(base: str, head: str, *, wait_s: float = 10) -> str:
    """Send a request's head (no body) on a raw socket; the status line it gets."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=wait_s) as sock:
        sock.sendall(head.encode("latin-1"))
        try:
            return sock.recv(200).decode("latin-1").split("\r\n")[0]
        except TimeoutError:
            return "keine Antwort"


def _post_head(path: str, length: int, cookie: str = "") -> str:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {length}",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return "\r\n".join(lines) + "\r\n\r\n"


@pytest.mark.parametrize("path", ["/anmelden", "/hochladen", "/api/uploads", "/abmelden"])
def test_a_large_anonymous_body_is_refused_before_it_is_sent(server, path: str) -> None:
    base, _, _ = server
    assert _status_line(base, _post_head(path, 900 * 1024 * 1024)).endswith(
        "413 Request Entity Too Large"
    )


def test_only_an_archivist_may_send_a_large_upload(server) -> None:
    base, _, _ = server
    cookies = {}
    for account in (READER, ARCHIVIST):
        jar = http.cookiejar.CookieJar()
        _log_in(_browser(jar), base, account)
        cookies[account] = "; ".join(f"{c.name}={c.value}" for c in jar)
    big = _post_head("/hochladen", 50 * 1024 * 1024, cookies[READER])
    assert _status_line(base, big).endswith("413 Request Entity Too Large")
    # The archivist's upload is read: the server waits for its body.
    big = _post_head("/hochladen", 50 * 1024 * 1024, cookies[ARCHIVIST])
    assert _status_line(base, big, wait_s=2) == "keine Antwort"
    too_big = _post_head("/hochladen", 300 * 1024 * 1024, cookies[ARCHIVIST])
    assert _status_line(base, too_big).endswith("413 Request Entity Too Large")


def test_parallel_wrong_logins_get_no_more_guesses_than_the_limit(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_accounts(home)
    with serving(home, "--processes", "2") as (base, _):
        forms = []
        for _ in range(40):  # 40 sessions, each with its own form and CSRF token
            opener = _browser()
            token = csrf_token(_fetch(opener, f"{base}/anmelden")[2])
            forms.append(
                (opener, {"name": ARCHIVIST[0], "password": "geraten-1234", "csrf_token": token})
            )
        start = threading.Barrier(len(forms))
        statuses = []

        def guess(opener, form) -> None:
            start.wait()
            statuses.append(_fetch(opener, f"{base}/anmelden", form)[0])

        threads = [threading.Thread(target=guess, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(statuses) == [401] * 5 + [429] * 35


def test_slow_clients_cannot_starve_a_normal_one(server) -> None:
    base, _, _ = server
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    slow = []
    for _ in range(150):  # more than waitress's default limit of 100 connections
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(sock)
    opened = time.monotonic()
    try:
        with urllib.request.urlopen(f"{base}/anmelden", timeout=5) as response:
            assert response.status == 200
        from findbuch.serving import ServerLimits

        # The slow ones keep sending a header line a second, and are closed all the same.
        deadline = opened + ServerLimits().request_timeout + 5
        while slow and time.monotonic() < deadline:
            for sock in list(slow):
                try:
                    sock.sendall(b"X-Langsam: 1\r\n")
                except OSError:
                    slow.remove(sock)
                    sock.close()
            time.sleep(1)
        assert not slow, f"{len(slow)} slow connections still open"
    finally:
        for sock in slow:
            sock.close()


def test_a_withdrawn_document_is_for_archivists_only(server) -> None:
    base, _, home = server
    found = json.loads(run_cli("--home", str(home), "search", "Dnipropetrowsk", "--json").stdout)
    doc_id = found["hits"][0]["doc_id"]
    reason = ["--reason", "Personenbezogene Daten", "--by", "archivarin"]
    assert run_cli("--home", str(home), "withdraw", doc_id, *reason).exit_code == 0
    paths = [
        f"/d/{doc_id}",
        f"/d/{doc_id}/s/1",
        f"/d/{doc_id}/s/1/bild",
        f"/d/{doc_id}/original",
        f"/d/{doc_id}/zitat/bibtex",
        f"/api/documents/{doc_id}",
        f"/api/documents/{doc_id}/citation",
    ]
    reader, archivist = _browser(), _browser()
    _log_in(reader, base, READER)
    _log_in(archivist, base, ARCHIVIST)
    try:
        for path in paths:
            assert _fetch(reader, base + path)[0] == 404, path
            assert _fetch(archivist, base + path)[0] in (200, 302), path
        assert "Personenbezogene Daten" in _fetch(archivist, f"{base}/d/{doc_id}")[2]
    finally:
        assert run_cli("--home", str(home), "withdraw", doc_id, *reason, "--undo").exit_code == 0
    assert _fetch(reader, f"{base}/d/{doc_id}")[0] == 200
    # Unless the archivist says it stays readable (a duplicate): out of search, readable by id.
    duplicate = ["--reason", "Dublette", "--by", "archivarin", "--readable"]
    assert run_cli("--home", str(home), "withdraw", doc_id, *duplicate).exit_code == 0
    try:
        status, _, page = _fetch(reader, f"{base}/d/{doc_id}")
        assert status == 200 and "bleibt aber für alle lesbar" in page
        assert _fetch(reader, f"{base}/d/{doc_id}/original")[0] == 200
        after = search_json(home, "Dnipropetrowsk")["hits"]
        assert doc_id not in {h["doc_id"] for h in after}
    finally:
        assert run_cli("--home", str(home), "withdraw", doc_id, *reason, "--undo").exit_code == 0


def test_a_catalog_from_before_session_versions_opens_and_logs_in(tmp_path: Path) -> None:
    import sqlite3

    from common.settings import Settings
    from service.accounts import authenticate
    from service.home import DataHome

    home = tmp_path / "home"
    add_accounts(home)
    with sqlite3.connect(home / "catalog.sqlite") as old:  # as written before issue 17
        old.execute("ALTER TABLE users DROP COLUMN session_version")
    with DataHome(Settings(home=home)) as h:
        catalog = h.archive.catalog
        assert authenticate(catalog, *ARCHIVIST) is not None
        assert catalog.session_version(ARCHIVIST[0]) == 0
        catalog.end_sessions(ARCHIVIST[0])
        assert catalog.session_version(ARCHIVIST[0]) == 1
