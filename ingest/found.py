"""The value object every metadata finder returns: a value with its source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """One extracted value and where it came from; nothing is guessed.

    Attributes:
        value: the canonical value (ISO date, canonical reference number, name).
        page: 1-based page where it was found; 0 for the file's own properties.
        method: how it was found, in words an archivist understands.
        text: the spelling found in the document, where it differs from ``value``.
        kind: a sub-kind, for reference numbers (``vorlage``, ``sitzung``, ``gz``, ``drucksache``).
    """

    value: str
    page: int
    method: str
    text: str = ""
    kind: str = ""
