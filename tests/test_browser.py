"""The web app in a real browser (Debian's Chromium via Playwright) against the real server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARCHIVIST, FIXTURES, MEMO_SCAN, READER, add_accounts, free_port
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium on this closed network tries (and fails) to phone home at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
UPLOADS = [
    MEMO_SCAN,
    FIXTURES / "003_skew_kommunalpartnerschaften-p1.jpg",
    FIXTURES / "004_dlt_rotated-p1.png",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """``findbuch serve`` on loopback with its embedded worker, and two accounts."""
    home = tmp_path_factory.mktemp("browser") / "home"
    add_accounts(home)
    port = free_port()
    process = subprocess.Popen(
        [Path(sys.executable).parent / "findbuch", "--home", home, "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(process.stderr.read()) from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=20)
    process.stderr.close()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _login(browser: Browser, url: str, account: tuple[str, str]) -> Page:
    context = browser.new_context(
        locale="de-DE",
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    page.goto(f"{url}/anmelden")
    page.get_by_label("Benutzername").fill(account[0])
    page.get_by_label("Passwort").fill(account[1])
    page.get_by_role("button", name="Anmelden").click()
    return page


def test_archivist_uploads_finds_reads_cites_and_corrects(server: str, browser: Browser):
    page = _login(browser, server, ARCHIVIST)
    page.get_by_role("link", name="Hochladen").click()
    page.get_by_label("Dateien").set_input_files([str(p) for p in UPLOADS])
    page.get_by_role("button", name="Hochladen").click()
    expect(page.get_by_role("heading", name="Aufträge")).to_be_visible()
    deadline = time.monotonic() + 180
    while page.locator("tr.job.done").count() < len(UPLOADS):
        assert page.locator("tr.job.failed").count() == 0, page.inner_text("table")
        assert time.monotonic() < deadline, page.inner_text("table")
        time.sleep(1)
        page.reload()
    page.screenshot(path=ARTIFACTS / "auftraege.png", full_page=True)

    page.get_by_label("Suchbegriffe").fill("Chmelnyzkyj")
    page.get_by_label("Suchbegriffe").press("Enter")
    hit = page.locator("li.hit").first
    expect(hit).to_contain_text("Solidaritätspartnerschaft")
    expect(hit.locator("mark").first).to_have_text("Chmeinyzkyj")  # the OCR spelling, marked
    page.screenshot(path=ARTIFACTS / "suche.png", full_page=True)

    hit.get_by_role("link").first.click()
    assert page.url.endswith("#seite-1")
    expect(page.locator("#seite-1 mark").first).to_have_text("Chmeinyzkyj")
    expect(page.locator("#seite-1 img.scan")).to_be_visible()
    page.get_by_role("button", name="Zitat kopieren").click()
    expect(page.get_by_role("button", name="Kopiert ✓")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Landeshauptstadt Dresden" in copied and "/s/1" in copied and "abgerufen am" in copied
    page.screenshot(path=ARTIFACTS / "dokument.png", full_page=False)

    page.get_by_label("Datum", exact=True).fill("22.03.2024")
    page.get_by_role("button", name="Korrektur speichern").click()
    expect(page.get_by_role("status").first).to_contain_text("1 Änderung(en) gespeichert")
    page.get_by_label("Suchbegriffe").fill("Chmelnyzkyj")
    page.get_by_label("Suchbegriffe").press("Enter")
    expect(page.locator("li.hit").first.locator(".meta")).to_contain_text("22.03.2024")


def test_reader_finds_no_upload_or_edit_controls(server: str, browser: Browser) -> None:
    page = _login(browser, server, READER)
    expect(page.get_by_role("link", name="Hochladen")).to_have_count(0)
    page.goto(f"{server}/?q=Partnerschaftskonferenz")
    page.locator("li.hit a").first.click()
    expect(page.get_by_text("Metadaten korrigieren")).to_have_count(0)
    expect(page.get_by_role("button", name="Zurückziehen")).to_have_count(0)
    assert page.goto(f"{server}/hochladen").status == 403


def test_anonymous_visitors_are_sent_to_login(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{server}/?q=Chmelnyzkyj")
    assert "/anmelden" in page.url
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
