"""The ``findbuch`` command: the group that maps errors to exit codes, and its commands.

Each command parses its arguments, calls the service layer and prints; they live in
``reading_commands``, ``keeping_commands`` and ``running_commands``. A command's module is
imported only when that command runs (or help lists it): importing every command's stack
(web accounts, OParl client, ...) cost ``ingest`` of one scan 0.2 s of its fixed cost (#18).
"""

from __future__ import annotations

import importlib
import logging
import traceback
from pathlib import Path
from typing import Any

import click

from common.errors import ExitCode, FindbuchError

# Command name -> (module, attribute) of its click command.
_COMMANDS = {
    "ingest": ("findbuch.reading_commands", "ingest"),
    "search": ("findbuch.reading_commands", "search"),
    "show": ("findbuch.reading_commands", "show"),
    "edit": ("findbuch.keeping_commands", "edit"),
    "withdraw": ("findbuch.keeping_commands", "withdraw"),
    "verify": ("findbuch.keeping_commands", "verify"),
    "check": ("findbuch.keeping_commands", "check"),
    "export": ("findbuch.keeping_commands", "export"),
    "import-bag": ("findbuch.keeping_commands", "import_bag"),
    "serve": ("findbuch.running_commands", "serve"),
    "demo": ("findbuch.running_commands", "demo"),
    "worker": ("findbuch.running_commands", "worker"),
    "jobs": ("findbuch.running_commands", "jobs"),
    "cite": ("findbuch.reading_commands", "cite"),
    "user": ("findbuch.running_commands", "user"),
    "reindex": ("findbuch.keeping_commands", "reindex"),
    "import-oparl": ("findbuch.oparl_command", "import_oparl_command"),
}


class _Group(click.Group):
    """Loads each command when it is asked for; turns Findbuch errors into one stderr line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _COMMANDS and cmd_name not in self.commands:
            module, attribute = _COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

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


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="findbuch")
