"""Labels above their values: a form's header row paired with the row below, by geometry.

Registration sheets, face sheets and insurance forms print a row of field labels and the
values in the row beneath (``Last Name  First Name  MI`` over ``Kowalczyk  Teodora  R``). In
the OCR text the two rows are two lines, and no recognizer that reads ``Label: value`` sees
the pairing. The word boxes do: a value sits under its label, in the column that runs from
the label's left edge to the next header word.

A line is a header row when it holds at least two known labels (``labels.json``), is
mostly made of label words, and neither it nor the next line reads "Label: value" (a colon
ends a word), nor is the next line another row of labels. Each known label's column on the
next line, if that line lies close below, gives the value's words, which take the label's
PHI type. The label wording
decides only the type, not whether a line is a header: an unknown header word ("Marital")
still closes the column of the label before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex as re

from pipeline.deid.net import SafeWords
from pipeline.schema import OcrDocument, OcrPage, Span, Word

SCORE = 0.7
MAX_LABEL_WORDS = 4
MIN_LABELS = 2  # a header row names at least two fields
MIN_LABEL_SHARE = 0.5  # and at least half its words are label words
MAX_ROW_GAP = 2.5  # the value row starts within this many header heights below it
_STRIP = re.compile(r"^[^\w]+|[^\w]+$")
_LETTERS = re.compile(r"[^\W\d_]+")
_AGE = re.compile(r"(?:9\d|1[0-2]\d)")
_YEAR = re.compile(r"(?:18|19|20)\d{2}")
LAST_COLUMN_HEIGHTS = 8  # the last label's column reaches this many header heights past it


@dataclass(frozen=True)
class _Label:
    first: int  # index of its first word in the line
    last: int  # index of its last word in the line
    label: str  # the PHI type of its value
    name_field: bool = False  # a field that holds a name and nothing else: "First Name"


# Words of a label whose field holds a part of a name and nothing else, whatever its words
# ("Last Name" over "Golden", "First Name" over "Comfort"). Not "Patient Name" or "Printed
# Name", which may hold "Unable to obtain" or a sentence.
_NAME_PART_LABELS = frozenset(
    {"first", "last", "middle", "given", "family", "surname", "forename", "forenames", "maiden"}
)
_ONE_WORD_NAME_LABELS = frozenset({"surname", "forename", "forenames"})


def label_table(groups: dict[str, Iterable[str]]) -> dict[tuple[str, ...], str]:
    """Label phrases as word tuples ("last name" -> ("last", "name")) mapped to a PHI type."""
    table: dict[tuple[str, ...], str] = {}
    for label, phrases in groups.items():
        for phrase in phrases:
            key = tuple(w for w in (_normal(p) for p in phrase.split()) if w)
            if key and len(key) <= MAX_LABEL_WORDS:
                table.setdefault(key, label)
    return table


def paired_values(
    doc: OcrDocument, table: dict[tuple[str, ...], str], *, safe: SafeWords
) -> list[Span]:
    """Spans, in document offsets, for the values under the labels of every header row.

    Args:
        doc: the OCR document, with word boxes.
        table: from :func:`label_table`.
        safe: the safety net's vocabularies: under a name label, a title or credential
            ("MD") is no value, nor a safe word that is no name ("Hypertension" under
            "Father" in a family history table); "Young" under "Last Name" is.

    """
    spans: list[Span] = []
    for page, start in zip(doc.pages, doc.page_starts(), strict=True):
        for word, lb in _page_values(page, table):
            label = lb.label
            if label == "PERSON" and not _name_value(word.text, safe, any_word=lb.name_field):
                continue
            spans.append(
                Span(start=start + word.start, end=start + word.end, label=label, score=SCORE)
            )
    return spans


def _normal(word: str) -> str:
    return _STRIP.sub("", word).lower()


def _lines(page: OcrPage) -> list[list[Word]]:
    by_line: dict[int, list[Word]] = {}
    for word in page.words:
        by_line.setdefault(word.line, []).append(word)
    lines = [sorted(ws, key=lambda w: w.box.x0) for _, ws in sorted(by_line.items())]
    return [line for line in lines if line]


def _labels_in(line: list[Word], table: dict[tuple[str, ...], str]) -> list[_Label]:
    """Known labels in ``line``, longest first from left to right."""
    words = [_normal(w.text) for w in line]
    found, i = [], 0
    while i < len(words):
        for n in range(min(MAX_LABEL_WORDS, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            label = table.get(key)
            if label is not None:
                named = label == "PERSON" and bool(_NAME_PART_LABELS & set(key))
                # "Last" alone may head a dose's column; "Surname" alone is a name's.
                named = named and (n >= 2 or key[0] in _ONE_WORD_NAME_LABELS)
                found.append(_Label(first=i, last=i + n - 1, label=label, name_field=named))
                i += n
                break
        else:
            i += 1
    return found


def _page_values(page: OcrPage, table: dict[tuple[str, ...], str]) -> list[tuple[Word, _Label]]:
    lines = _lines(page)
    values: list[tuple[Word, _Label]] = []
    for header, below in zip(lines, lines[1:], strict=False):
        labels = _labels_in(header, table)
        label_words = sum(lb.last - lb.first + 1 for lb in labels)
        if len(labels) < MIN_LABELS or label_words < MIN_LABEL_SHARE * len(header):
            continue
        if _inline(header) or _inline(below) or len(_labels_in(below, table)) >= MIN_LABELS:
            continue  # "Patient: ... MRN: ...", or a second row of labels: no grid
        height = max(1, max(w.box.y1 - w.box.y0 for w in header))
        top = min(w.box.y0 for w in below)
        if top < max(w.box.y1 for w in header) - height // 2:
            continue  # the next line is beside the header, not below it
        if top - max(w.box.y1 for w in header) > MAX_ROW_GAP * height:
            continue
        for lb in labels:
            left = header[lb.first].box.x0 - height
            # A mark after the label is the label's ("SOC. SEC. #"): the next word closes it.
            after = next(
                (j for j in range(lb.last + 1, len(header)) if _normal(header[j].text)), None
            )
            if after is not None:
                right = header[after].box.x0 - height // 2
            else:  # the last column: as wide as its label, and a long value's start
                right = header[lb.last].box.x1 + LAST_COLUMN_HEIGHTS * height
            for word in below:
                if not left <= (word.box.x0 + word.box.x1) // 2 < right:
                    continue
                if _fits(word.text, lb.label):
                    values.append((word, lb))
    return values


def _name_value(text: str, safe: SafeWords, *, any_word: bool = False) -> bool:
    """Whether a word under a name label can be the name.

    One with digits can, or one with a part no list shows safe or that is a name ("Young");
    not "CARBIDOPA-LEVODOPA" under "Last Dose". Under a field that holds only a name
    (``any_word``: "First Name"), any word but a title or credential is one ("Comfort").
    """
    core = _normal(text)
    if core in safe.honorifics:
        return False
    parts = _LETTERS.findall(core)
    if not parts or any(c.isdigit() for c in core):
        return True
    if any_word and not text.islower() and core not in safe.stop:
        return True
    return any(not safe.is_safe(p) or safe.could_be_name(p) for p in parts)


def _inline(line: list[Word]) -> bool:
    """A line of "Label: value" fields: a word ends with a colon."""
    return any(w.text.endswith(":") for w in line)


def _fits(text: str, label: str) -> bool:
    """Whether a value word can be PHI of that type (an age under 90 is not)."""
    core = _normal(text)
    if not core:
        return False
    if label == "AGE":
        return _AGE.fullmatch(core) is not None
    if label == "PERSON":
        return any(c.isalpha() for c in core)  # "25/100" in a name column is a dose
    if label == "DATE":
        # A year alone is no date element Safe Harbor removes ("Onset" over "2019").
        return any(c.isdigit() for c in core) and _YEAR.fullmatch(core) is None
    return True
