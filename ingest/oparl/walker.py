"""Walks an OParl server: from a System or Body to the bodies, and through paginated lists.

Whatever is malformed (a missing field, a wrong type, a broken link, ``links.next`` pointing
back) is reported as a problem naming the object; the walk goes on where it can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ingest.oparl.client import OParlClient, OParlError
from ingest.oparl.schema import schema_errors, type_name

Report = Callable[[str, str], None]


@dataclass
class ListPage:
    """One page of a list: its objects, and the total the server announces (or ``None``)."""

    url: str
    items: list[Any]
    total: int | None


@dataclass
class ListWalk:
    """The outcome of walking a list: ``complete`` when its last page was reached cleanly."""

    complete: bool = False


def fetch_object(client: OParlClient, url: str, expected: str, report: Report) -> dict | None:
    """The object of type ``expected`` at ``url``, or ``None`` (reported) when unusable."""
    try:
        obj = client.get_json(url)
    except OParlError as e:
        report(url, e.message)
        return None
    return obj if _valid(obj, expected, url, report) else None


def find_bodies(
    client: OParlClient, url: str, body: str | None, report: Report
) -> list[dict[str, Any]]:
    """The bodies at a System or Body URL, all or only the one named by ``body``.

    ``body`` matches a Body's full id or its last path segment (``0001``).
    """
    try:
        start = client.get_json(url)
    except OParlError as e:
        report(url, e.message)
        return []
    kind = type_name(start)
    if kind == "Body":
        bodies = [start] if _valid(start, "Body", url, report) else []
    elif kind == "System":
        if not _valid(start, "System", url, report):
            return []
        walk = ListWalk()
        bodies = [
            item
            for page in walk_list(client, start["body"], {}, report, walk)
            for item in page.items
            if _valid(item, "Body", _name(item), report)
        ]
    else:
        report(url, "weder ein OParl-System noch ein OParl-Body (Feld „type“).")
        return []
    if body:
        chosen = [b for b in bodies if body in (b["id"], b["id"].rstrip("/").rsplit("/", 1)[-1])]
        if not chosen:
            report(url, f"keine Körperschaft „{body}“ gefunden.")
        return chosen
    return bodies


def walk_list(
    client: OParlClient, url: str, params: dict[str, str], report: Report, walk: ListWalk
) -> Iterator[ListPage]:
    """The pages of an OParl list, following ``links.next``; ``walk.complete`` tells the end.

    A ``next`` link seen before (a loop) or a page that is no list stops the walk, reported.
    Filters are sent with the first request only: the server keeps them in its links.
    """
    seen: set[str] = set()
    next_url: str | None = url
    first = True
    while next_url:
        if next_url in seen:
            report(next_url, "Schleife in der Seitenfolge (links.next zeigt auf eine frühere "
                   "Seite); Liste hier beendet.")  # fmt: skip
            return
        seen.add(next_url)
        try:
            page = client.get_json(next_url, params=params if first else None)
        except OParlError as e:
            report(next_url, e.message + " Liste hier unterbrochen; der nächste Lauf holt es nach.")
            return
        first = False
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            report(next_url, "keine OParl-Liste (Feld „data“ fehlt oder ist keine Liste).")
            return
        links = page.get("links") if isinstance(page.get("links"), dict) else {}
        pagination = page.get("pagination") if isinstance(page.get("pagination"), dict) else {}
        total = pagination.get("totalElements")
        yield ListPage(next_url, page["data"], total if isinstance(total, int) else None)
        following = links.get("next")
        if following is not None and not isinstance(following, str):
            report(next_url, "links.next ist keine URL; Liste hier beendet.")
            return
        next_url = following
    walk.complete = True


def _valid(obj: Any, expected: str, name: str, report: Report) -> bool:
    """Whether an object is a valid ``expected``; reports why not."""
    errors = schema_errors(obj, expected)
    if errors:
        report(name, f"kein gültiges OParl-{expected}-Objekt: " + "; ".join(errors))
    return not errors


def _name(obj: Any) -> str:
    """How to name an object in a message: its id, or what it is."""
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return obj["id"]
    return "Listeneintrag ohne id"
