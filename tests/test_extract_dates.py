"""parse_date: printed dates to ISO, a table with a comment per row plus property tests."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.dates import parse_date

CASES = [
    # US numeric, month first
    ("03/14/2021", "2021-03-14"),
    # single-digit month and day, two-digit year
    ("3/4/21", "2021-03-04"),
    # ISO
    ("2021-03-14", "2021-03-14"),
    # hyphens and dots as separators
    ("03-14-2021", "2021-03-14"),
    ("03.14.2021", "2021-03-14"),
    # month name, comma
    ("Mar 14, 2021", "2021-03-14"),
    # full month name, no comma
    ("March 14 2021", "2021-03-14"),
    # abbreviated month with a period, ordinal day
    ("Mar. 14th, 2021", "2021-03-14"),
    # day-month-year with names, as lab systems print it
    ("14-Mar-2021", "2021-03-14"),
    ("14 Mar 2021", "2021-03-14"),
    # upper case month
    ("14-MAR-2021", "2021-03-14"),
    # a first number above 12 can only be a day
    ("14/03/2021", "2021-03-14"),
    # two-digit year pivot: not after 2030
    ("01/02/30", "2030-01-02"),
    ("01/02/31", "1931-01-02"),
    ("04/12/48", "1948-04-12"),
    ("14-Mar-21", "2021-03-14"),
    # OCR: O for 0 and l for 1 inside numbers
    ("O3/l4/2O21", "2021-03-14"),
    # OCR repair must not touch the O of a month name
    ("Oct 1, 2021", "2021-10-01"),
    # leap day
    ("02/29/2020", "2020-02-29"),
    # surrounding whitespace is ignored
    ("  03/14/2021 ", "2021-03-14"),
    # failing: February 30th does not exist
    ("02/30/2021", None),
    # failing: not a leap year
    ("02/29/2021", None),
    # failing: month 13 with a day that is also above 12
    ("13/13/2021", None),
    # failing: no year, a BP or a fraction rather than a date
    ("12/08", None),
    ("120/80", None),
    # failing: three-digit year
    ("03/14/202", None),
    # failing: an unknown month word
    ("Foo 14, 2021", None),
    # failing: OCR garbage in the year makes an impossible year
    ("04/20/2922", None),
    # failing: empty
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_pivot_year_is_a_parameter() -> None:
    # With 2020 as the latest year, 21 is 1921.
    assert parse_date("3/4/21", latest_year=2020) == "1921-03-04"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_four_digit_formats_round_trip(day: dt.date) -> None:
    iso = day.isoformat()
    assert parse_date(iso) == iso
    assert parse_date(day.strftime("%m/%d/%Y")) == iso
    assert parse_date(day.strftime("%b %d, %Y")) == iso
    assert parse_date(day.strftime("%d-%b-%Y")) == iso


@given(st.dates(min_value=dt.date(1931, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_two_digit_years_land_in_the_hundred_years_up_to_2030(day: dt.date) -> None:
    assert parse_date(day.strftime("%m/%d/%y")) == day.isoformat()


@given(st.text(max_size=30))
def test_never_raises_and_answers_iso(text: str) -> None:
    result = parse_date(text)
    assert result is None or dt.date.fromisoformat(result).isoformat() == result
