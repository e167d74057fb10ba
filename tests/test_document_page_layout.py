"""The document page and the facets at desktop, laptop and phone widths, in real Chromium.

Every metadata value must fit its box (no value wider than the element showing it), long
lists fold behind "alle anzeigen", the page image opens in full resolution, and image and
text stand side by side where there is room. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import struct

import pytest
from conftest import FIXTURES, PRESS_PDF, READER, add_accounts, serving
from playwright.sync_api import Browser, Page, expect, sync_playwright
from test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

from common.settings import Settings
from service.home import DataHome

WIDTHS = (1280, 1024, 390)
DOCUMENTS = (
    PRESS_PDF,
    FIXTURES / "002_nrw_dnipropetrowsk.pdf",
    FIXTURES / "004_dlt_partnerschaftskonferenz.md",
    FIXTURES / "003_kommunalpartnerschaften_webartikel.md",
)
# Elements whose content is wider than their box, i.e. clipped or spilling over.
OVERFLOWING = """() => [...document.querySelectorAll(
    '.metadata dd, .metadata dd li, .metadata dd code, .cite-text')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right >
          e.closest('.metadata, .citation').getBoundingClientRect().right + 1)
  .map(e => e.textContent.trim().slice(0, 60))"""

# Elements reaching past the right edge of the screen (a page that scrolls sideways).
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40))
  .slice(0, 10)"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """``findbuch serve`` on a home with the press release, the NRW page, the DLT text and the
    web article."""
    home = tmp_path_factory.mktemp("layout") / "home"
    with DataHome(Settings(home=home)) as h:
        assert [r.status for r in h.ingest(list(DOCUMENTS))] == ["added"] * len(DOCUMENTS)
    add_accounts(home)
    with serving(home) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _reader(browser: Browser, url: str, width: int) -> Page:
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/anmelden")
    page.get_by_label("Benutzername").fill(READER[0])
    page.get_by_label("Passwort").fill(READER[1])
    page.get_by_role("button", name="Anmelden").click()
    return page


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


@pytest.mark.parametrize("width", WIDTHS)
def test_facets_name_places_in_german(server: str, browser: Browser, width: int) -> None:
    page = _reader(browser, server, width)
    page.goto(f"{server}/?q=Partnerschaft")
    facets = page.locator(".facets")
    expect(facets).to_contain_text("Charkiw")
    expect(facets).to_contain_text("Warschau")
    expect(facets).not_to_contain_text("Kharkiv")
    page.screenshot(path=ARTIFACTS / f"facetten-{width}.png", full_page=True)
    page.context.close()


def test_a_name_found_in_another_spelling_is_marked_in_the_snippet(
    server: str, browser: Browser
) -> None:
    page = _reader(browser, server, 1280)
    page.goto(f"{server}/?q=Kiew")
    expect(page.locator("li.hit mark", has_text="Kyjiw").first).to_be_visible()
    expect(page.locator("li.hit mark", has_text="Kiew").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "kiew-kyjiw.png", full_page=True)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_document_page_shows_every_value_whole(server: str, browser: Browser, width: int) -> None:
    page = _reader(browser, server, width)
    page.goto(f"{server}/?q=Regionalpartnerschaft")
    page.locator("li.hit a").first.click()
    expect(page.locator(".metadata")).to_contain_text("Warschau")
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate(WIDER_THAN_SCREEN) == []

    places = page.locator("dd:has(details.more)").first
    expect(places.get_by_text("alle anzeigen")).to_be_visible()
    hidden = places.locator("details.more li").first
    expect(hidden).to_be_hidden()
    places.get_by_text("alle anzeigen").click()
    expect(hidden).to_be_visible()
    assert page.evaluate(OVERFLOWING) == []

    image, text = page.locator("#seite-1 img.scan"), page.locator("#seite-1 .pagetext")
    image_box, text_box = image.bounding_box(), text.bounding_box()
    if width >= 1024:
        assert image_box["x"] + image_box["width"] <= text_box["x"], "Bild und Text nebeneinander"
        assert text_box["width"] >= 300
    else:
        assert text_box["y"] >= image_box["y"] + image_box["height"], "Text unter dem Bild"
    full = page.request.get(server + page.locator("#seite-1 a.enlarge").get_attribute("href"))
    assert full.ok and full.headers["content-type"] == "image/png"
    assert _png_width(full.body()) > image_box["width"]
    page.screenshot(path=ARTIFACTS / f"dokument-{width}.png", full_page=True)
    page.context.close()
