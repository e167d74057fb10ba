"""README.md documents every command, option and setting the code has."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import click

from common.settings import ENV_PREFIX, Settings
from findbuch.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = ""):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_command_and_option_is_documented() -> None:
    for name, command in _commands(cli):
        assert f"findbuch [--home DIR] {name}" in README, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--"):
                    assert opt in README, f"{name} {opt}"


def test_every_setting_is_documented_with_its_variable_and_default() -> None:
    for field in fields(Settings):
        row = re.search(rf"^\| `{field.name}` \| `(\w+)` \| `([^`]*)` \|", README, re.MULTILINE)
        assert row, field.name
        assert row.group(1) == ENV_PREFIX + field.name.upper()
        assert row.group(2) == str(field.default)


def test_readme_gives_the_two_setup_commands() -> None:
    assert "make run" in README and "make test" in README
