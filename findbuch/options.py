"""What the commands share: the settings of their data home, the words for a file's status."""

from __future__ import annotations

from typing import Any

import click

from common.settings import Settings, load_settings
from ingest import ADDED, DUPLICATE, FAILED

STATUS_WORDS = {ADDED: "hinzugefügt", DUPLICATE: "bereits im Archiv", FAILED: "fehlgeschlagen"}


def settings_of(ctx: click.Context, **overrides: Any) -> Settings:
    """Settings for this command: defaults, the home's file, variables, then these flags."""
    return load_settings({"home": ctx.obj["home"], **overrides})
