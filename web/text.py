"""Small text helpers for templates: German date and time formats, local time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from findbuch.fields import german_date

LOCAL_ZONE = "Europe/Berlin"
__all__ = ["german_date", "german_datetime"]


def german_datetime(iso: str) -> str:
    """A stored UTC time (ISO 8601) as local German time: ``21.11.2026 08:01``."""
    if not iso:
        return "–"
    moment = datetime.fromisoformat(iso)
    try:
        return moment.astimezone(ZoneInfo(LOCAL_ZONE)).strftime("%d.%m.%Y %H:%M")
    except ZoneInfoNotFoundError:  # no time zone data installed: say which time it is
        return moment.strftime("%d.%m.%Y %H:%M UTC")
