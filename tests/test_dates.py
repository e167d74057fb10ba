"""German dates are read by plain rules exactly as dateparser read them (issue 18)."""

from __future__ import annotations

import itertools
from datetime import date

import dateparser
import pytest

from ingest.dates import DATE, find_dates, parse_german_date

_DATEPARSER = {"DATE_ORDER": "DMY", "STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
_DAYS = ("0", "01", "9", "12", "13", "29", "31", "32")
_NUMBERS = ("00", "1", "02", "12", "13", "31")
_YEARS = ("2024", "2023", "1784", "0000")
_MONTHS = (
    "Januar", "jänner", "FEBRUAR", "März", "mai", "Juni", "Juli", "Oktober", "Dezember",
    "Jan", "Feb.", "MÄR", "Mrz", "apr", "Jun", "Jul", "Aug.", "Sep", "Sept.", "Okt", "Nov", "Dez",
)  # fmt: skip


def _shapes() -> list[str]:
    shapes = []
    for day, year in itertools.product(_DAYS, _YEARS):
        shapes += [f"{day}.{sep}{month}.{year}" for month in _NUMBERS for sep in "\n "]
        shapes += [f"{day}.{sep}{month} {year}" for month in _MONTHS for sep in ("", " ")]
    return shapes


def test_every_shape_the_date_pattern_finds_reads_as_dateparser_reads_it() -> None:
    shapes = _shapes()
    assert all(DATE.fullmatch(text) for text in shapes)
    for text in shapes:
        expected = dateparser.parse(text, languages=["de"], settings=_DATEPARSER)
        assert parse_german_date(text) == (expected.date() if expected else None), repr(text)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("29.02.2024", date(2024, 2, 29)),
        ("29.02.2023", None),
        ("1.13.2024", date(2024, 1, 13)),  # dateparser's reading of a month over 12, kept
        ("5. Maerz 2024", date(2024, 3, 5)),  # the pattern finds it; dateparser did not read it
    ],
)
def test_impossible_dates_are_none_and_odd_ones_read(text: str, read: date | None) -> None:
    assert parse_german_date(text) == read


def test_dates_in_a_page_come_with_their_page_and_text() -> None:
    pages = ["Dresden, 27. März 2024", "Sitzung am 3.4.2024 und 31.04.2024"]
    found = [(f.value, f.page, f.text) for f in find_dates(pages)]
    assert found == [("2024-03-27", 1, "27. März 2024"), ("2024-04-03", 2, "3.4.2024")]
