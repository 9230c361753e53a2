"""Dates after a date label ("DOB:", "Date of Birth"), in whatever shape OCR left them.

The other date recognizers read a date by its shape. After a label that says a date
follows, the shape may be damaged beyond them: a zero read as a slashed O or a phi
("2\u03c6-Sep-1995"), look-alike letters in every part ("O3/l4/l962"), separators lost or
changed ("03 14. 1962"). The label says what the value is; the value need only read as a
calendar date once its look-alikes are digits.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.ocr_date import OcrDateRecognizer, date_key
from pipeline.deid.recognizers.patterns import CASE_SENSITIVE, ID_SEPARATOR, label_lookbehind

_YEAR = re.compile(OcrDateRecognizer.YEAR)
_SPLIT_DAY = re.compile(r"(?<=[/\-.])([0-9OoIl])[ ]([0-9OoIl])(?=[/\-.])")


class LabelledDateRecognizer(PatternRecognizer):
    """Recognize three date parts, look-alikes allowed, after a label of ``date_labels``."""

    SCORE = 0.85
    # A numeric part: digits and the letters OCR reads for them.
    PART = "[0-9OoIlSB\u00d8\u00f8\u03c6]{1,4}"
    MONTH = r"[A-Za-z0]{3,9}\.?"
    SEP = r"(?:[ ]?[/\-.,:;][ ]?|[ ]{1,2})"
    # The day may hold a space OCR put between its digits: "09/1 1/1989".
    DAY = r"(?:[0-9OoIl][ ][0-9OoIl]|" + PART + ")"
    VALUE = (
        rf"(?=[^\n]{{0,12}}\d)"  # a real digit among the first parts
        rf"(?:{PART}{SEP}(?:{DAY}|{MONTH}){SEP}{PART}|{MONTH}{SEP}{PART}{SEP}{PART})"
        r"(?![\w/])"
    )

    def __init__(self, assets: DeidAssets) -> None:
        self.words = assets.words
        after_label = label_lookbehind(assets.label_list("date_labels"), separator=ID_SEPARATOR)
        super().__init__(
            supported_entity="DATE",
            patterns=[Pattern("labelled date", after_label + self.VALUE, self.SCORE)],
            name="LabelledDateRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse a value that reads as no calendar date of 1850-2099 ("1/2 1500 mL")."""
        key = date_key(_SPLIT_DAY.sub(r"\1\2", pattern_text), self.words)
        return key is None or _YEAR.fullmatch(key[:4]) is None
