"""Commands that run services: serve, worker, jobs, and the accounts of the web app."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click

from common.errors import ExitCode, FindbuchError
from common.fields import (
    german_datetime,
)
from findbuch.options import settings_of
from findbuch.progress import IngestProgress
from ingest import FAILED
from service.accounts import ROLES, add_user, issue_token
from service.demo import demo_login, is_loopback, login_line, make_demo
from service.home import DataHome
from service.secret_key import ensure_secret_key


@click.command()
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
    from findbuch.serving import (
        ConnectionShares,
        fork_servers,
        listening_socket,
        serve_app,
        stop_servers,
    )
    from ingest.queue import Queues
    from service.queue_writer import ingestion_service
    from web import create_app

    settings = settings_of(ctx, host=host, port=port, public=public, web_processes=processes)
    demo = demo_login(settings.layout) if is_loopback(settings.host) else None
    if demo is not None:
        settings = replace(settings, public=True)
    ensure_secret_key(settings.home)
    with DataHome(settings) as home:
        home.ensure_index()
        # Before the fork: every server process starts with the tables read, and shares them.
        home.warm()
    try:
        sock = listening_socket(settings.host, settings.port)
    except OSError as e:
        raise FindbuchError(
            f"{settings.host}:{settings.port} ist nicht verfügbar ({e.strerror})."
        ) from e
    count = settings.web_processes or os.cpu_count() or 1
    shares = ConnectionShares(count)
    children = fork_servers(sock, lambda: create_app(settings, queue=Queues(settings)), shares)
    try:
        with ingestion_service(settings, worker=not no_worker) as queues:
            _stop_on_signals()
            click.echo(
                f"Findbuch läuft auf http://{settings.host}:{settings.port}/ mit {count} "
                "Serverprozess(en) (Strg+C beendet)",
                err=True,
            )
            if demo is not None:
                base = f"http://{settings.host}:{settings.port}"
                click.echo(login_line(demo, base), err=True)
            serve_app(sock, create_app(settings, queue=queues), shares)
    finally:
        stop_servers(children)


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Zur Demo machen (make run): hier ohne Anmeldung lesbar, ein Archivarskonto dazu."""
    settings = settings_of(ctx)
    with DataHome(settings) as home:
        login = make_demo(home)
    click.echo(login_line(login, f"http://{settings.host}:{settings.port}"), err=True)


@click.command()
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
    from service.queue_writer import run_writer, writer_lock

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("huey").setLevel(logging.WARNING)
    settings = settings_of(ctx)
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


@click.command()
@click.option("--wait", is_flag=True, help="Warten, bis alle Aufträge erledigt sind.")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_context
def jobs(ctx: click.Context, wait: bool, as_json: bool) -> None:  # noqa: FBT001
    """Stand der eingereihten Aufträge: Fortschritt je Stapel, laufende und gescheiterte."""
    from ingest.batches import current_batches

    with DataHome(settings_of(ctx)) as home:
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


@click.group()
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
    with DataHome(settings_of(ctx)) as home:
        add_user(home.archive.catalog, name, role, password)
    click.echo(f"Konto „{name}“ ({role}) gespeichert.", err=True)


@user.command("token")
@click.argument("name")
@click.pass_context
def user_token(ctx: click.Context, name: str) -> None:
    """Ein neues API-Token für ein Konto ausgeben (ersetzt das alte; nur einmal sichtbar)."""
    with DataHome(settings_of(ctx)) as home:
        click.echo(issue_token(home.archive.catalog, name))
