"""Commands that keep the archive: edit, withdraw, verify, check, export, import-bag, reindex."""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from pathlib import Path

import click

from common.errors import ExitCode
from common.fields import (
    FIELD_LABELS,
    read_field_value,
)
from findbuch.options import STATUS_WORDS, settings_of
from service.consistency import check_home
from service.home import DataHome


@click.command()
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
    with DataHome(settings_of(ctx)) as home:
        recorded = home.correct(doc_id, parsed, editor=editor or getpass.getuser())
    for c in recorded:
        click.echo(f"{FIELD_LABELS[c.field]}: {c.old or '–'} -> {c.new or '–'}")
    if not recorded:
        click.echo("Keine Änderung: die Werte stimmen bereits.", err=True)


@click.command()
@click.argument("doc_id")
@click.option("--reason", required=True, help="Grund, warum das Dokument zurückgezogen wird.")
@click.option("--by", "editor", help="Wer zurückzieht (Standard: Ihr Benutzername).")
@click.option("--undo", is_flag=True, help="Zurückziehen aufheben; wieder durchsuchbar.")
@click.option(
    "--readable",
    is_flag=True,
    help="Weiter für alle lesbar, nur nicht in der Suche (Dublette, ersetzte Fassung); "
    "sonst lesen es nur Archivare.",
)
@click.pass_context
def withdraw(
    ctx: click.Context,
    doc_id: str,
    reason: str,
    editor: str | None,
    undo: bool,  # noqa: FBT001
    readable: bool,  # noqa: FBT001
) -> None:
    """Ein Dokument aus der Suche nehmen; es bleibt im Archiv, der Grund wird vermerkt."""
    with DataHome(settings_of(ctx)) as home:
        if undo:
            home.reinstate(doc_id, editor=editor or getpass.getuser())
        else:
            home.withdraw(doc_id, reason=reason, editor=editor or getpass.getuser(),
                          readable=readable)  # fmt: skip
    click.echo("Wieder durchsuchbar." if undo else "Zurückgezogen; im Archiv erhalten.", err=True)


_PROBLEM_WORDS = {
    "missing": "FEHLT",
    "altered": "VERÄNDERT",
    "orphan": "VERWAIST",
    "incomplete": "UNVOLLSTÄNDIG",
}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@click.pass_context
def verify(ctx: click.Context, as_json: bool) -> None:  # noqa: FBT001
    """Prüfsummen aller Originale nachrechnen; Exit 1, wenn etwas fehlt oder verändert ist."""
    with DataHome(settings_of(ctx)) as home:
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


@click.command()
@click.option("--repair", is_flag=True, help="Gefundenes beheben, soweit es sicher geht.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@click.pass_context
def check(ctx: click.Context, repair: bool, as_json: bool) -> None:  # noqa: FBT001
    """Originale, Katalog und Index abgleichen; Exit 1, wenn etwas nicht stimmt."""
    with DataHome(settings_of(ctx)) as home:
        found = check_home(home, repair=repair)
    if as_json:
        click.echo(json.dumps({"problems": [asdict(i) for i in found]}, ensure_ascii=False))
    for item in found if not as_json else ():
        done = f" – {item.repaired}" if item.repaired else ""
        click.echo(f"{item.kind}: {item.subject}: {item.detail}{done}")
    unresolved = [i for i in found if not i.repaired]
    click.echo(f"{len(found)} Unstimmigkeit(en), {len(found) - len(unresolved)} behoben.", err=True)
    ctx.exit(ExitCode.FAILED if unresolved else ExitCode.OK)


@click.command()
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
    with DataHome(settings_of(ctx)) as home:
        count = home.export(list(doc_ids), target)
    click.echo(f"{count} Dokument(e) exportiert nach {target}.", err=True)


@click.command("import-bag")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def import_bag(ctx: click.Context, source: Path) -> None:
    """Ein BagIt-Paket eines Findbuch-Exports mit gleichen Kennungen übernehmen."""
    with DataHome(settings_of(ctx)) as home:
        results = home.import_bag(source)
    for doc_id, status in results:
        click.echo(f"{STATUS_WORDS[status]}: {doc_id}")
    click.echo(f"{len(results)} Dokument(e) aus {source} übernommen.", err=True)


@click.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Den Suchindex allein aus dem Archiv neu aufbauen."""
    with DataHome(settings_of(ctx)) as home:
        count = home.reindex()
    click.echo(f"Index neu aufgebaut: {count} Dokument(e).", err=True)
