"""Checks each OParl object against the OParl 1.1 JSON schemas before anything is taken over.

The schemas (``schemas/``, OParl spec v1.1.1, CC BY-SA 4.0) are OParl's own dialect: embedded
objects are declared as ``{"type": "object", "schema": "File.json"}`` rather than ``$ref``, so a
standard validator would leave them unchecked. They are rewritten to ``$ref`` once, then
validated with Draft 7 with the ``date``, ``date-time`` and ``url`` formats checked.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMA_DIR = Path(__file__).parent / "schemas"
TYPE_PREFIX = "https://schema.oparl.org/1.1/"
# Errors named per object at most: a broken object is reported, not dumped.
MAX_ERRORS = 3


def type_name(obj: Any) -> str:
    """The OParl type of an object (``Paper``), or empty when it has none we know."""
    kind = obj.get("type", "") if isinstance(obj, dict) else ""
    name = kind.removeprefix(TYPE_PREFIX) if isinstance(kind, str) else ""
    return name if (SCHEMA_DIR / f"{name}.json").is_file() else ""


def schema_errors(obj: Any, expected: str) -> list[str]:
    """What is wrong with an object expected to be of OParl type ``expected``, in German.

    Returns:
        At most ``MAX_ERRORS`` messages (path and problem); empty when the object is valid.
    """
    if not isinstance(obj, dict):
        return [f"kein JSON-Objekt, sondern {type(obj).__name__}"]
    found = type_name(obj)
    if found != expected:
        return [f"Typ „{obj.get('type', '')}“ statt {TYPE_PREFIX}{expected}"]
    errors = sorted(_validator(expected).iter_errors(obj), key=lambda e: list(e.absolute_path))
    return [_message(e) for e in errors[:MAX_ERRORS]]


def _message(error: Any) -> str:
    path = "/".join(str(p) for p in error.absolute_path) or "(Objekt)"
    if error.validator == "required":
        return f"{path}: Pflichtfeld fehlt ({error.message.split(' ')[0]})"
    if error.validator == "type":
        return f"{path}: falscher Typ, erwartet {error.validator_value}"
    if error.validator == "format":
        return f"{path}: kein gültiges Format {error.validator_value}"
    return f"{path}: {error.message}"


@cache
def _validator(name: str) -> Draft7Validator:
    registry = _registry()
    schema = registry.contents(f"{name}.json")
    return Draft7Validator(schema, registry=registry, format_checker=_formats())


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = _standard(json.loads(path.read_text(encoding="utf-8")))
        resources.append(
            (path.name, Resource.from_contents(contents, default_specification=DRAFT7))
        )
    return Registry().with_resources(resources)


def _standard(node: Any) -> Any:
    """OParl's ``{"type": "object", "schema": X}`` as standard ``{"$ref": X}``, recursively."""
    if isinstance(node, list):
        return [_standard(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "object" and isinstance(node.get("schema"), str):
        return {"$ref": node["schema"]}
    return {key: _standard(value) for key, value in node.items()}


def _formats() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_is_date)
    checker.checks("date-time", raises=ValueError)(_is_datetime)
    checker.checks("url")(_is_url)
    return checker


def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


def _is_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlparse(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
