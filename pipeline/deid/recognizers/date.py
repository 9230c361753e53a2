"""Dates as charts print them: 03/14/1948, 3/4/21, 1948-03-14, Mar 14, 1948, 14-Mar-1948, on 3/2."""

from __future__ import annotations

import calendar

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import CASE_SENSITIVE, either_case

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

_NUM = re.compile(r"\d+")
# What follows a fraction that is a dose, not a date ("1/2 tab", "3/4 inch").
_DOSE_WORDS = (
    "tabs?|tablets?|caps?|capsules?|mg|mcg|g|ml|mL|units?|doses?|strength|of|in|inch|inches|"
    "puffs?|cups?|teaspoons?|tsp|tbsp|drops?|patch(?:es)?|pills?"
)
_WORD = re.compile(r"[A-Za-z]+")


def _month_regex() -> str:
    return either_case(name.title() for name in _MONTHS) + r"\.?"


class ChartDateRecognizer(PatternRecognizer):
    """Recognize calendar dates; day and month are checked, years run 1850-2099.

    A month name is matched in Title or UPPER case only, so that "may 2 puffs" is not a date.
    Numeric dates need all three parts: "145/82" (a blood pressure) and "1/2" are not dates.
    """

    def __init__(self, assets: DeidAssets) -> None:
        month = _month_regex()
        # A year of which OCR read three digits and marks: "202:1", "202L", "20.25", "202:↓";
        # not "200 mg", "198 lbs", "185K".
        year3 = r",?[ ]?(?:1[89]|20)\d"
        year_spaced = r",?[ ]?(?:1[89]|20)[ ]?\d[ ]?\d"  # before a time: "June 4, 20 1 6 18:12"
        damage = r"(?:[^\w\s,;.]{1,2}[\dlLI]?|\.\d|[lLI](?![A-Za-z]))"
        full = either_case(calendar.month_name[i] for i in range(1, 13) if i != 5)  # "2 MAY BE"
        titled = "(?:" + "|".join(sorted(n.title() for n in _MONTHS if n != "may")) + r")\.?"
        day = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
        year4 = r"(?:18[5-9]\d|19\d{2}|20\d{2})"
        m_num = r"(?:0?[1-9]|1[0-2])"
        d_num = r"(?:0?[1-9]|[12]\d|3[01])"
        left = r"(?<![\d/.\-])"
        # Not part of a longer number, but a time OCR joined on is fine ("2024-05-29-08:40").
        right = r"(?![\d/]|[.\-]\d(?!\d?:\d\d))"
        # Around a month word: a space, a hyphen, or a hyphen with one space OCR put on
        # either side ("25-Mar -2018"). In a numeric date a slash or hyphen may have one too
        # ("03/ 14/1948"), but only with a four-digit year: "BP 120/ 80" stays a vital.
        hyphen = r"(?:[ ]|-|[ ]-[ ]?|-[ ])"
        spaced_num = r"[ ]?([/\-])[ ]?"
        patterns = [
            Pattern("m/d/yyyy", rf"{left}{m_num}([/\-.]){d_num}\1{year4}{right}", 0.7),
            Pattern(
                "m/d/yyyy, spaced",
                rf"{left}{m_num}{spaced_num}{d_num}[ ]?\1[ ]?{year4}{right}",
                0.7,
            ),
            Pattern("m/d/yy", rf"{left}{m_num}([/\-]){d_num}\1\d{{2}}{right}", 0.6),
            Pattern("yyyy-mm-dd", rf"{left}{year4}([/\-.]){m_num}\1{d_num}{right}", 0.7),
            Pattern("Mon d, yyyy", rf"(?<![A-Za-z]){month}[ ]?{day},?[ ]{year4}(?!\d)", 0.8),
            Pattern(
                "d-Mon-yyyy",
                rf"(?<![\dA-Za-z]){day}{hyphen}{month}(?:{hyphen}|,[ ]?){year4}(?!\d)",
                0.8,
            ),
            Pattern("d-Mon-yy", rf"(?<![\dA-Za-z]){d_num}-{month}-\d{{2}}(?!\d)", 0.7),
            Pattern("Mon-d-yyyy", rf"(?<![A-Za-z]){month}-{d_num}-{year4}(?!\d)", 0.8),
            Pattern("Mon yyyy", rf"(?<![A-Za-z]){month},?[ ]{year4}(?!\d)", 0.6),
            # A numeric month and day without a year after "on", "since"... ("stopped Lasix
            # on 3/2"): a date element Safe Harbor removes. Not before a dose or a unit
            # ("on 1/2 tab").
            Pattern(
                "on m/d",
                rf"(?<=(?<![A-Za-z])(?i:on|since|from|until|till|through|thru|dated)[ ])"
                rf"{m_num}/{d_num}(?![\d/]|\.\d)(?![ ]?(?i:{_DOSE_WORDS})(?![A-Za-z]))",
                0.6,
            ),
            # A month and an ordinal day joined by a hyphen: "December-2nd" (not "Jan-3 days").
            Pattern(
                "Mon-dth",
                rf"(?<![A-Za-z]){month}-(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)(?![A-Za-z\d])",
                0.6,
            ),
            # A day, perhaps its ordinal and "of", then a month spelled out, without a year:
            # "on 22nd of January", "since 3 March". Not an abbreviation ("2 MAR": a record).
            Pattern(
                "d Month",
                rf"(?<![\dA-Za-z.,/\-]){day}[ ](?:of[ ])?{full}(?![A-Za-z])(?!,?[ ]?\d)",
                0.6,
            ),
            # Month and day without a year: needs a context word ("seen on Mar 14").
            Pattern("Mon d", rf"(?<![A-Za-z]){month}[ ]{day}(?![\d:])(?!,?[ ]\d)", 0.3),
            # A month in Title case, then a day, then a time ("Oct 17 10:12") or a year OCR
            # damaged, which goes with it ("Oct 17, 202:1", "Oct 21, 202L"), as a flowsheet's
            # rows print them: a date element without a context word. Not "May 2" (a verb),
            # nor the capitals of "MAR 2", "OCT 3 months" (a record, a scan).
            Pattern(
                "Mon d, time or damaged year",
                rf"(?<![A-Za-z\d\-]){titled}[ ]?{day}"
                rf"(?:{year3}{damage}(?=[\s.,;)]|$)"
                rf"|(?:{year_spaced}|{year3}(?:{damage})?)?(?=[ ]+\d{{1,2}}:\d\d)"
                rf"|(?=,?[ ]\d))",  # a value after it stays: "Mar 3, 200 mg"
                0.6,
            ),
        ]
        super().__init__(
            supported_entity="DATE",
            patterns=patterns,
            context=assets.label_list("date_context"),
            name="ChartDateRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse impossible dates (Feb 30, month 13)."""
        numbers = [int(n) for n in _NUM.findall(pattern_text)]
        names = [w.lower() for w in _WORD.findall(pattern_text) if w.lower() in _MONTHS]
        if names:
            month = _MONTHS[names[0]]
            days = [n for n in numbers if n <= 31]
            years = [n for n in numbers if n > 31]
            day = days[0] if days and (len(numbers) > 1 or not years) else None
            year = years[0] if years else None
        elif len(numbers) == 3:
            if numbers[0] > 31:
                year, month, day = numbers
            else:
                month, day, year = numbers
        elif len(numbers) == 2 and "/" in pattern_text:  # "on 3/2"
            (month, day), year = numbers, None
        else:
            return True
        if not 1 <= month <= 12:
            return True
        if day is None:
            return False
        leap_year = year if year is not None and year > 99 else 2000
        return not 1 <= day <= calendar.monthrange(leap_year, month)[1]
