"""Dates as a degraded (faxed, 150 DPI) scan reads them: "Feo 20, 2023.", "Feb 21,.2023".

``ChartDateRecognizer`` keeps to the formats charts print. This one takes the shapes OCR
makes of them: a month abbreviation one letter off ("Feo", "Fep" for "Feb"), a day with an
extra or misread character ("418", "O1"), separators lost, doubled or turned into dots,
colons and commas ("Feb 21. 2023", "Feb.23, 2023", "08 17 1949", "26-Sep: 1942"), a speck's
dot in the day or after the month ("Feb 2.0, 2923", "Feb .23, 2623"), a space inside the
year ("16 August 201 7"), a lower-case month between hyphens ("01-jun-2019"), and stray
characters stuck to the day ("s14-Jun-2019"). Each shape still
needs a year, so a vital such as "132/84", a time such as "07:15" or a range such as
"3.5-5.0" is never one.
"""

from __future__ import annotations

import calendar

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer
from rapidfuzz.distance import Levenshtein

from pipeline.deid.assets import DeidAssets, WordLists
from pipeline.deid.recognizers.patterns import CASE_SENSITIVE, CLAUSE_END

MONTH_ABBRS = tuple(m.lower() for m in calendar.month_abbr if m)
_FULL_MONTHS = tuple(m.lower() for m in calendar.month_name if m)
MONTH_NAMES = frozenset([*MONTH_ABBRS, *(m.lower() for m in calendar.month_name if m), "sept"])
# Characters OCR reads for a digit; mapped back before a day is checked. A zero printed or
# scanned with a slash or a dot inside reads as a slashed O or a phi ("2\u03c6-Sep-1995").
CONFUSABLE_DIGITS = str.maketrans("OoDQ\u00d8\u00f8\u03c6Ili|SsBZz", "0000000111155822")
# A date's numeric or month parts, look-alikes of zero included.
_PARTS = re.compile(r"[0-9A-Za-z\u00d8\u00f8\u03c6]+")
_YEAR = re.compile(r"(?:18[5-9]\d|19\d{2}|20\d{2})$")
# Day, a space or hyphen, three letters, a hyphen: a date by shape ("28 pec-2018").
_DAY_MON_HYPHEN = re.compile(r"\d{1,2}[ \-][0A-Za-z][A-Za-z]{2}-")


def to_digits(value: str) -> str:
    """``value`` with look-alike letters read as digits ("O1" gives "01", "l9" gives "19")."""
    return value.translate(CONFUSABLE_DIGITS)


def month_of(word: str, words: WordLists, *, strict: bool = True) -> int | None:
    """The month ``word`` spells or is an OCR misreading of, if any.

    A misreading is three letters at edit distance 1 from a month abbreviation with the
    same first letter ("Feo", "Fep", "Fen" for "Feb"), which is not itself an ordinary
    word ("Mat", "Set", "Now" stay words), or a month spelled out, five letters or more,
    one edit off (two from eight letters), same first letter, no ordinary word either
    ("Noveimber", "Decernber"). A zero is read as the letter O ("0ct").

    Args:
        word: the candidate month word.
        words: the word lists (ordinary words are refused when ``strict``).
        strict: False where the shape alone makes a date ("24-dun-2020": day, hyphen, three
            letters, hyphen, year): then the first letter may be misread too ("pec", "dun")
            and an ordinary word is accepted.

    """
    w = word.lower().replace("0", "o")
    if w in MONTH_NAMES:
        return MONTH_ABBRS.index(w[:3]) + 1
    if len(w) >= 5 and w.isalpha() and not words.is_common(w):
        # A month spelled out, misread: "Noveimber", "Decernber" ("m" read as "rn").
        allowed = 2 if len(w) >= 8 else 1
        for i, name in enumerate(_FULL_MONTHS):
            near = Levenshtein.distance(w, name, score_cutoff=allowed) <= allowed
            if w[0] == name[0] and len(name) >= 5 and near:
                return i + 1
        return None
    if len(w) != 3 or not w.isalpha() or (strict and words.is_common(w)):
        return None
    for i, abbr in enumerate(MONTH_ABBRS):
        if (w[0] == abbr[0] or not strict) and Levenshtein.distance(w, abbr, score_cutoff=1) <= 1:
            return i + 1
    return None


def plausible_day(value: str, month: int) -> bool:
    """True when ``value`` reads as a day of ``month``, allowing one extra character ("418")."""
    digits = to_digits(value)
    if not digits.isdigit():
        return False
    candidates = {digits} if len(digits) <= 2 else {digits[1:], digits[:-1]}
    days = calendar.monthrange(2000, month)[1]
    return any(len(c) <= 2 and 1 <= int(c) <= days for c in candidates)


class OcrDateRecognizer(PatternRecognizer):
    """Recognize calendar dates damaged by OCR; month, day and year are all checked."""

    # A month word: Title or UPPER case (the patterns take any case between hyphens).
    MONTH = r"(?:[A-Z][a-z]{2,9}|[A-Z]{3,10})"
    # A speck read as a dot, or a space, may split the day ("Feb 2.0, 2923", "Oct 1 8, 1956").
    DAY = r"[0-9OoIl](?:[. ]?[0-9OoIl]){0,2}"
    YEAR = r"(?:18[5-9]\d|19\d{2}|20\d{2})"

    def __init__(self, assets: DeidAssets) -> None:
        self.words = assets.words
        month, day, year = self.MONTH, self.DAY, self.YEAR
        # Between day and year: spaces, dots, commas, semicolons ("21,.2023"), a quote mark
        # read off a speck ('May 24; "1964'), a dash for a space ("Aug -10,-2019").
        gap = r"""[ .,;:'"“”\-]{0,5}"""
        d2 = r"(?:0[1-9]|[12]\d|3[01])"
        m2 = r"(?:0[1-9]|1[0-2])"
        sep = r"[ ]{0,2}[.,]?[ ]{1,2}"  # a space at least: "08 17 1949", "1971 08. 06"
        # A year with a misread digit ("2929", "199?"): accepted only after an exact month.
        # Or with a space OCR put inside it ("201 7", "1 918"), where no unit, number or
        # lower-case word follows ("May 3 1 500 mL" is a volume); nor a unit after any
        # ("Mar 3: 1500 mL", "Dec 10: 1200 calorie diet").
        no_unit = r"(?![ ]?(?:m[Llg]|cc|units?|U|kcal|cal|calories?|hrs?|hours?)(?![A-Za-z]))"
        misread_year = (
            r"(?:[12]\d{2}[\d?]|(?:[12][ ]\d{3}|[12]\d[ ]\d{2}|[12]\d{2}[ ]\d)(?![ ]?[\da-z]))"
            r"(?!\d)" + no_unit
        )
        # Three letters in any case, a zero allowed for an O ("jul", "pec", "0ct"); only
        # between a day and a hyphen, where the shape is a date's.
        mon3 = r"(?=[0A-Za-z]{3}-)[0A-Za-z][A-Za-z]{2}"
        patterns = [
            # The year may be misread too ("Feb 23, 2623"): checked in invalidate_result.
            Pattern(
                "ocr Mon d yyyy",
                # A dot may stand for the space after the month ("Feb.23, 2623") or sit in
                # it, read off a speck ("Feb .23, 2623").
                rf"(?<![A-Za-z]){month}(?:[ ]{{0,2}}[.):\-][ ]{{0,2}}|[ ]{{1,2}})"
                + rf"{day}(?=[ .,;:\-]){gap}"
                + misread_year,
                0.6,
            ),
            Pattern(
                "ocr d-Mon-yyyy",
                # The hyphen after the month may be read as a mark and a space ("26-Sep: 1942").
                rf"(?<!\d)\d{{1,2}}(?:(?:[\- ]?{mon3}-|-[A-Za-z]{{3}}-?|[ ]?{month}[ \-])"
                + misread_year
                + rf"|-[A-Za-z]{{3}}(?:[:;.,]?[ ]{{1,2}}|[^\w\s])?{year}(?!\d))",
                0.6,
            ),
            # A day's ordinal, perhaps "of", and a month OCR misspelled: "29th of Jaruary. 2025".
            Pattern(
                "ocr dth of Month yyyy",
                rf"(?<![\dA-Za-z])\d{{1,2}}[ ]?(?:st|nd|rd|th)[ ](?:of[ ])?{month}"
                + rf"[.,]{{0,2}}[ ]{{1,2}}{misread_year}",
                0.6,
            ),
            Pattern(
                "ocr d-Mon-yyyy, misread day",
                rf"(?<![\dA-Za-z])[0O][0-9Il]-[A-Za-z]{{3}}-{year}(?!\d)",
                0.6,
            ),
            # A date whose slashes OCR lost, after a word that dates it: "on 12 1 2019 at".
            Pattern(
                "m d yyyy after on",
                rf"(?<=(?<![A-Za-z])(?:on|dated|since)[ ])(?:1[0-2]|0?[1-9])[ ]"
                rf"(?:[12]\d|3[01]|0?[1-9])[ ]{year}"
                # ending its clause or before a time: not "on 1 1 2000 IU"
                rf"(?={CLAUSE_END}|[ ]+(?:at|by|and|@)(?![A-Za-z]))",
                0.6,
            ),
            # A space OCR put inside the month or day, or after a slash: "01/ 1 5/ 1930",
            # "DATE: 1 1/13/2023". A year of four digits is needed: "2 1/2" is a dose. The
            # month split only after a label's colon: "Cycle 1 2/14/2023" is cycle 1.
            Pattern(
                "ocr m/d/yyyy, spaced",
                rf"(?<![\d/.\-])(?=[\d/]*[ ])"
                rf"(?:(?<=:[ ]?)(?:0[ ][1-9]|1[ ][0-2])|0[1-9]|1[0-2]|[1-9])/[ ]?"
                rf"(?:[12][ ]?\d|3[ ]?[01]|0[ ]?[1-9]|[1-9])/[ ]?{year}(?![\d/])",
                0.6,
            ),
            # A year first, then a padded month and day, a speck's middle dot or another mark
            # for one of the hyphens: "2021-08\u00b714", "2021.08-14".
            Pattern(
                "yyyy-mm-dd, marks mixed",
                rf"(?<![\d/.\-]){year}[\-./\u00b7]{m2}[\-./\u00b7]{d2}(?![\d/])",
                0.6,
            ),
            # Zero-padded month and day with spaces for separators: needs a context word.
            Pattern("mm dd yyyy", rf"(?<![\d/.\-]){m2}{sep}{d2}{sep}{year}(?![\d/])", 0.3),
            # A year first, then a padded month and day: no value row reads so ("2025 06 16").
            # Not before a unit or a word in lower case: "Intake 2000 10 12 mL".
            Pattern(
                "yyyy mm dd",
                rf"(?<![\d/.\-]){year}{sep}{m2}{sep}{d2}(?![\d/])(?![ ]*[a-z%])",
                0.5,
            ),
        ]
        super().__init__(
            supported_entity="DATE",
            patterns=patterns,
            context=assets.label_list("date_context"),
            name="OcrDateRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse a month word that is no month, and a day that month does not have."""
        word = re.search(r"[A-Za-z]{3,}|(?<!\d)0[A-Za-z]{2}", pattern_text)
        if word is None:
            return False  # numeric: the pattern has already checked month and day ranges
        strict = _DAY_MON_HYPHEN.match(pattern_text) is None
        month = month_of(word.group(), self.words, strict=strict)
        if month is None:
            return True
        year = re.search(r"[12]\d{2}[\d?]$", pattern_text.replace(" ", ""))
        exact = word.group().lower() in MONTH_NAMES
        if year and not _YEAR.match(year.group()) and not exact:
            return True  # a misread year only after a month spelled right
        day = re.match(r"[^A-Za-z]*?([0-9OoIl](?:[. ]?[0-9OoIl]){0,2})", pattern_text[word.end() :])
        before = re.search(
            r"([0-9OoIl]{1,3})(?:[ ]?(?:st|nd|rd|th)[ ](?:of[ ])?|[ \-])?$",
            pattern_text[: word.start()],
        )
        value = before.group(1) if before else (day.group(1) if day else "")
        return not plausible_day(value.replace(".", "").replace(" ", ""), month)


def date_key(value: str, words: WordLists) -> str | None:
    """``value`` as "YYYYMMDD" when it reads as a calendar date, else None.

    Look-alike letters count as digits ("O8" is "08") and separators are ignored; numeric
    dates are month first unless they start with the year ("1971 08. 06").
    """
    parts = _PARTS.findall(value)
    if len(parts) != 3:
        return None
    month_word = [p for p in parts if len(p) >= 3 and p.isalpha()]
    if month_word:
        month = month_of(month_word[0], words)
        rest = [to_digits(p) for p in parts if p is not month_word[0]]
        if month is None or not all(p.isdigit() for p in rest):
            return None
        day, year = sorted(rest, key=len)
        return _key(year, month, day)
    digits = [to_digits(p) for p in parts]
    if not all(p.isdigit() for p in digits):
        return None
    if len(digits[0]) == 4:
        return _key(digits[0], int(digits[1]), digits[2])
    return _key(digits[2], int(digits[0]), digits[1])


def _key(year: str, month: int, day: str) -> str | None:
    if len(year) != 4 or not 1 <= month <= 12 or not 1 <= int(day) <= 31:
        return None
    return f"{year}{month:02d}{int(day):02d}"
