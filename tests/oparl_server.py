"""A small OParl 1.1 server on loopback for tests and bench/oparl.py, serving given objects.

It serves what a real server does (see ../shared/oparl/README.md): a made-up System and Body,
the paper list sorted by id and paginated with ``links.next``, filtered by ``modified_since``
(tombstones only then), every object at its id, and a PDF typeset from each file's text at its
``accessUrl``/``downloadUrl`` (image-only for scans, so they go through OCR). Object ids keep
the source's prefix; every answer has it replaced by this server's address. It can fail every
n-th request and answer one with 429, and it logs every path it was asked for.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

PREFIX = "https://web1.karlsruhe.de/oparl/"
BODY = PREFIX + "bodies/0001"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TYPE = "https://schema.oparl.org/1.1/"
_DOWNLOAD = re.compile(r"bodies/0001/downloadfiles/(?:a/)?(\d+)\.pdf$")
# Symbol-font bullets of the source PDFs have no DejaVu glyph; fpdf2 logs each, harmlessly.
logging.getLogger("fpdf").setLevel(logging.ERROR)


@dataclass
class Sample:
    """What the server serves: objects by id, and per file number its text (None: no file).

    ``scanned`` names file numbers served as image-only PDFs.
    """

    papers: dict[str, dict] = field(default_factory=dict)
    objects: dict[str, dict] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    scanned: set[str] = field(default_factory=set)


def load_karlsruhe(root: Path, paper_ids: list[str] | None = None, *, max_chars: int = 0) -> Sample:
    """The Karlsruhe sample (``../shared/oparl/karlsruhe``), all papers or those named.

    Files whose text is blank were scanned: they are served as an image of the paper's
    reference and name and the file's name. ``max_chars`` cuts each text (fast tests); 0 keeps
    it whole.
    """
    sample = Sample()
    names = paper_ids or sorted(p.stem for p in (root / "papers").glob("*.json"))
    for name in names:
        paper = json.loads((root / "papers" / f"{name}.json").read_text(encoding="utf-8"))
        sample.papers[paper["id"]] = paper
        for f in paper.get("auxiliaryFile", []):
            number = f["id"].rsplit("/", 1)[1]
            text_path = root / "files" / f"{number}.txt"
            text = text_path.read_text(encoding="utf-8") if text_path.is_file() else None
            if text is not None and not text.strip():
                text = "\n\n".join(
                    (f"Vorlage Nr.: {paper.get('reference', '')}", paper.get("name", ""), f["name"])
                )
                sample.scanned.add(number)
            sample.texts[number] = text[:max_chars] if text and max_chars else text
    for path in (root / "meetings").glob("*.json"):
        meeting = json.loads(path.read_text(encoding="utf-8"))
        sample.objects[meeting["id"]] = meeting
        for item in meeting.get("agendaItem", []):
            sample.objects[item["id"]] = item
    for org in json.loads((root / "organizations.json").read_text(encoding="utf-8")):
        sample.objects[org["id"]] = org
    return sample


TYPESET_AT = datetime(2024, 1, 1, tzinfo=UTC)


def typeset_pdf(text: str, *, scanned: bool = False) -> bytes:
    """A PDF of the text (form feeds start pages); as one page image when ``scanned``."""
    pdf = FPDF(format="A4")
    # A fixed date: the same text must give the same bytes, whenever it is typeset.
    pdf.set_creation_date(TYPESET_AT)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=10)
    if scanned:
        pdf.add_page()
        pdf.image(_scan(text), x=0, y=0, w=210)
        return bytes(pdf.output())
    for page in text.split("\f") or [""]:
        pdf.add_page()
        lines = [line.rstrip() for line in page.splitlines()]
        body = "\n".join(lines).strip() or "."
        pdf.multi_cell(0, 5, body.replace("\t", " "))
    return bytes(pdf.output())


def _scan(text: str) -> io.BytesIO:
    """The text drawn on a white A4 page at 150 dpi, as a scanner would give it (PNG)."""
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30)
    y = 150
    for line in text.splitlines():
        words, current = line.split(), ""
        for word in words:
            if draw.textlength(f"{current} {word}", font=font) > 1000 and current:
                draw.text((120, y), current, fill=0, font=font)
                y, current = y + 45, word
            else:
                current = f"{current} {word}".strip()
        draw.text((120, y), current, fill=0, font=font)
        y += 45
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


class OParlServer:
    """The server in a thread; use as a context manager. ``base`` replaces ``PREFIX``."""

    def __init__(self, sample: Sample, *, page_size: int = 2) -> None:
        self.sample = sample
        self.page_size = page_size
        self.fail_every = 0  # answer every n-th request with 500
        self.throttle_once = False  # answer one request with 429 and Retry-After
        self.next_loops = False  # the paper list's last page points back to the first
        self.log: list[str] = []
        self._count = 0
        self._lock = threading.Lock()
        self._pdfs: dict[tuple[str, str], bytes] = {}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}/oparl/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> OParlServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def system_url(self) -> str:
        return self.base + "system"

    def touch(self, paper_id: str, **changes: object) -> None:
        """Change a paper as its council would: the changes, and ``modified`` now."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.sample.papers[paper_id] = {**self.sample.papers[paper_id], **changes, "modified": now}

    def downloads(self) -> list[str]:
        """Paths of the files downloaded so far."""
        return [p for p in self.log if "/downloadfiles/" in p]

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict]:
        """Status, content type, body and extra headers for a GET."""
        with self._lock:
            self.log.append(path)
            self._count += 1
            if self.throttle_once and self._count > 3:
                self.throttle_once = False
                return 429, "text/plain", b"zu viele Anfragen", {"Retry-After": "1"}
            if self.fail_every and self._count % self.fail_every == 0:
                return 500, "text/plain", b"interner Fehler", {}
        key = PREFIX + path.removeprefix("/oparl/")
        download = _DOWNLOAD.search(key)
        if download:
            return self._pdf(download.group(1))
        found = self._json(key, query)
        if found is None:
            return 404, "application/json", b'{"error": "nicht gefunden"}', {}
        body = json.dumps(found, ensure_ascii=False).replace(PREFIX, self.base).encode()
        return 200, "application/json", body, {}

    def _json(self, key: str, query: dict[str, list[str]]) -> object | None:
        if key == PREFIX + "system":
            return {"id": key, "type": TYPE + "System", "oparlVersion": TYPE,
                    "name": "Testserver", "body": PREFIX + "bodies"}  # fmt: skip
        if key == PREFIX + "bodies":
            return {"data": [self._body()], "pagination": {}, "links": {}}
        if key == BODY:
            return self._body()
        if key == BODY + "/papers":
            return self._papers(query)
        return self.sample.papers.get(key) or self.sample.objects.get(key)

    def _body(self) -> dict:
        lists = {name: f"{BODY}/{name}s" for name in ("organization", "person", "meeting", "paper")}
        return {"id": BODY, "type": TYPE + "Body", "name": "Stadt Karlsruhe",
                "legislativeTerm": [], **lists}  # fmt: skip

    def _papers(self, query: dict[str, list[str]]) -> dict:
        since = query.get("modified_since", [""])[0]
        papers = [p for _, p in sorted(self.sample.papers.items())]
        if since:
            moment = datetime.fromisoformat(since)
            papers = [p for p in papers if datetime.fromisoformat(p["modified"]) >= moment]
        else:
            papers = [p for p in papers if not p.get("deleted")]
        page = int(query.get("page", ["1"])[0])
        pages = max(1, -(-len(papers) // self.page_size))
        data = papers[(page - 1) * self.page_size : page * self.page_size]

        def link(number: int) -> str:
            return f"{BODY}/papers?" + urlencode({**({"modified_since": since} if since else {}),
                                                  "page": number})  # fmt: skip

        links = {"first": link(1), "self": link(page), "last": link(pages)}
        if page < pages:
            links["next"] = link(page + 1)
        elif self.next_loops and pages > 1:
            links["next"] = link(1)
        pagination = {"totalElements": len(papers), "elementsPerPage": self.page_size,
                      "currentPage": page, "totalPages": pages}  # fmt: skip
        return {"data": data, "pagination": pagination, "links": links}

    def pdf(self, number: str) -> bytes | None:
        """The PDF served for a file number (typeset once per text), or ``None``: no file."""
        text = self.sample.texts.get(number)
        if text is None:
            return None
        key = (number, text)  # a text changed by a test is typeset anew
        with self._lock:
            if key not in self._pdfs:
                self._pdfs[key] = typeset_pdf(text, scanned=number in self.sample.scanned)
            return self._pdfs[key]

    def _pdf(self, name: str) -> tuple[int, str, bytes, dict]:
        pdf = self.pdf(name.lstrip("0"))
        if pdf is None:
            return 404, "text/plain", b"keine Datei", {}
        return 200, "application/pdf", pdf, {}


def _handler(server: OParlServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            status, kind, body, headers = server.answer(url.path, parse_qs(url.query))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet: the server keeps its own log."""

    return Handler
