"""The ``findbuch`` command: the group that maps errors to exit codes, and its commands.

Each command parses its arguments, calls the service layer and prints; they live in
``reading_commands``, ``keeping_commands`` and ``running_commands``.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

import click

from common.errors import ExitCode, FindbuchError
from findbuch import keeping_commands, reading_commands, running_commands
from findbuch.oparl_command import import_oparl_command


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
    if verbose:  # the detail behind a file's German message (library errors) goes to stderr
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")


for _command in (
    reading_commands.ingest,
    reading_commands.search,
    reading_commands.show,
    keeping_commands.edit,
    keeping_commands.withdraw,
    keeping_commands.verify,
    keeping_commands.check,
    keeping_commands.export,
    keeping_commands.import_bag,
    running_commands.serve,
    running_commands.demo,
    running_commands.worker,
    running_commands.jobs,
    reading_commands.cite,
    running_commands.user,
    keeping_commands.reindex,
    import_oparl_command,
):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="findbuch")
