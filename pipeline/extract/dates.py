"""Printed dates to ISO 8601: a pure parser and the pattern that finds date candidates.

US charts print month first, so ``03/04/2021`` is March 4; a first number above 12 can only
be a day (``14/03/2021`` is 14 March). Two-digit years pivot on ``latest_year``: the date is
put in the latest century that does not place it after that year (``21`` -> 2021,
``48`` -> 1948 when ``latest_year`` is 2030).
"""

from __future__ import annotations

import re
from datetime import date

LATEST_YEAR = 2030

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}

# Digits plus the letters OCR reads for them ("O3/l4/2O21"; a slashed zero as "\u00d8", "\u03c6").
_D = "[0-9OolI\u00d8\u00f8\u03c6]"
# A month name or its abbreviation (de-id's month/day dates read the same words).
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_SEP = r"[/\-.]"


def date_regex(tag: str = "") -> str:
    """A pattern for a date candidate in running text; ``parse_date`` decides if it is one.

    ``tag`` suffixes the pattern's group names, so two copies can sit in one regex.
    """
    a, b = f"s{tag}", f"t{tag}"
    return (
        r"(?<![0-9A-Za-z/])(?:"
        rf"{_D}{{4}}{_SEP}{_D}{{1,2}}{_SEP}{_D}{{1,2}}"  # 2021-03-14
        rf"|{_D}{{1,2}}(?P<{a}>[/\-.]){_D}{{1,2}}(?P={a}){_D}{{4}}"  # 03/14/2021
        rf"|{_D}{{1,2}}(?P<{b}>[/\-.]){_D}{{1,2}}(?P={b}){_D}{{2}}(?![0-9])"  # 3/4/21
        rf"|(?i:{MONTH})\.?[^\S\n]*{_D}{{1,2}}(?:st|nd|rd|th)?,?[^\S\n]*{_D}{{4}}"  # Mar 14, 2021
        rf"|{_D}{{1,2}}(?i:st|nd|rd|th)?[^\S\n]*[-\s]?[^\S\n]*(?:(?i:of)[^\S\n]+)?"
        rf"(?i:{MONTH})\.?[^\S\n]*[-\s,]?[^\S\n]*{_D}{{2,4}}"  # 14 Mar 2021, 13th of June 2022
        rf"|(?i:{MONTH})-{_D}{{1,2}}-{_D}{{2}}(?:{_D}{{2}})?"  # JUN-26-03, Jun-26-2003
        r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"  # 20030626
        r")(?![0-9A-Za-z])"
    )


DATE = date_regex()

_NUMERIC = re.compile(r"(\d{1,4})([/\-.])(\d{1,2})\2(\d{1,4})")
_MONTH_FIRST = re.compile(r"([a-z]+)\.?[\s\-]*(\d{1,2})(?:st|nd|rd|th)?,?[\s\-]*(\d{2,4})")
_COMPACT = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})")
_DAY_FIRST = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?\s*-?\s*(?:of\s+)?([a-z]+)\.?\s*[-,]?\s*(\d{2,4})"
)
_REPAIRS = str.maketrans(
    {"O": "0", "o": "0", "l": "1", "I": "1", "\u00d8": "0", "\u00f8": "0", "\u03c6": "0"}
)
_DIGITISH_TOKEN = re.compile(_D + "+")


def parse_date(text: str, *, latest_year: int = LATEST_YEAR) -> str | None:
    """Parse one printed date to ``YYYY-MM-DD``.

    Accepts ``03/14/2021``, ``3/4/21``, ``2021-03-14``, ``03-14-2021``, ``03.14.2021``,
    ``Mar 14, 2021``, ``March 14 2021``, ``14-Mar-2021``, ``14 Mar 2021``, ``2 nov, 96``,
    ``13th June 2022``, ``13th of June, 2022``,
    ``JUN-26-03`` and ``20210314``, with OCR's
    ``O``/``l`` for ``0``/``1`` inside numbers. Returns None for anything else, including
    impossible dates (``02/30/2021``).

    Args:
        text: the date as printed, nothing else.
        latest_year: two-digit years are placed so the year is not after this one.

    """
    s = text.strip()
    found = _parse(s.lower(), latest_year)
    if found is None:
        # Repair only tokens that hold a real digit, so "Oct" keeps its "O".
        def repair(m: re.Match[str]) -> str:
            t = m.group(0)
            return t.translate(_REPAIRS) if any(c.isdigit() for c in t) else t

        repaired = _DIGITISH_TOKEN.sub(repair, s)
        if repaired != s:
            found = _parse(repaired.lower(), latest_year)
    return found


def _parse(s: str, latest_year: int) -> str | None:
    m = _COMPACT.fullmatch(s)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC.fullmatch(s)
    if m:
        a, _sep, b, c = m.groups()
        if len(a) == 4:
            return _iso(int(a), int(b), int(c))
        if len(a) > 2 or len(c) not in (2, 4):
            return None
        month, day = int(a), int(b)
        if month > 12 >= day:
            month, day = day, month
        return _iso(_year(c, latest_year), month, day)
    m = _MONTH_FIRST.fullmatch(s)
    if m and m.group(1) in MONTHS:
        return _iso(_year(m.group(3), latest_year), MONTHS[m.group(1)], int(m.group(2)))
    m = _DAY_FIRST.fullmatch(s)
    if m and m.group(2) in MONTHS:
        return _iso(_year(m.group(3), latest_year), MONTHS[m.group(2)], int(m.group(1)))
    return None


def _year(text: str, latest_year: int) -> int:
    if len(text) == 4:
        return int(text)
    if len(text) != 2:
        return -1
    century = latest_year // 100 * 100
    year = century + int(text)
    return year if year <= latest_year else year - 100


def _iso(year: int, month: int, day: int) -> str | None:
    if not 1800 <= year <= 2200:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
