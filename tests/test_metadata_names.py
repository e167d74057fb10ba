"""Names in every spelling share one key, and the names benchmark is what it says it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.name_aliases import HEADER, aliases
from bench.names import persons, places
from common.names import name_key


def _keys(name: str) -> list[str]:
    return [name_key(word.lower()) for word in name.replace("-", " ").split()]


@pytest.mark.parametrize(
    "spellings",
    [
        ("Chernivtsi", "Tscherniwzi", "Czernowitz", "Чернівці", "Czerniwci", "Tchernivtsi"),
        ("Luhansk", "Lugansk", "Луганськ", "Łuhańsk"),
        ("Kropyvnytskyi", "Kropywnyzkyj", "Kirowograd", "Kirovohrad", "Кропивницький"),
        ("Sloviansk", "Slowjansk", "Слов'янськ", "Słowiańsk"),
        ("Bila Tserkva", "Bila Zerkwa", "Біла Церква", "Biła Cerkwa"),
        ("Kharkiv", "Charkiw", "Kharkov", "Charkow", "Харків", "Харьков", "Charków"),
        ("Warsaw", "Warschau", "Warszawa"),
        ("Zhytomyr", "Schytomyr", "Żytomyr", "Jytomyr"),
        ("Shevchenko", "Schewtschenko", "Szewczenko", "Chevtchenko", "Шевченко"),
    ],
)
def test_every_spelling_of_a_name_has_the_same_key(spellings: tuple[str, ...]) -> None:
    assert len({tuple(_keys(s)) for s in spellings}) == 1, [_keys(s) for s in spellings]


def test_names_benchmark_has_150_names_in_three_spellings_each() -> None:
    names = places() + persons()
    assert len(names) >= 150
    assert all(len(n.spellings) >= 3 for n in names)
    assert {"place", "person"} == {n.kind for n in names}


def test_alias_table_is_the_one_its_generator_writes() -> None:
    table = Path(__file__).parent.parent / "common" / "name_aliases.tsv"
    written = HEADER + "".join(f"{a}\t{k}\n" for a, k in aliases().items())
    assert table.read_text(encoding="utf-8") == written
