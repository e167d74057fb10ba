"""The ``findbuch`` command: parses arguments, calls the stages, prints, maps errors to exits."""

from __future__ import annotations

import getpass
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import asdict
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import click

from findbuch.accounts import ROLES, add_user, issue_token
from findbuch.citation import FORMATS
from findbuch.citation import cite as format_citation
from findbuch.consistency import check_home
from findbuch.errors import ExitCode, FindbuchError
from findbuch.fields import (
    DOCUMENT_TYPES,
    FIELD_LABELS,
    german_date,
    german_datetime,
    read_field_value,
)
from findbuch.home import Home, results_json
from findbuch.oparl_command import import_oparl_command
from findbuch.progress import IngestProgress
from findbuch.secret_key import ensure_secret_key
from findbuch.settings import Settings, load_settings
from index.search import SORTS
from ingest import ADDED, DUPLICATE, FAILED, IngestResult, ingest_paths
from ingest.pipeline import iter_input_files

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
    counts = dict.fromkeys(_STATUS_WORDS, 0)
    files = list(iter_input_files(paths))
    progress = IngestProgress(len(files))
    with Home(_settings(ctx, jobs=jobs)) as home:
        home.ensure_index()
        for result in ingest_paths(files, home):
            counts[result.status] += 1
            progress.update(result.pages)
            _print_ingest_result(result, as_json=as_json)
    progress.close()
    summary = ", ".join(f"{n} {_STATUS_WORDS[s]}" for s, n in counts.items())
    click.echo(f"Fertig: {summary}.", err=True)
    ctx.exit(ExitCode.FAILED if counts[FAILED] else ExitCode.OK)


def _enqueue(ctx: click.Context, paths: tuple[Path, ...], *, as_json: bool) -> None:
    from ingest.queue import QUEUED, Queues, enqueue_files

    settings = _settings(ctx)
    queued = failed = 0
    with Home(settings) as home:
        queues = Queues(settings)
        for result in enqueue_files(home, queues, iter_input_files(paths), user=getpass.getuser()):
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
        click.echo(f"{_STATUS_WORDS[result.status]}: {result.path} -> {result.doc_id} ({pages})")
        for warning in result.warnings:
            click.echo(f"  Hinweis: {warning}", err=True)


@cli.command()
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
    with Home(_settings(ctx)) as home:
        home.ensure_index()
        results = home.search(query, limit=limit, offset=offset, sort=sort)
    if as_json:
        click.echo(json.dumps(results_json(results), ensure_ascii=False))
        return
    click.echo(f"{results.total} Dokument(e) für „{query}“")
    if results.suggestion:
        click.echo(f"Meinten Sie: {results.suggestion}?")
    for rank, hit in enumerate(results.hits, start=1):
        pages = ", ".join(str(p) for p in hit.pages)
        date = f" ({german_date(hit.date)})" if hit.date else ""
        click.echo(f"\n{rank}. {hit.title}{date}\n   {hit.doc_id}, Seite(n) {pages}")
        click.echo("   " + _terminal_snippet(hit.snippet))


def _terminal_snippet(snippet: str) -> str:
    """The HTML snippet as terminal text, matches set in »guillemets«."""
    marked = snippet.replace("<mark>", "»").replace("</mark>", "«")
    return unescape(marked).replace("\n", " ")


@cli.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_context
def show(ctx: click.Context, doc_id: str, as_json: bool) -> None:  # noqa: FBT001
    """Ein Dokument mit Metadaten (und ihrer Herkunft) und dem Text jeder Seite zeigen."""
    with Home(_settings(ctx)) as home:
        doc = home.describe(doc_id)
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False))
        return
    if doc["withdrawn"]:
        click.echo(f"ZURÜCKGEZOGEN: {doc['withdrawn']}")
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


@cli.command()
@click.argument("doc_id")
@click.argument("changes", nargs=-1, required=True, metavar="FELD=WERT...")
@click.option("--by", "editor", help="Wer korrigiert (Standard: Ihr Benutzername).")
@click.pass_context
def edit(ctx: click.Context, doc_id: str, changes: tuple[str, ...], editor: str | None) -> None:
    """Metadaten korrigieren, z. B. date=21.03.2024 "persons=Dirk Hilbert; Frank Nopper"."""
    parsed: dict[str, str | list[str]] = {}
    for change in changes:
        name, sep, raw = change.partition("=")
        if not sep:
            raise click.UsageError(f"„{change}“: bitte als FELD=WERT angeben.")
        parsed[name.strip()] = read_field_value(name.strip(), raw)
    with Home(_settings(ctx)) as home:
        recorded = home.correct(doc_id, parsed, editor=editor or getpass.getuser())
    for c in recorded:
        click.echo(f"{FIELD_LABELS[c.field]}: {c.old or '–'} -> {c.new or '–'}")
    if not recorded:
        click.echo("Keine Änderung: die Werte stimmen bereits.", err=True)


@cli.command()
@click.argument("doc_id")
@click.option("--reason", required=True, help="Grund, warum das Dokument zurückgezogen wird.")
@click.option("--by", "editor", help="Wer zurückzieht (Standard: Ihr Benutzername).")
@click.option("--undo", is_flag=True, help="Zurückziehen aufheben; wieder durchsuchbar.")
@click.pass_context
def withdraw(
    ctx: click.Context,
    doc_id: str,
    reason: str,
    editor: str | None,
    undo: bool,  # noqa: FBT001
) -> None:
    """Ein Dokument aus der Suche nehmen; es bleibt im Archiv, der Grund wird vermerkt."""
    with Home(_settings(ctx)) as home:
        if undo:
            home.reinstate(doc_id, editor=editor or getpass.getuser())
        else:
            home.withdraw(doc_id, reason=reason, editor=editor or getpass.getuser())
    click.echo("Wieder durchsuchbar." if undo else "Zurückgezogen; im Archiv erhalten.", err=True)


_PROBLEM_WORDS = {
    "missing": "FEHLT",
    "altered": "VERÄNDERT",
    "orphan": "VERWAIST",
    "incomplete": "UNVOLLSTÄNDIG",
}


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@click.pass_context
def verify(ctx: click.Context, as_json: bool) -> None:  # noqa: FBT001
    """Prüfsummen aller Originale nachrechnen; Exit 1, wenn etwas fehlt oder verändert ist."""
    with Home(_settings(ctx)) as home:
        report = home.verify()
    if as_json:
        payload = {"checked": report.checked, "problems": [asdict(p) for p in report.problems]}
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        for p in report.problems:
            doc = f" (Dokument {p.doc_id})" if p.doc_id else ""
            click.echo(f"{_PROBLEM_WORDS[p.kind]}: {p.path}{doc}: {p.detail}")
    summary = f"{report.checked} Dokument(e) geprüft, {len(report.problems)} Problem(e)."
    click.echo(summary, err=True)
    ctx.exit(ExitCode.FAILED if report.problems else ExitCode.OK)


@cli.command()
@click.option("--repair", is_flag=True, help="Gefundenes beheben, soweit es sicher geht.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@click.pass_context
def check(ctx: click.Context, repair: bool, as_json: bool) -> None:  # noqa: FBT001
    """Originale, Katalog und Index abgleichen; Exit 1, wenn etwas nicht stimmt."""
    with Home(_settings(ctx)) as home:
        found = check_home(home, repair=repair)
    if as_json:
        click.echo(json.dumps({"problems": [asdict(i) for i in found]}, ensure_ascii=False))
    for item in found if not as_json else ():
        done = f" – {item.repaired}" if item.repaired else ""
        click.echo(f"{item.kind}: {item.subject}: {item.detail}{done}")
    unresolved = [i for i in found if not i.repaired]
    click.echo(f"{len(found)} Unstimmigkeit(en), {len(found) - len(unresolved)} behoben.", err=True)
    ctx.exit(ExitCode.FAILED if unresolved else ExitCode.OK)


@cli.command()
@click.argument("doc_ids", nargs=-1, metavar="[DOC_ID...]")
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(path_type=Path),
    help="Neues Verzeichnis für den BagIt-Export.",
)
@click.pass_context
def export(ctx: click.Context, doc_ids: tuple[str, ...], target: Path) -> None:
    """Dokumente (ohne Angabe: alle) als BagIt-Paket exportieren."""
    with Home(_settings(ctx)) as home:
        count = home.export(list(doc_ids), target)
    click.echo(f"{count} Dokument(e) exportiert nach {target}.", err=True)


@cli.command("import-bag")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def import_bag(ctx: click.Context, source: Path) -> None:
    """Ein BagIt-Paket eines Findbuch-Exports mit gleichen Kennungen übernehmen."""
    with Home(_settings(ctx)) as home:
        results = home.import_bag(source)
    for doc_id, status in results:
        click.echo(f"{_STATUS_WORDS[status]}: {doc_id}")
    click.echo(f"{len(results)} Dokument(e) aus {source} übernommen.", err=True)


@cli.command()
@click.option("--host", help="Adresse (Standard: 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (Standard: 8000).")
@click.option(
    "--public", is_flag=True, default=None, help="Suchen und Lesen ohne Anmeldung erlauben."
)
@click.option(
    "--processes",
    type=click.IntRange(0),
    help="Serverprozesse (Standard: einer je Prozessorkern; Einstellung web_processes).",
)
@click.option("--no-worker", is_flag=True, help="Hochgeladenes nicht in diesem Prozess aufnehmen.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    public: bool | None,  # noqa: FBT001
    processes: int | None,
    no_worker: bool,  # noqa: FBT001
) -> None:
    """Die Weboberfläche starten (mit eingebautem Auftragsdienst für Hochgeladenes)."""
    from findbuch.serving import fork_servers, listening_socket, serve_app, stop_servers
    from ingest.queue import Queues
    from ingest.writer import ingestion_service
    from web import create_app

    settings = _settings(ctx, host=host, port=port, public=public, web_processes=processes)
    ensure_secret_key(settings.home)
    with Home(settings) as home:
        home.ensure_index()
    try:
        sock = listening_socket(settings.host, settings.port)
    except OSError as e:
        raise FindbuchError(
            f"{settings.host}:{settings.port} ist nicht verfügbar ({e.strerror})."
        ) from e
    count = settings.web_processes or os.cpu_count() or 1
    children = fork_servers(sock, lambda: create_app(settings, queue=Queues(settings)), count - 1)
    try:
        with ingestion_service(settings, worker=not no_worker) as queues:
            _stop_on_signals()
            click.echo(
                f"Findbuch läuft auf http://{settings.host}:{settings.port}/ mit {count} "
                "Serverprozess(en) (Strg+C beendet)",
                err=True,
            )
            serve_app(sock, create_app(settings, queue=queues))
    finally:
        stop_servers(children)


@cli.command()
@click.option(
    "--writer",
    "as_writer",
    is_flag=True,
    help="Als Schreibdienst laufen: Ergebnisse in Katalog und Index übernehmen (genau einer "
    "je Datenverzeichnis, auf dem Rechner mit dem Index; findbuch serve tut es sonst selbst).",
)
@click.option(
    "--processes",
    type=click.IntRange(1),
    help="Dateien, die dieser Worker gleichzeitig liest (Standard: alle Kerne).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Ordner für Zwischendateien dieses Workers (Standard: das temporäre Verzeichnis).",
)
@click.pass_context
def worker(
    ctx: click.Context,
    as_writer: bool,  # noqa: FBT001
    processes: int | None,
    workdir: Path | None,
) -> None:
    """Eingereihte Dateien lesen (auch auf anderen Rechnern) oder Ergebnisse übernehmen."""
    from ingest.queue import Queues
    from ingest.worker import run_worker
    from ingest.writer import run_writer, writer_lock

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("huey").setLevel(logging.WARNING)
    settings = _settings(ctx)
    broker = settings.broker_url or f"eingebaute Warteschlange in {settings.home}"
    if as_writer:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda *_: stop.set())
        with writer_lock(settings):
            click.echo(
                f"Schreibdienst für {settings.home} über {broker} (Strg+C beendet).", err=True
            )
            run_writer(settings, Queues(settings), stop)
        return
    processes = processes or settings.jobs or os.cpu_count() or 1
    click.echo(f"Worker mit {processes} Prozess(en) liest Aufträge aus {broker}.", err=True)
    run_worker(settings, processes=processes, workdir=workdir)


@cli.command()
@click.option("--wait", is_flag=True, help="Warten, bis alle Aufträge erledigt sind.")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_context
def jobs(ctx: click.Context, wait: bool, as_json: bool) -> None:  # noqa: FBT001
    """Stand der eingereihten Aufträge: Fortschritt je Stapel, laufende und gescheiterte."""
    from ingest.batches import current_batches

    with Home(_settings(ctx)) as home:
        catalog = home.archive.catalog
        watched = {b.batch for b in current_batches(catalog) if not b.finished}
        if wait:
            _wait_for(catalog, watched)
        batches = current_batches(catalog)
        running = catalog.jobs(status="processing", limit=1000)
        failed = [j for b in batches for j in catalog.jobs(status=FAILED, batch=b.batch)]
        queued = sum(b.files_total - b.files_done - b.files_failed for b in batches) - len(running)
    if as_json:
        data = {
            "batches": [{**asdict(b), "finished": b.finished} for b in batches],
            "running": [j.public_fields() for j in running],
            "failed": [j.public_fields() for j in failed],
            "queued": queued,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_jobs(batches, running, failed, queued)
    watched_failed = any(j.batch in watched for j in failed)
    ctx.exit(ExitCode.FAILED if wait and watched_failed else ExitCode.OK)


def _print_jobs(batches: list, running: list, failed: list, queued: int) -> None:
    from ingest.batches import duration_words

    if not batches:
        click.echo("Keine Aufträge in den letzten 24 Stunden.")
    for b in batches:
        parts = [
            f"{b.files_done} von {b.files_total} Dateien fertig",
            f"{b.files_failed} fehlgeschlagen" if b.files_failed else "",
            f"{b.pages_done} Seiten gelesen",
            f"{b.pages_per_minute:.1f} Seiten/min".replace(".", ","),
            duration_words(b.seconds_left),
        ]
        started = german_datetime(b.submitted_at)
        click.echo(f"Stapel {b.batch} vom {started}: " + " · ".join(p for p in parts if p))
    for job in running:
        pages = f", Seite {job.pages_done} von {job.pages_total}" if job.pages_total else ""
        click.echo(f"  in Arbeit: {job.file_name}{pages} ({job.worker}, Versuch {job.attempts})")
    if queued > 0:
        click.echo(f"  wartend: {queued} Datei(en)")
    for job in failed:
        click.echo(f"  fehlgeschlagen: {job.file_name}: {job.error}")


def _wait_for(catalog: Any, watched: set[str]) -> None:
    """Show the progress of the watched batches until all their files are done or failed."""
    from ingest.batches import current_batches

    def state() -> list:
        return [b for b in current_batches(catalog) if b.batch in watched]

    batches = state()
    progress = IngestProgress(sum(b.files_total for b in batches))
    counted = pages = 0
    while batches:
        finished = sum(b.files_done + b.files_failed for b in batches)
        now_pages = sum(b.pages_done for b in batches)
        for _ in range(finished - counted):
            progress.update(max(now_pages - pages, 0))
            pages = now_pages
        counted = finished
        if all(b.finished for b in batches):
            break
        time.sleep(1.0)
        batches = state()
    progress.close()


def _exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop_on_signals() -> None:
    """Give SIGTERM and SIGINT back after Huey's consumer took them for a loop we do not run.

    Stopping the server then stops it; the consumer finishes its task in ``finally``.
    """
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, _exit)


@cli.command()
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
    settings = _settings(ctx)
    with Home(settings) as home:
        doc = home.describe(doc_id)
    text = format_citation(
        doc, fmt=fmt, base_url=settings.base_url, retrieved=date.today(), page=page
    )
    click.echo(text, nl=False)


@cli.group()
def user() -> None:
    """Benutzerkonten der Weboberfläche verwalten."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="archivar oder leser.")
@click.option("--password-stdin", is_flag=True, help="Passwort von der Standardeingabe lesen.")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:  # noqa: FBT001
    """Ein Konto anlegen (oder sein Passwort und seine Rolle neu setzen)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Passwort", hide_input=True, confirmation_prompt=True)
    with Home(_settings(ctx)) as home:
        add_user(home.archive.catalog, name, role, password)
    click.echo(f"Konto „{name}“ ({role}) gespeichert.", err=True)


@user.command("token")
@click.argument("name")
@click.pass_context
def user_token(ctx: click.Context, name: str) -> None:
    """Ein neues API-Token für ein Konto ausgeben (ersetzt das alte; nur einmal sichtbar)."""
    with Home(_settings(ctx)) as home:
        click.echo(issue_token(home.archive.catalog, name))


@cli.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Den Suchindex allein aus dem Archiv neu aufbauen."""
    with Home(_settings(ctx)) as home:
        count = home.reindex()
    click.echo(f"Index neu aufgebaut: {count} Dokument(e).", err=True)


cli.add_command(import_oparl_command)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="findbuch")
