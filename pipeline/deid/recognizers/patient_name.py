"""Patient names in labelled fields: "Patient: HARRISON, MARGARET", "Name: Margaret Harrison"."""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NAME_TOKEN, NameRecognizer, labelled_name_parts
from pipeline.deid.recognizers.patterns import (
    BAR,
    SP,
    alternation,
    label_lookbehind,
)

# Internal entity: a PERSON found in a patient field. detect.find_phi reports it as PERSON and
# uses its words to find the patient's name everywhere else in the document.
PATIENT_NAME = "PATIENT_NAME"
# Surname, comma, given name, perhaps an initial: "HOPE, Ruby", "Stone, Faith A."
_INVERTED = re.compile(r"[A-Z][A-Za-z'\-]+,[ ]?[A-Z][A-Za-z'\-]+(?:[ ][A-Z]\.?)?")


class PatientNameRecognizer(NameRecognizer):
    """Recognize the patient's name after a patient label.

    "Name:" alone is taken only at the start of a line or cell, so that "Drug Name:" or
    "Test Name:" are not read as patient fields. A word that is a name and a word right
    after the label is the name's ("PATIENT: WILL ADEMILUYI"), not a sentence's to trim.
    """

    SCORE = 0.9

    def __init__(self, assets: DeidAssets) -> None:
        title, name, lower_first = labelled_name_parts(assets)
        field = label_lookbehind(
            assets.label_list("patient_name_labels"), separator=rf"{SP}*[:\-]{SP}*{BAR}{title}"
        )
        line_start = alternation(assets.label_list("line_start_name_labels"), ignore_case=True)
        at_line_start = rf"(?<=(?:^|\f|{SP}{{2}}|\|){SP}*{line_start}{SP}*:{SP}*{title})"
        super().__init__(
            supported_entity=PATIENT_NAME,
            patterns=[
                Pattern("patient field", field + name, self.SCORE),
                Pattern("name field", at_line_start + name, self.SCORE),
                Pattern("patient field, first name lower case", field + lower_first, self.SCORE),
                Pattern(
                    "name field, first name lower case", at_line_start + lower_first, self.SCORE
                ),
            ],
            words=assets.words,
            name="PatientNameRecognizer",
        )
        self._safe = assets.safe_words

    def _inverted(self, value: str) -> bool:
        """A name printed surname first, its comma, the given name: "HOPE, Ruby".

        After a patient's label it is the name, whatever its words are, unless they are
        terms we chose ("Pt: Stable, alert").
        """
        return _INVERTED.fullmatch(value) is not None and not any(
            w.lower() in self._safe.curated and not self._safe.could_be_name(w)
            for w in NAME_TOKEN.findall(value)
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Keep an inverted name of plain words ("HOPE, Ruby"); refuse as names do else."""
        if self._inverted(pattern_text):
            return False
        return super().invalidate_result(pattern_text)

    def _trimmed_start(self, text: str, start: int, end: int) -> int | None:
        """Keep a first word that is also a name, joined to a word no list holds.

        "PATIENT: WILL ADEMILUYI" keeps "WILL"; "Pt: Reports Sharp pain" loses "Reports";
        an inverted name keeps its surname ("PATIENT: HOPE, Ruby").
        """
        if self._inverted(text[start:end]):
            return start
        words = list(NAME_TOKEN.finditer(text, start, end))
        if (
            len(words) >= 2
            and not words[0].group().islower()
            and text[words[0].end() : words[1].start()] == " "
            and self._safe.could_be_name(words[0].group())
            and not self._safe.is_safe(words[1].group())
        ):
            return words[0].start()
        return super()._trimmed_start(text, start, end)
