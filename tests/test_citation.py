"""Citations a user pastes into a letter or a council paper, and imports elsewhere."""

from __future__ import annotations

import copy
import datetime
import json
import re
from pathlib import Path

import pytest
from conftest import search_json

from common.errors import FindbuchError
from common.settings import Settings
from service.citation import FORMATS, MEDIA_TYPES, citation_file_name, cite
from service.home import DataHome

BASE = "https://findbuch.example.de"
RETRIEVED = datetime.date(2026, 11, 21)
HOSTILE_TITLE = (
    'Böse}\n@misc{x, title = {"hacked"}\r\nER  - \n100 % <script>alert(1)</script> \\end'
)
HOSTILE_ISSUER = 'Amt "A" & B}, note = {x} #_$~^{\u2028TY  - JOUR'
# CSL 1.0.2 item keys (csl-data.json): the ones this module may write.
CSL_KEYS = {
    "id",
    "type",
    "title",
    "author",
    "genre",
    "issued",
    "accessed",
    "URL",
    "number",
    "page",
    "note",
    "archive",
    "archive_location",
}
CSL_TYPES = {"document", "report", "webpage"}
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - ")
BIBTEX_FIELDS = {"author", "title", "year", "month", "date", "note", "url", "urldate"}


@pytest.fixture(scope="module")
def press(ingested_home: Path) -> dict:
    """The Saxon press release about Charkiw, as ``DataHome.describe`` gives it."""
    hits = search_json(ingested_home, "Charkiw")["hits"]
    with DataHome(Settings(home=ingested_home)) as h:
        docs = [h.describe(hit["doc_id"]) for hit in hits]
    return next(d for d in docs if d["type"] == "press_release")


@pytest.fixture
def hostile(press: dict) -> dict:
    """The press release with hostile title, issuer and reference numbers."""
    doc = copy.deepcopy(press)
    doc.update(
        title=HOSTILE_TITLE,
        issuer=HOSTILE_ISSUER,
        references=["A}\nB", "%{", "ok/1"],
    )
    return doc


def citation(doc: dict, fmt: str, page: int | None = 2) -> str:
    return cite(doc, fmt=fmt, base_url=BASE, retrieved=RETRIEVED, page=page)


def parse_bibtex(text: str) -> tuple[str, str, dict[str, str]]:
    """(entry type, key, fields) of exactly one entry; fails on anything malformed."""
    match = re.match(r"@(\w+)\{([A-Za-z0-9_:-]+),\n", text)
    assert match, text
    pos, fields = match.end(), {}
    while True:
        while text[pos].isspace():
            pos += 1
        if text[pos] == "}":
            assert text[pos + 1 :].strip() == "", "text after the entry"
            return match.group(1), match.group(2), fields
        name = re.match(r"(\w+) = ", text[pos:])
        assert name, text[pos:]
        pos += name.end()
        value, pos = read_bibtex_value(text, pos)
        assert name.group(1) not in fields, f"field {name.group(1)} twice"
        fields[name.group(1)] = value
        assert text[pos] == ",", text[pos:]
        pos += 1


def read_bibtex_value(text: str, pos: int) -> tuple[str, int]:
    """A braced value (braces counted the way BibTeX counts them) or a bare word."""
    if text[pos] != "{":
        word = re.match(r"[a-z]+", text[pos:])
        assert word, text[pos:]
        return word.group(), pos + word.end()
    depth, start = 0, pos
    while True:
        depth += {"{": 1, "}": -1}.get(text[pos], 0)
        assert text[pos] != "\n", "line break inside a field"
        pos += 1
        if depth == 0:
            return text[start + 1 : pos - 1], pos


def test_text_citation_of_press_release_page(press: dict) -> None:
    text = citation(press, "text")
    doc_id = press["doc_id"]
    assert text.count("\n") == 1 and text.endswith(".\n")
    assert text.startswith("Sächsische Staatskanzlei: Sachsen und ukrainische Region Charkiw")
    assert "Pressemitteilung vom 27.03.2024, S. 2." in text
    assert f"Kennung {doc_id}" in text
    assert f"SHA-256 (Anfang): {press['sha256'][:12]}…" in text
    assert press["sha256"][:17] not in text  # only the start (the id holds 16 digits)
    assert f"{BASE}/d/{doc_id}/s/2 (abgerufen am 21.11.2026)." in text
    assert "Az./Nr." not in text  # the press release has no reference numbers


def test_text_citation_of_whole_document_with_references(press: dict) -> None:
    doc = dict(press, references=["V2072/23", "SR/049/2023"], title="", issuer="")
    text = citation(doc, "text", page=None)
    assert text.startswith(f"{press['original_name']}. Pressemitteilung vom 27.03.2024.")
    assert "Az./Nr. V2072/23, SR/049/2023." in text
    assert f"{BASE}/d/{press['doc_id']} (abgerufen" in text
    assert "S. " not in text and ": " not in text.split("Findbuch")[0]


def test_text_citation_omits_empty_parts(press: dict) -> None:
    doc = dict(press, date="", type="", sha256="")
    text = citation(doc, "text", page=None)
    assert " vom " not in text and "SHA-256" not in text and ", ," not in text
    assert ". ." not in text and ".." not in text


def test_bibtex_of_press_release_page(press: dict) -> None:
    entry_type, key, fields = parse_bibtex(citation(press, "bibtex"))
    assert entry_type == "misc"
    assert key == f"saechsischestaatskanzlei2024-{press['doc_id']}-s2"
    assert fields["author"] == "{Sächsische Staatskanzlei}"
    assert fields["title"].startswith("{Sachsen und ukrainische Region Charkiw")
    assert (fields["year"], fields["month"], fields["date"]) == ("2024", "mar", "2024-03-27")
    assert fields["url"] == f"{BASE}/d/{press['doc_id']}/s/2"
    assert fields["urldate"] == "2026-11-21"
    assert "Pressemitteilung" in fields["note"] and "S.~2" in fields["note"]
    assert f"SHA-256 (Anfang): {press['sha256'][:12]}…" in fields["note"]


def test_bibtex_escapes_latex_specials(press: dict) -> None:
    doc = dict(press, title=r"50 % & $x_1$ #2 ~ ^ \relax {a}", references=["A_1"])
    _, _, fields = parse_bibtex(citation(doc, "bibtex"))
    assert fields["title"] == (
        r"{50 \% \& \$x\_1\$ \#2 \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{}relax \textbraceleft{}a\textbraceright{}}"
    )
    assert r"Az./Nr. A\_1" in fields["note"]


def test_ris_of_press_release_page(press: dict) -> None:
    ris = citation(press, "ris")
    assert ris.endswith("ER  - \r\n")
    lines = ris.split("\r\n")[:-1]
    assert "\n" not in "".join(lines)
    assert all(RIS_LINE.match(line) for line in lines), lines
    tags = dict(line.split("  - ", 1) for line in lines)
    assert tags["TY"] == "GEN" and lines[0].startswith("TY  - ")
    assert tags["AU"] == "Sächsische Staatskanzlei"
    assert tags["TI"].startswith("Sachsen und ukrainische Region Charkiw")
    assert (tags["PY"], tags["DA"], tags["SP"]) == ("2024", "2024/03/27/", "2")
    assert tags["UR"] == f"{BASE}/d/{press['doc_id']}/s/2"
    assert tags["Y2"] == "2026/11/21/"
    assert tags["AN"] == press["doc_id"]
    assert tags["N1"] == f"SHA-256 (Anfang): {press['sha256'][:12]}…"


def test_csl_json_of_press_release_page(press: dict) -> None:
    items = json.loads(citation(press, "csl-json"))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert set(item) <= CSL_KEYS
    assert item["type"] in CSL_TYPES
    assert item["id"] == f"findbuch-{press['doc_id']}-s2"
    assert item["author"] == [{"literal": "Sächsische Staatskanzlei"}]
    assert item["issued"] == {"date-parts": [[2024, 3, 27]]}
    assert item["accessed"] == {"date-parts": [[2026, 11, 21]]}
    assert item["URL"] == f"{BASE}/d/{press['doc_id']}/s/2"
    assert (item["page"], item["genre"], item["archive"]) == ("2", "Pressemitteilung", "Findbuch")
    assert item["archive_location"] == press["doc_id"]
    assert item["note"] == f"SHA-256 (Anfang): {press['sha256'][:12]}…"
    assert "Sächsische" in citation(press, "csl-json")  # UTF-8, not \u escapes


def test_csl_json_council_paper_with_references(press: dict) -> None:
    doc = dict(press, type="council_paper", references=["V2072/23", "SR/049/2023"])
    item = json.loads(citation(doc, "csl-json", page=None))[0]
    assert item["type"] == "report" and item["number"] == "V2072/23, SR/049/2023"
    assert "page" not in item


def test_hostile_metadata_stays_well_formed(hostile: dict) -> None:
    text = citation(hostile, "text")
    assert text.count("\n") == 1 and "\r" not in text and "\u2028" not in text
    assert "<script>alert(1)</script>" in text  # plain text; HTML escaping is the web's job

    _, key, fields = parse_bibtex(citation(hostile, "bibtex"))
    assert set(fields) == BIBTEX_FIELDS
    assert re.fullmatch(r"[a-z0-9]+2024-[0-9a-f]{16}-s2", key)
    assert r"\textbraceright{}" in fields["title"] and r"\%" in fields["title"]

    ris = citation(hostile, "ris")
    lines = ris.split("\r\n")[:-1]
    assert all(RIS_LINE.match(line) for line in lines), lines
    assert [line for line in lines if line.startswith(("ER", "TY"))] == [
        "TY  - GEN",
        "ER  - ",
    ]
    assert lines[-1] == "ER  - "

    item = json.loads(citation(hostile, "csl-json"))[0]
    assert set(item) <= CSL_KEYS
    assert item["title"].startswith('Böse} @misc{x, title = {"hacked"} ER - 100 %')
    assert item["number"] == "A} B, %{, ok/1"


def test_bibtex_title_keeps_hostile_text_readable(hostile: dict) -> None:
    _, _, fields = parse_bibtex(citation(hostile, "bibtex"))
    assert fields["title"].startswith(r"{Böse\textbraceright{} @misc\textbraceleft{}x")


@pytest.mark.parametrize("fmt", ["html", "", "BibTeX"])
def test_unknown_format_is_refused(press: dict, fmt: str) -> None:
    with pytest.raises(FindbuchError, match="Zitierformat"):
        citation(press, fmt)
    with pytest.raises(FindbuchError, match="Zitierformat"):
        citation_file_name(press, fmt, None)


@pytest.mark.parametrize("page", [0, -1, 3, 99])
def test_page_outside_document_is_refused(press: dict, page: int) -> None:
    assert press["page_count"] == 2
    for fmt in FORMATS:
        with pytest.raises(FindbuchError, match=f"Seite {page} gibt es nicht.*2 Seiten"):
            citation(press, fmt, page=page)


def test_file_names_and_media_types(press: dict) -> None:
    doc_id = press["doc_id"]
    names = [citation_file_name(press, fmt, 2) for fmt in FORMATS]
    assert names == [f"findbuch-{doc_id}-s2.{ext}" for ext in ("txt", "bib", "ris", "json")]
    assert citation_file_name(press, "bibtex", None) == f"findbuch-{doc_id}.bib"
    assert set(MEDIA_TYPES) == set(FORMATS)
    assert MEDIA_TYPES["csl-json"] == "application/vnd.citationstyles.csl+json"


def test_base_url_trailing_slash_and_odd_characters(press: dict) -> None:
    text = cite(press, fmt="text", base_url="https://a.example/archiv/", retrieved=RETRIEVED)
    assert f"https://a.example/archiv/d/{press['doc_id']} (abgerufen" in text
    bib = cite(press, fmt="bibtex", base_url="https://a.example/{x} y", retrieved=RETRIEVED)
    assert parse_bibtex(bib)[2]["url"] == f"https://a.example/%7Bx%7D%20y/d/{press['doc_id']}"
