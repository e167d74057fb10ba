"""Small text helpers for templates: German date and time formats, local time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCAL_ZONE = "Europe/Berlin"


def german_date(iso: str) -> str:
    """``2024-03-27`` as ``27.03.2024``; other strings unchanged, empty as a dash."""
    parts = iso.split("-") if iso else []
    if len(parts) == 3:
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    return iso or "–"


def german_datetime(iso: str) -> str:
    """A stored UTC time (ISO 8601) as local German time: ``21.11.2026 08:01``."""
    if not iso:
        return "–"
    moment = datetime.fromisoformat(iso)
    try:
        return moment.astimezone(ZoneInfo(LOCAL_ZONE)).strftime("%d.%m.%Y %H:%M")
    except ZoneInfoNotFoundError:  # no time zone data installed: say which time it is
        return moment.strftime("%d.%m.%Y %H:%M UTC")
