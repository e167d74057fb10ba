"""Commands that bring documents in and read them: ingest, search, show, cite."""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import click

from common.errors import ExitCode
from common.fields import (
    DOCUMENT_TYPES,
    FIELD_LABELS,
    german_date,
)
from findbuch.options import STATUS_WORDS, settings_of
from findbuch.progress import IngestProgress
from index import SORTS
from ingest import FAILED, IngestResult
from ingest.pipeline import iter_input_files
from service.citation import FORMATS
from service.citation import cite as format_citation
from service.home import DataHome, results_json


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Eine JSON-Zeile je Datei ausgeben.")
@click.option(
    "--jobs", type=click.IntRange(0), help="Parallele OCR-Prozesse (Standard: alle Kerne)."
)
@click.option(
    "--queue",
    "to_queue",
    is_flag=True,
    help="Nur einreihen: Worker (findbuch worker) lesen die Dateien, auch auf anderen Rechnern.",
)
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    as_json: bool,  # noqa: FBT001
    jobs: int | None,
    to_queue: bool,  # noqa: FBT001
) -> None:
    """Dateien und Ordner (rekursiv) ins Archiv aufnehmen."""
    if to_queue:
        _enqueue(ctx, paths, as_json=as_json)
        return
    counts = dict.fromkeys(STATUS_WORDS, 0)
    files = list(iter_input_files(paths))
    progress = IngestProgress(len(files))
    with DataHome(settings_of(ctx, jobs=jobs)) as home:
        home.ensure_index()
        try:
            for result in home.ingest(files, on_page=progress.page):
                counts[result.status] += 1
                progress.update(result.pages, Path(result.path))
                _print_ingest_result(result, as_json=as_json)
        finally:
            progress.close()
    summary = ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in counts.items())
    click.echo(f"Fertig: {summary}.", err=True)
    ctx.exit(ExitCode.FAILED if counts[FAILED] else ExitCode.OK)


def _enqueue(ctx: click.Context, paths: tuple[Path, ...], *, as_json: bool) -> None:
    from ingest.queue import QUEUED, Queues, enqueue_files

    settings = settings_of(ctx)
    queued = failed = 0
    with DataHome(settings) as home:
        queues = Queues(settings)
        files = iter_input_files(paths)
        for result in enqueue_files(home.archive, queues, files, user=getpass.getuser()):
            queued += result.status == QUEUED
            failed += result.status == FAILED
            _print_ingest_result(result, as_json=as_json)
    click.echo(
        f"{queued} Datei(en) eingereiht, {failed} fehlgeschlagen. "
        "Fortschritt: findbuch jobs --wait",
        err=True,
    )
    ctx.exit(ExitCode.FAILED if failed else ExitCode.OK)


def _print_ingest_result(result: IngestResult, *, as_json: bool) -> None:
    if as_json:
        data = asdict(result)
        if result.job_id is None:
            del data["job_id"]  # only queued files have a job
        click.echo(json.dumps(data, ensure_ascii=False))
    elif result.status == FAILED:
        click.echo(f"fehlgeschlagen: {result.path}: {result.error}", err=True)
    elif result.job_id:
        click.echo(f"eingereiht: {result.path} (Auftrag {result.job_id})")
    else:
        pages = f"{result.pages} Seite" + ("" if result.pages == 1 else "n")
        click.echo(f"{STATUS_WORDS[result.status]}: {result.path} -> {result.doc_id} ({pages})")
        for warning in result.warnings:
            click.echo(f"  Hinweis: {warning}", err=True)


@click.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option(
    "--offset", type=click.IntRange(0), default=0, help="So viele Dokumente überspringen."
)
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Reihenfolge: Relevanz, neueste oder älteste zuerst.",
)
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    limit: int,
    offset: int,
    sort: str,
    as_json: bool,  # noqa: FBT001
) -> None:
    """Im Archiv suchen; Treffer nach Dokument gruppiert, bestes zuerst."""
    with DataHome(settings_of(ctx)) as home:
        home.ensure_index()
        results = home.search(query, limit=limit, offset=offset, sort=sort)
    if as_json:
        click.echo(json.dumps(results_json(results), ensure_ascii=False))
        return
    click.echo(f"{results.total} Dokument(e) für „{query}“")
    if results.suggestion:
        click.echo(f"Meinten Sie: {results.suggestion}?")
    if results.notice:
        click.echo(f"Hinweis: {results.notice}")
    for rank, hit in enumerate(results.hits, start=1):
        pages = ", ".join(str(p) for p in hit.pages)
        date = f" ({german_date(hit.date)})" if hit.date else ""
        click.echo(f"\n{rank}. {hit.title}{date}\n   {hit.doc_id}, Seite(n) {pages}")
        click.echo("   " + _terminal_snippet(hit.snippet))
        if getattr(hit, "same_text", ()):
            click.echo("   gleicher Text auch in: " + ", ".join(hit.same_text))


def _terminal_snippet(snippet: str) -> str:
    """The HTML snippet as terminal text, matches set in »guillemets«."""
    marked = snippet.replace("<mark>", "»").replace("</mark>", "«")
    return unescape(marked).replace("\n", " ")


@click.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_context
def show(ctx: click.Context, doc_id: str, as_json: bool) -> None:  # noqa: FBT001
    """Ein Dokument mit Metadaten (und ihrer Herkunft) und dem Text jeder Seite zeigen."""
    with DataHome(settings_of(ctx)) as home:
        doc = home.describe(doc_id)
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False))
        return
    if doc["withdrawn"]:
        readers = "für alle lesbar" if doc["withdrawn_readable"] else "nur für Archivare lesbar"
        click.echo(f"ZURÜCKGEZOGEN: {doc['withdrawn']} ({readers})")
    for label, value in (
        ("Kennung", doc["doc_id"]),
        ("Datei", doc["original_name"]),
        ("Dateiformat", doc["media_type"]),
        ("Größe", f"{doc['size']} Bytes"),
        ("SHA-256", doc["sha256"]),
        ("Aufgenommen", doc["ingested_at"]),
        ("Seiten", str(doc["page_count"])),
    ):
        click.echo(f"{label + ':':<26}{value}")
    for name, field in doc["metadata"].items():
        click.echo(f"{FIELD_LABELS[name] + ':':<26}{_field_text(name, field)}")
    for page in doc["pages"]:
        quality = f", Sicherheit {page['confidence']:.0f} %" if page["confidence"] >= 0 else ""
        problem = f" – {page['problem']}" if page["problem"] else ""
        click.echo(
            f"\n--- Seite {page['number']} ({page['method']}{quality}){problem} ---\n{page['text']}"
        )


def _field_text(name: str, field: dict[str, Any]) -> str:
    value = field["value"]
    if name == "date":
        value = german_date(value) if value else ""
    elif name == "type":
        value = DOCUMENT_TYPES.get(value, value)
    elif name == "dates":
        value = [german_date(v) for v in value]
    text = "; ".join(value) if isinstance(value, list) else value
    return (text or "–") + (" (korrigiert)" if field["corrected"] else "")


@click.command()
@click.argument("doc_id")
@click.option("--page", type=click.IntRange(1), help="Eine Seite zitieren.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Zitierformat.",
)
@click.pass_context
def cite(ctx: click.Context, doc_id: str, page: int | None, fmt: str) -> None:
    """Ein Dokument oder eine Seite zitieren (Text, BibTeX, RIS, CSL-JSON)."""
    settings = settings_of(ctx)
    with DataHome(settings) as home:
        doc = home.describe(doc_id)
    text = format_citation(
        doc, fmt=fmt, base_url=settings.base_url, retrieved=date.today(), page=page
    )
    click.echo(text, nl=False)
