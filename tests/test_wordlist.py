"""The German word list is prepared once and read from its prepared sets afterwards (#18)."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from common.errors import MissingDependencyError
from common.wordlist import WORD_LIST, load_word_list


@pytest.fixture
def word_list(tmp_path: Path) -> Path:
    """The first 3,000 lines of Debian's list."""
    path = tmp_path / "ngerman"
    path.write_text("".join(WORD_LIST.read_text(encoding="utf-8").splitlines(True)[:3000]))
    return path


def test_the_list_is_read_then_prepared_then_read_from_the_prepared_sets(
    word_list: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = load_word_list(word_list, cache)
    lines = word_list.read_text(encoding="utf-8").split()
    assert first.words == {w.lower() for w in lines if w.isalpha()}
    assert "aachener" in first.nouns and "aachener" not in first.lowercase
    (prepared,) = cache.iterdir()
    assert load_word_list(word_list, cache) == first
    assert list(cache.iterdir()) == [prepared]
    marked = frozenset({"vorbereitet"})
    prepared.write_bytes(marshal.dumps((marked, marked, marked)))
    assert load_word_list(word_list, cache).words == marked  # read from there, not the list


def test_a_changed_list_is_read_again_and_a_damaged_preparation_repaired(
    word_list: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    load_word_list(word_list, cache)
    (prepared,) = cache.iterdir()
    prepared.write_bytes(prepared.read_bytes()[:1000])
    assert "aachener" in load_word_list(word_list, cache).words
    assert len(prepared.read_bytes()) > 1000
    word_list.write_text(word_list.read_text(encoding="utf-8") + "Findbuchwort\n")
    assert "findbuchwort" in load_word_list(word_list, cache).nouns
    assert len(list(cache.iterdir())) == 2


def test_an_unwritable_folder_still_gives_the_words(word_list: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert "aachener" in load_word_list(word_list, not_a_folder / "cache").words


def test_a_missing_list_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError, match="wngerman"):
        load_word_list(tmp_path / "ngerman", tmp_path)
