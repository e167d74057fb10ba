"""The ``findbuch import-oparl`` command: parses options, runs the import, prints its events."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from tqdm import tqdm

from common.errors import ExitCode, FindbuchError
from common.fields import LOCAL_ZONE
from common.settings import load_settings
from ingest.oparl import ClientOptions, OParlClient
from service.home import DataHome
from service.oparl_sync import BATCH_FILES, ImportEvent, ImportReport, import_oparl

# Without a terminal, one progress line at most this often (as ``ingest`` does).
JSON_INTERVAL_S = 10.0
_FILE_WORDS = {"added": "hinzugefügt", "duplicate": "bereits im Archiv", "failed": "fehlgeschlagen"}


def read_since(text: str | None) -> str:
    """``--since`` as a full ISO date-time (a bare date is midnight, German time).

    Raises:
        click.BadParameter: not a date.
    """
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as e:
        raise click.BadParameter(
            f"„{text}“ ist kein Datum; bitte als JJJJ-MM-TT oder JJJJ-MM-TTTHH:MM angeben."
        ) from e
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(LOCAL_ZONE))
    return moment.isoformat(timespec="seconds")


class _Printer:
    """Shows events: a bar on a terminal, else a progress JSON line every 10 s on stderr."""

    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json
        self.papers = 0
        self.pages = 0
        self.started = time.monotonic()
        self._last_line = self.started
        self._bar = (
            tqdm(unit="Vorl.", desc="OParl", file=sys.stderr) if sys.stderr.isatty() else None
        )

    def __call__(self, event: ImportEvent) -> None:
        if event.kind == "total" and self._bar is not None and event.total is not None:
            self._bar.total = (self._bar.total or 0) + event.total
            self._bar.refresh()
        elif event.kind == "paper":
            self.papers += 1
            self._progress()
        elif event.kind in ("file", "problem"):
            self.pages += event.pages
            self._show(event)

    def _show(self, event: ImportEvent) -> None:
        if self.as_json:
            data = {k: v for k, v in asdict(event).items() if v not in ("", None, 0)}
            click.echo(json.dumps(data, ensure_ascii=False))
            return
        if event.kind == "problem":
            self._write(f"Problem: {event.subject}: {event.message}", err=True)
        elif event.status == "failed":
            self._write(f"fehlgeschlagen: {event.reference} {event.subject}: {event.message}",
                        err=True)  # fmt: skip
        else:
            pages = f"{event.pages} Seite" + ("" if event.pages == 1 else "n")
            word = _FILE_WORDS[event.status]
            self._write(f"{word}: {event.reference} {event.subject} -> {event.doc_id} ({pages})")

    def _write(self, line: str, *, err: bool = False) -> None:
        if self._bar is not None:
            self._bar.write(line, file=sys.stderr if err else sys.stdout)
        else:
            click.echo(line, err=err)

    def _progress(self) -> None:
        minutes = max(time.monotonic() - self.started, 1e-6) / 60
        if self._bar is not None:
            self._bar.set_postfix_str(f"{self.pages} Seiten, {self.pages / minutes:.0f} Seiten/min")
            self._bar.update(1)
            return
        now = time.monotonic()
        if now - self._last_line >= JSON_INTERVAL_S:
            self._last_line = now
            line = {"progress": {"papers_done": self.papers, "pages_done": self.pages,
                                 "pages_per_minute": round(self.pages / minutes, 1)}}  # fmt: skip
            print(json.dumps(line), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@click.command("import-oparl")
@click.argument("url")
@click.option("--body", help="Nur diese Körperschaft (ihre OParl-id oder deren letzter Teil).")
@click.option("--since", help="Nur Vorlagen, die seit diesem Datum geändert wurden (JJJJ-MM-TT).")
@click.option("--json", "as_json", is_flag=True, help="Eine JSON-Zeile je Datei und Problem.")
@click.option(
    "--rate", type=click.FloatRange(0), default=4.0, show_default=True,
    help="Höchstens so viele Anfragen je Sekunde (0: ohne Grenze).",
)  # fmt: skip
@click.option(
    "--timeout", type=click.FloatRange(1), default=30.0, show_default=True,
    help="Sekunden, die auf eine Antwort gewartet wird.",
)  # fmt: skip
@click.option(
    "--retries", type=click.IntRange(0, 20), default=5, show_default=True,
    help="Weitere Versuche bei Serverfehlern, 429 und Verbindungsfehlern.",
)  # fmt: skip
@click.option(
    "--backoff", type=click.FloatRange(0), default=1.0, show_default=True,
    help="Sekunden der ersten Pause vor einem neuen Versuch (verdoppelt sich).",
)  # fmt: skip
@click.option(
    "--batch", type=click.IntRange(1), default=BATCH_FILES, show_default=True,
    help="Dateien, die zusammen geladen und dann aufgenommen werden.",
)  # fmt: skip
@click.option(
    "--jobs", type=click.IntRange(0), help="Parallele OCR-Prozesse (Standard: alle Kerne)."
)
@click.pass_context
def import_oparl_command(
    ctx: click.Context,
    url: str,
    body: str | None,
    since: str | None,
    as_json: bool,  # noqa: FBT001 - click
    **options: Any,
) -> None:
    """Vorlagen eines Ratsinformationssystems (OParl 1.1) mit ihren Dateien aufnehmen.

    URL ist die OParl-Einstiegs-URL (System) oder die einer Körperschaft (Body). Ein weiterer
    Lauf holt nur Neues und Geändertes.
    """
    jobs, batch = options.pop("jobs"), options.pop("batch")
    settings = load_settings({"home": ctx.obj["home"], "jobs": jobs})
    client = OParlClient(ClientOptions(max_bytes=settings.max_file_mb * 1024 * 1024, **options))
    printer = _Printer(as_json=as_json)
    try:
        with DataHome(settings) as home:
            home.ensure_index()
            report = import_oparl(
                home,
                client,
                url,
                body=body,
                since=read_since(since),
                batch_files=batch,
                on_event=printer,
            )
    finally:
        printer.close()
        client.close()
    _summarise(report, as_json=as_json)
    if not report.bodies:
        raise FindbuchError(f"Unter {url} wurde keine OParl-Körperschaft gefunden.")
    failed = report.files_failed or report.papers_invalid or len(report.complete) < report.bodies
    ctx.exit(ExitCode.FAILED if failed else ExitCode.OK)


def _summarise(report: ImportReport, *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"kind": "summary", **asdict(report)}, ensure_ascii=False))
    click.echo(
        f"Fertig: {report.papers_imported} Vorlage(n) aufgenommen, {report.papers_unchanged} "
        f"unverändert, {report.papers_deleted} gelöscht markiert, {report.papers_invalid} "
        f"ungültig; Dateien: {report.files_added} hinzugefügt, {report.files_duplicate} bereits "
        f"im Archiv, {report.files_failed} fehlgeschlagen; {report.problems} Problem(e), "
        f"{report.requests} Anfragen.",
        err=True,
    )
