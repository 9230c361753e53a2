"""Every date extraction can read is a DATE, and so is a month and day without a year.

Extraction and de-identification read dates with one grammar (``extract/dates.py``): a date
that extraction parses as a birth or visit date can never stay in ``deid.txt``. A month and
day without a year ("3/8", "10/13", "Feb 6", "25 February", "on the 14th"), as notes date
shifts and plans, is a date element Safe Harbor removes too; a numeric one is told from a
fraction or a score by the words around it ("pain 3/10", "2/6 murmur", "1/2 tab").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex as re
from presidio_analyzer import LocalRecognizer, RecognizerResult

from pipeline.deid.recognizers.patterns import CLAUSE_END
from pipeline.extract.dates import DATE, MONTH, parse_date

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

_DATE = re.compile(DATE)
_WORD = re.compile(r"[A-Za-z]+")
_NOT_MONTH = frozenset({"st", "nd", "rd", "th", "of"})
_MONTH_DAY = re.compile(
    r"(?<![\d/.\-:])(?:0?[1-9]|1[0-2])[ ]?/[ ]?(?:0?[1-9]|[12]\d|3[01])(?![\d/:]|\.\d|[ ]?%)"
)
# A weekday before a month and day makes it a date, whatever else is near ("Sat 6/22", "sun,
# 8/28"); "sat" alone in lower case may be a saturation.
WEEKDAY = (
    r"(?i:mon(?:day)?|tues?(?:day)?|wed(?:nesday|s)?|thu(?:r|rs|rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_WEEKDAY_BEFORE = re.compile(rf"(?<![A-Za-z]){WEEKDAY}(?:\.?,[ ]?|\.?[ ])$")
# A common fraction after a dose word is a part of the dose ("dose 1/2"); "last dose 4/16"
# is a date.
_COMMON_FRACTION = re.compile(r"([1-3])[ ]?/[ ]?([2-4])")
# A fraction, ratio or score, not a date: the word before or after it says so. Dose units
# and forms ("1/2 tab"), exam grades ("2/6 murmur", "5/5 strength"), scales ("pain 3/10").
_SCALE_BEFORE = re.compile(
    r"(?i)(?<![A-Za-z])(?:pain|murmur|strength|grade|gcs|score|scale|ratio|power|reflex(?:es)?|dtr|rated|"
    r"apgar|sats?|x|of|edema|ca|mmse|moca|phq|gad|ros|was|is|pupils?|size|tumou?r|dose|"
    r"motor|sensory|rle|lle|rue|lue|g\dp\d|cultures?|cores?|lesions?|nodes?|"
    r"bipap|cpap|ipap|epap|peep|vent|ps|ac|simv|prvc|settings?)[ :=]*$"
)
_SCALE_AFTER = re.compile(
    r"(?i)^[ ]?(?:tabs?|tablets?|caps?|capsules?|mg|mcg|g|ml|units?|doses?|strength|murmur|"
    r"pain|in|inch(?:es)?|puffs?|cups?|tsp|tbsp|drops?|patch(?:es)?|pills?|sec|mm|cm|"
    r"beats|breaths|ratio|scale|bilat|throughout|hours?|hrs?|days?|weeks?|wks?|cores?|"
    r"cultures?|bottles?|sets?|ns|lobes?|vessels?|nodes?|positive|negative|pos|neg|x)"
    r"(?![A-Za-z])"  # "mg", not the "g" of "goals"
)


_MONTH = rf"{MONTH}\.?"
# A time after a month and day, which is no year nor count: "May 21, 0700-1930", "30 sep
# 0215", "Jul 12 14:30".
_TIME = r"(?:(?:[01]\d|2[0-3])[0-5]\d(?:-|(?!\d|[.,/]\d))|\d{1,2}:\d{2})"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
# A month and day without a year, either order: "Feb 6", "May 24", "25 February", "10 nov".
# Not a month word inside a longer one, not a day that is a time or goes on as a number.
_TEXT_MONTH_DAY = re.compile(
    rf"(?i)(?<![A-Za-z0-9]){_MONTH}[ ]{_DAY}(?![\d/]|\.\d|:(?![ ]+[a-z])|[ ]?%)"
    rf"(?!,?[ ](?!{_TIME})\d)"
    rf"|(?<![\d./:])\b{_DAY}[ ](?:of[ ])?{_MONTH}(?![A-Za-z])(?!,?[ ]?(?!{_TIME})\d)"
    # Wrapped after the month, where an ordinal's ending makes the day one: "May\n16th".
    rf"|(?<![A-Za-z0-9]){_MONTH}[ ]?\n(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)"
    rf"(?={CLAUSE_END})"  # ending its clause: not "May\n1st attempt"
    # Wrapped after an ordinal day and "of": "28th of\nJanuary"; a month that is a word too
    # only where its clause ends ("the 4th of\nMay be positional" is none).
    r"|(?<![\d./:])\b(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)[ ]of[ ]?\n"
    r"(?:(?i:jan(?:uary)?|feb(?:ruary)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![A-Za-z])"
    rf"|(?i:may|mar(?:ch)?)(?={CLAUSE_END}|[ ]+\d{{4}}))"
)
# A day and a month joined by a hyphen or nothing, without a year: "2-Mar", "12-jul",
# "30DEC", "4Nov" (not a lower-case month glued on, nor "1-may" and "2-mar", verbs and records).
_DAY_MONTH_JOINED = re.compile(
    rf"(?<![A-Za-z0-9./:\-])(?:0?[1-9]|[12]\d|3[01])"
    rf"(?:-(?!may|mar)(?i:{MONTH})|(?=[A-Z])(?i:{MONTH})(?<=[0-9][A-Z]{{3,9}}|[0-9][A-Z][a-z]{{2,8}}))"
    r"(?![A-Za-z0-9]|-\d|,?[ ]?\d)"
)
# A day, then a month abbreviated in lower case, closing its clause: "on 24 sep, position"
# (not "3 oct scans", "2 feb episodes"); not one that is a word there too ("2 dec, then
# stop", "then 5 aug." for Augmentin).
_WORD_MONTHS_AFTER_A_DAY = frozenset({"may", "dec", "aug"})
# Its clause closed or a time after it: "(31 mar)", "30 sep 0215".
_CLAUSE_CLOSED = re.compile(rf"[ ]*(?:[.,;:)\n]|$)|[ ]{_TIME}")
# A preposition after it, where one before the day makes a date of it: "on 2 mar for PNA";
# not "2 feb at home" (febrile episodes), "2 oct at eye clinic".
_PREPOSITION_AFTER = re.compile(r"[ ](?:for|at|to|with|in|on|and|from|until|per)(?![A-Za-z])")
_PREPOSITION_BEFORE = re.compile(r"(?<![A-Za-z])(?:on|since|from|until|by)[ ]$")
# Abbreviated months that are words or chart abbreviations too: in lower case they are
# those ("dec 2 mg", "may 3", "cont aug 2 more days", "3 oct scans", "feb 3 episodes"); in
# capitals any may be one ("MAR 2", "OCT 6 mo"). "jul 20" in lower case is a date.
_WORD_MONTHS = frozenset({"mar", "dec", "may", "sep", "oct", "aug", "feb", "apr"})
# "on the 14th", "meeting the 2nd at 1130": a day of the month named by its ordinal, ending
# its phrase or followed by a function word, a verb in the past ("the 8th showed") or a
# phone number's label and the number ("the 26th Phone 218 ..."). Before
# any other word the ordinal counts that word ("the 2nd dose", "the 4th ventricle").
_ORDINAL_DAY = re.compile(
    r"(?i)(?<![A-Za-z])the[ \n](?:[12]?\d|3[01])(?:st|nd|rd|th)"
    r"(?![ ]*(?:and|or|to|-)[ ]*\d+(?:st|nd|rd|th))"  # "the 4th and 5th ribs"
    r"(?=[ ]*(?:[.,;:)]|$|(?:and|or|at|to|w/|with|when|if|but|so|as|per|then|for|after|"
    r"before|until|unless|once|by|is|was|will|ok|okay|@|[a-z]{2,}ed)(?![A-Za-z])"
    # The next field, run on: "the 26th Phone 218 ...".
    r"|(?-i:[A-Z][a-z]+)[ ]*[:#]?[ ]*(?:\(?\d{3}\)?[ .\-])?\d{3}[ .\-]\d{4}(?!\d)))",
    re.MULTILINE,
)


# A day and a year whose month OCR lost ("[garbled] 14, 2017", "[garbled] 12. 2016").
_DAY_YEAR = re.compile(
    r"(?<![\d,./])(?:0?[1-9]|[12]\d|3[01])(?:,[ ]?|\.[ ])(?:19|20)\d{2}(?![\d])"
    r"(?![ ]?(?i:ml|cc|mg|l|units?|kcal|cal)\b)"
)


# A month spelled out and an ordinal day whose digit OCR read as a letter or split: "December
# Sth", "March lst", "May ist", "June 2Oth", "August 3 1st". The ordinal's ending makes it
# a day.
_MONTH_OCR_ORDINAL = re.compile(
    r"(?<![A-Za-z])(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)[ ](?:(?=[0-9]?[SlIOoB])[0-3SlIOo]?[0-9SlIOoB]|[0-3][ ][0-9]|i(?=st))"
    r"(?:st|nd|rd|th)(?![A-Za-z])"
)


_ON_SAT = re.compile(r"(?<![A-Za-z])(?:on|for|until|by|next|this|last)[ ]sat[ ]$")


def _after_weekday(before: str) -> bool:
    """``before`` ends with a weekday, not with "sat " in lower case (a saturation).

    Unless a word that names a day stands before it: "on sat 4/22".
    """
    weekday = _WEEKDAY_BEFORE.search(before)
    return weekday is not None and (weekday.group() != "sat " or bool(_ON_SAT.search(before)))


def _scale_before(before: str, fraction: str) -> bool:
    """The word that ends ``before`` makes ``fraction`` a score, a grade or part of a dose."""
    scale = _SCALE_BEFORE.search(before)
    if scale is None:
        return False
    return not scale.group().lower().startswith("dose") or bool(
        _COMMON_FRACTION.fullmatch(fraction)
    )


class PrintedDateRecognizer(LocalRecognizer):
    """Recognize dates extraction can parse, and month/day dates that are no fraction."""

    FULL_SCORE = 0.75
    PARTIAL_SCORE = 0.6

    def __init__(self) -> None:
        super().__init__(supported_entities=["DATE"], name="PrintedDateRecognizer")

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Every parsable date and every month/day that is not a fraction or a score."""
        results = []
        for m in _DATE.finditer(text):
            if parse_date(m.group()) is not None:
                results.append(RecognizerResult("DATE", m.start(), m.end(), self.FULL_SCORE))
        # A date the line wraps: "2nd of April," / "2023". Read as one line, same offsets.
        flat = text.replace("\n", " ")
        for m in _DATE.finditer(flat):
            if "\n" in text[m.start() : m.end()] and parse_date(m.group()) is not None:
                results.append(RecognizerResult("DATE", m.start(), m.end(), self.FULL_SCORE))
        for m in _MONTH_DAY.finditer(text):
            before = text[max(0, m.start() - 12) : m.start()]
            after = text[m.end() : m.end() + 12]
            # A weekday makes a date of what a score's word before would not ("Sat 6/22"),
            # not of a common fraction nor before a dose's word ("Mon 1/2 tab", "Sat 3/4").
            weekday = _after_weekday(before) and not _COMMON_FRACTION.fullmatch(m.group())
            if _SCALE_AFTER.search(after) or (not weekday and _scale_before(before, m.group())):
                continue
            results.append(RecognizerResult("DATE", m.start(), m.end(), self.PARTIAL_SCORE))
        for m in _TEXT_MONTH_DAY.finditer(text):
            # The month, not an ordinal's ending: "30th of November".
            words = [w for w in _WORD.findall(m.group()) if w.lower() not in _NOT_MONTH]
            month = words[0] if words else ""
            # A month abbreviated is Title case ("Dec 2"): "dec 2 mg" is a decrease and
            # "MAR 2" the administration record; "may" is a verb. Before a dose it is one.
            day_first = m.group()[0].isdigit()
            if (
                len(month) <= 4
                and not month.istitle()
                and (month.isupper() or month.lower() in _WORD_MONTHS)
                and not (
                    day_first
                    and month.islower()
                    and month not in _WORD_MONTHS_AFTER_A_DAY
                    and (
                        _CLAUSE_CLOSED.match(text, m.end())
                        or (
                            _PREPOSITION_AFTER.match(text, m.end())
                            and _PREPOSITION_BEFORE.search(text, max(0, m.start() - 8), m.start())
                        )
                    )
                )
            ):
                continue
            if _SCALE_AFTER.search(text[m.end() : m.end() + 12]):
                continue
            results.append(RecognizerResult("DATE", m.start(), m.end(), self.PARTIAL_SCORE))
        for m in _DAY_MONTH_JOINED.finditer(text):
            results.append(RecognizerResult("DATE", m.start(), m.end(), self.PARTIAL_SCORE))
        for m in _DAY_YEAR.finditer(text):
            results.append(RecognizerResult("DATE", m.start(), m.end(), self.PARTIAL_SCORE))
        for m in _MONTH_OCR_ORDINAL.finditer(text):
            results.append(RecognizerResult("DATE", m.start(), m.end(), self.PARTIAL_SCORE))
        for m in _ORDINAL_DAY.finditer(text):
            results.append(RecognizerResult("DATE", m.start(), m.end(), self.PARTIAL_SCORE))
        return results
