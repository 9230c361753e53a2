"""Regex building blocks shared by the recognizers.

Recognizers that need case to tell a name from a word ("Harrison" vs "harrison") compile
case-sensitively (``CASE_SENSITIVE``) and spell out case-insensitive parts such as labels with
``(?i:...)``. Labels are matched in a variable-length look-behind (the ``regex`` module, which
presidio uses, supports it), so a result covers only the value, never the label.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex as re

# presidio's default flags include IGNORECASE, which would let "margaret" match a name pattern.
CASE_SENSITIVE = re.MULTILINE
CASE_INSENSITIVE = re.MULTILINE | re.IGNORECASE

# Horizontal space only: a label and its value are on the same line.
SP = r"[ \t]"
# A table rule that OCR read as "|" between a label and its value ("Patient: | Martinez").
BAR = rf"(?:\|{SP}*)?"
# Between an identifier label and its value: "MRN: ", "Med Rec #: ", "MRN (office use): ",
# and the specks a faxed page adds there ("MR#: . 4432", "MRN: , 4432", "MRN: = 4432").
ID_SEPARATOR = (
    rf"{SP}*(?:\([A-Za-z ]{{1,20}}\){SP}*)?[:#.\-]{{0,2}}{SP}*(?:[.,;:'°~_=\-]{SP}+){{0,2}}{BAR}"
)
# Between a city and its state: spaces, or a line break after the comma (OCR may break the
# line there; without the comma, the next line is as likely another column).
ADDRESS_GAP = r"(?:,[ \t]*\n[ \t]*|,?[ \t]+)"

# A US ZIP code as a faxed page prints it after "City, ST": five digits, or five or six
# characters with at least three digits and the rest upper-case letters or "?" that OCR read
# for a digit ("SC692?"), perhaps with its four more ("S6335-3715"). Only ever used after a
# city, a comma and a state-shaped token.
NOISY_ZIP = (
    r"(?:\d{5}|(?=(?:[A-Z?]*\d){3})[0-9A-Z?]{5,6})(?:-(?=(?:[A-Z?]*\d){3})[0-9A-Z?]{4})?"
    r"(?![\w\-?])"
)
# A state code OCR garbled into a code that is no state ("RE", "CH", "fN"): two letters, one
# at least upper case. Only ever used between "City," and a ZIP.
NOISY_STATE = r"(?:[A-Z][A-Za-z]|[a-z][A-Z])"

# One word of a name: "Harrison", "HARRISON", "McDonald", "O'Brien", "Smith-Jones".
NAME_WORD = (
    r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?|[A-Z]{2,}|[A-Z]'[A-Z][A-Za-z]+)"
    r"(?:-(?:[A-Z]?[a-z]+|[A-Z]{2,}))?"  # "Adebayo-Hart", "Seo-yeon"
)
UPPER_WORD = r"(?:[A-Z]{2,}(?:['-][A-Z]{2,})?|[A-Z]'[A-Z]{2,})"
# Where a clause ends: its punctuation or the line's end, after spaces.
CLAUSE_END = r"[ ]*(?:[.,;:)]|$)"
# An initial; "l." is how OCR reads a capital I with its dot ("Rose l., RN").
INITIAL = r"(?:[A-Z]\.?|l\.)(?![A-Za-z])"
# "Page 2" is a page number, not a surname.
NOT_PAGE = r"(?!(?i:page)[ \t]+\d)"


def alternation(items: Iterable[str], *, ignore_case: bool = False) -> str:
    """A non-capturing alternation of literal items, longest first; spaces match runs of spaces.

    Args:
        items: literal strings (labels, suffixes).
        ignore_case: wrap the group in ``(?i:...)``.

    """
    unique = sorted({i for i in items if i}, key=lambda s: (-len(s), s))
    escaped = [re.escape(i).replace(r"\ ", SP + "+") for i in unique]
    body = "|".join(escaped)
    return f"(?i:{body})" if ignore_case else f"(?:{body})"


def either_case(words: Iterable[str]) -> str:
    """An alternation of each word in Title case and in UPPER case ("Street", "STREET")."""
    forms: set[str] = set()
    for w in words:
        forms.add(w)
        forms.add(w.upper())
        forms.add(w[:1].upper() + w[1:])
    return alternation(forms)


def label_lookbehind(labels: Iterable[str], *, separator: str) -> str:
    """A look-behind for ``LABEL<separator>`` where the label starts at a word boundary."""
    return rf"(?<=(?<![A-Za-z0-9]){alternation(labels, ignore_case=True)}{separator})"


def not_words(words: Iterable[str]) -> str:
    """A negative look-ahead refusing any of ``words`` (any case) as the next whole word."""
    return rf"(?!{alternation(words, ignore_case=True)}(?![A-Za-z]))"


def person_name(stop: str, *, max_words: int = 4) -> str:
    """A person name: words and initials separated by one space or a comma.

    Args:
        stop: a negative look-ahead (from :func:`not_words`) for words that end a name,
            such as form labels ("MRN") and credentials ("MD").
        max_words: the most words and initials in one name.

    """
    # A word directly followed by a colon is the next field's label ("Kenneth Powell Room:"),
    # and so is an abbreviation with a lower-case word after it ("M. Kale Reg. date:"; not
    # "Dr. Hope Long. Phone:", where a sentence ends).
    not_label = rf"(?![A-Za-z'\-]+[ \t]*:)(?![A-Za-z]+\.[ \t]+[a-z]+[ \t]*:){NOT_PAGE}"
    not_suffix = r"(?!(?:Jr|Sr|JR|SR)\.?(?![A-Za-z]))"
    part = rf"(?:{stop}{not_label}{not_suffix}(?:{NAME_WORD}|{INITIAL}))"
    suffix = r"(?:,?[ ](?:Jr|Sr|JR|SR|II|III|IV)\.?(?![A-Za-z]))?"
    return rf"{part}(?:(?:,[ ]{{0,2}}|[ ]){part}){{0,{max_words - 1}}}{suffix}"


def lower_first_name(stop: str, credentials: Iterable[str]) -> str:
    """A name whose first word OCR read in lower case ("whitney Cain"), ending its field.

    Only two words, and only where the field plainly ends after the capitalised one: a
    credential after a comma (", RN"), the end of the line, a wide gap or a table rule, or
    the next field's label ("whitney Cain DOB:"). So "seen by: pharmacy Staff today" is not
    a name, and ordinary leading words are trimmed off by ``NameRecognizer``.

    Args:
        stop: a negative look-ahead (from :func:`not_words`) for words that are no name.
        credentials: the credentials that may follow the name after a comma.

    """
    credential = alternation(credentials, ignore_case=True)
    field_end = (
        rf"(?=,{SP}*{credential}(?![A-Za-z])|{SP}*(?:$|\f|\||{SP}{{2}})"
        rf"|{SP}+[A-Za-z][A-Za-z ]{{0,24}}:)"
    )
    return rf"{stop}[a-z]{{2,}}[ ]{stop}{NOT_PAGE}{NAME_WORD}{field_end}"
