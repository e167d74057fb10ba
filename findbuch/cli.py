"""The ``findbuch`` command: parses arguments, calls the stages, prints, maps errors to exits."""

from __future__ import annotations

import json
import traceback
from dataclasses import asdict
from html import unescape
from pathlib import Path
from typing import Any

import click

from findbuch.errors import ExitCode, FindbuchError
from findbuch.home import Home
from findbuch.settings import Settings, load_settings
from ingest import ADDED, DUPLICATE, FAILED, IngestResult, ingest_paths

_STATUS_WORDS = {ADDED: "hinzugefügt", DUPLICATE: "bereits im Archiv", FAILED: "fehlgeschlagen"}


class _Group(click.Group):
    """Turns Findbuch errors into one stderr line and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except FindbuchError as e:
            _fail(ctx, e.message, e.exit_code, e)
        except Exception as e:  # noqa: BLE001 - the one place unknown errors become exit 1
            _fail(ctx, f"Interner Fehler: {e!r}", ExitCode.FAILED, e)


def _fail(ctx: click.Context, message: str, code: int, error: BaseException) -> None:
    if ctx.obj and ctx.obj.get("verbose"):
        traceback.print_exception(error)
    click.echo(f"findbuch: {message}", err=True)
    ctx.exit(code)


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    return load_settings({"home": ctx.obj["home"], **overrides})


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Datenverzeichnis (Standard: ./findbuch-data oder FINDBUCH_HOME).",
)
@click.option("--verbose", is_flag=True, help="Bei Fehlern den vollständigen Traceback zeigen.")
@click.version_option(package_name="findbuch")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, verbose: bool) -> None:  # noqa: FBT001 - click
    """Findbuch: Dokumentenarchiv und Volltextsuche."""
    ctx.obj = {"home": home, "verbose": verbose}


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Eine JSON-Zeile je Datei ausgeben.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:  # noqa: FBT001
    """Dateien und Ordner (rekursiv) ins Archiv aufnehmen."""
    counts = dict.fromkeys(_STATUS_WORDS, 0)
    with Home(_settings(ctx)) as home:
        home.ensure_index()
        for result in ingest_paths(paths, home):
            counts[result.status] += 1
            _print_ingest_result(result, as_json=as_json)
    summary = ", ".join(f"{n} {_STATUS_WORDS[s]}" for s, n in counts.items())
    click.echo(f"Fertig: {summary}.", err=True)
    ctx.exit(ExitCode.FAILED if counts[FAILED] else ExitCode.OK)


def _print_ingest_result(result: IngestResult, *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(asdict(result), ensure_ascii=False))
    elif result.status == FAILED:
        click.echo(f"fehlgeschlagen: {result.path}: {result.error}", err=True)
    else:
        pages = f"{result.pages} Seite" + ("" if result.pages == 1 else "n")
        click.echo(f"{_STATUS_WORDS[result.status]}: {result.path} -> {result.doc_id} ({pages})")


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:  # noqa: FBT001
    """Im Archiv suchen; Treffer nach Dokument gruppiert, bestes zuerst."""
    with Home(_settings(ctx)) as home:
        home.ensure_index()
        results = home.search(query, limit=limit)
    if as_json:
        payload = {
            "query": results.query,
            "total": results.total,
            "hits": [{**asdict(h), "pages": list(h.pages)} for h in results.hits],
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    click.echo(f"{results.total} Dokument(e) für „{query}“")
    for rank, hit in enumerate(results.hits, start=1):
        pages = ", ".join(str(p) for p in hit.pages)
        date = f" ({_german_date(hit.date)})" if hit.date else ""
        click.echo(f"\n{rank}. {hit.title}{date}\n   {hit.doc_id}, Seite(n) {pages}")
        click.echo("   " + _terminal_snippet(hit.snippet))


def _terminal_snippet(snippet: str) -> str:
    """The HTML snippet as terminal text, matches set in »guillemets«."""
    marked = snippet.replace("<mark>", "»").replace("</mark>", "«")
    return unescape(marked).replace("\n", " ")


def _german_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


@cli.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_context
def show(ctx: click.Context, doc_id: str, as_json: bool) -> None:  # noqa: FBT001
    """Ein Dokument mit Metadaten und dem Text jeder Seite zeigen."""
    with Home(_settings(ctx)) as home:
        doc = home.document(doc_id)
        pages = home.pages(doc_id)
    if as_json:
        payload = {**asdict(doc), "pages": [asdict(p) for p in pages]}
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    for label, value in (
        ("Kennung", doc.doc_id),
        ("Titel", doc.title or "–"),
        ("Datum", _german_date(doc.date) if doc.date else "–"),
        ("Datei", doc.original_name),
        ("Typ", doc.media_type),
        ("Größe", f"{doc.size} Bytes"),
        ("SHA-256", doc.sha256),
        ("Aufgenommen", doc.ingested_at),
        ("Seiten", str(doc.page_count)),
    ):
        click.echo(f"{label + ':':<13}{value}")
    for page in pages:
        click.echo(f"\n--- Seite {page.number} ({page.method}) ---\n{page.text}")


@cli.command()
@click.option("--host", help="Adresse (Standard: 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (Standard: 8000).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Die Weboberfläche starten."""
    from waitress import serve as waitress_serve

    from web import create_app

    settings = _settings(ctx, host=host, port=port)
    with Home(settings) as home:
        home.ensure_index()
    click.echo(
        f"Findbuch läuft auf http://{settings.host}:{settings.port}/ (Strg+C beendet)", err=True
    )
    waitress_serve(create_app(settings), host=settings.host, port=settings.port, threads=8)


@cli.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Den Suchindex allein aus dem Archiv neu aufbauen."""
    with Home(_settings(ctx)) as home:
        count = home.reindex()
    click.echo(f"Index neu aufgebaut: {count} Dokument(e).", err=True)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="findbuch")
