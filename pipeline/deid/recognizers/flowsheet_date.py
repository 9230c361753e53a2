"""The date that starts a flowsheet row, when OCR has mangled it past reading as a date.

A vitals flowsheet prints one row per reading: "Feb 27, 2023 23:03 134/62 ...". On a faxed
page the date column comes out as "Ceh 27, 2023" or "= 4, 2d, 2023", which no date pattern
can check. What is left to go on is the row's shape: at the start of a line, a day-sized
token and a year, then a time of day.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.recognizers.patterns import CASE_SENSITIVE
from pipeline.extract.dates import DATE, parse_date

_DATE = re.compile(DATE)


class FlowsheetRowDateRecognizer(PatternRecognizer):
    """Recognize a damaged date at the start of a line that goes on with a time of day."""

    SCORE = 0.45
    YEAR = r"(?:18[5-9]\d|19\d{2}|20\d{2})"
    # Up to two short tokens (the misread month, a stray day), then "<day>, <year>".
    HEAD = (
        r"^[^\w\n]{0,3}(?:[A-Za-z0-9=]{1,3}[^\w\s]?[ ]{1,2}){0,2}[0-9A-Za-z]{1,2}[.,;]{0,2}[ ]{1,2}"
    )
    # A time with its own OCR damage: "23:03", "07.19", "0707", "“44:14", "o7!12".
    TIME = r"(?=[ ]+[^\w\s]{0,2}[ ]*[0-9oO\"“'°]{1,2}[0-9:.'°!,]{1,4}(?![\d/]))"

    # Year first, then two two-digit parts with any separators ("2017-16-07", "2018 07-01",
    # "2022-12:26"):
    # month and day are not checked, the row shape is the evidence.
    ISO_HEAD = r"^[^\w\n]{0,3}"
    ISO_TAIL = r"[ .\-/:]{1,2}\d{2}[ .\-/:]{1,2}\d{2}(?![\d/])"

    # Anything ending in a year ("20:Mar-2021..", "23-Mat 2021", "42/28/2023", RapidOCR's
    # "Fet--24---2023"), when the row goes on with a time-sized token and then a blood
    # pressure: the shape of a vitals row.
    ANY_HEAD = r"^[^\w\n]{0,3}(?:\S{1,10}[ ]{1,2}){0,2}\S{0,12}?"
    ANY_TAIL = r"[^\w\s]{0,3}(?=[ ]+\S{3,6}[ ]+[^\w\s]{0,2}\d{2,3}[ ]?[/'\-][ ]?\d{2,3}(?!\d))"

    def __init__(self) -> None:
        super().__init__(
            supported_entity="DATE",
            patterns=[
                Pattern("row-start date", self.HEAD + self.YEAR + self.TIME, self.SCORE),
                Pattern(
                    "row-start year-first date",
                    self.ISO_HEAD + self.YEAR + self.ISO_TAIL + self.TIME,
                    self.SCORE,
                ),
                Pattern(
                    "row-start garbled date before a time and a BP",
                    self.ANY_HEAD + self.YEAR + self.ANY_TAIL,
                    self.SCORE,
                ),
            ],
            name="FlowsheetRowDateRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse a row whose date reads: the printed-date recognizer has it, label aside.

        "EXP 11/12/2028 ISS ..." on a licence is a date after its label, not a damaged one.
        """
        return any(parse_date(m.group()) for m in _DATE.finditer(pattern_text))
