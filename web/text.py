"""Small text helpers for templates: German date formats."""

from __future__ import annotations


def german_date(iso: str) -> str:
    """``2024-03-27`` as ``27.03.2024``; other strings unchanged, empty as a dash."""
    parts = iso.split("-") if iso else []
    if len(parts) == 3:
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    return iso or "–"
