"""Chinese, Japanese and Korean text is findable by its words (issue #16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, search_json

TEXT = (
    "Städtepartnerschaft Karlsruhe\n\n"
    "日本の首都は東京です。日本と友好関係を結んでいます。\n"
    "北京是中国的首都。\n"
    "서울은 한국의 수도입니다.\n"
)


@pytest.fixture(scope="module")
def cjk_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cjk")
    letter = root / "partnerschaft.txt"
    letter.write_text(TEXT, encoding="utf-8")
    result = run_cli("--home", str(root / "home"), "ingest", str(letter))
    assert result.exit_code == 0, result.stderr
    return root / "home"


@pytest.mark.parametrize("word", ["日本", "東京", "首都", "北京", "中国", "한국", "日本の首都"])
def test_a_cjk_word_inside_a_run_of_characters_is_found(cjk_home: Path, word: str) -> None:
    [hit] = search_json(cjk_home, word)["hits"]
    assert "<mark>" in hit["snippet"]


@pytest.mark.parametrize("word", ["本日", "京都", "韓国"])
def test_characters_that_do_not_stand_together_do_not_match(cjk_home: Path, word: str) -> None:
    assert search_json(cjk_home, word)["total"] == 0


def test_german_words_beside_cjk_text_are_found_as_before(cjk_home: Path) -> None:
    assert search_json(cjk_home, "Partnerschaft")["total"] == 1
