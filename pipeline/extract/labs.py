"""The ``chart2fhir_labs_v1`` component: lab results in report tables and in notes.

A result is an analyte name followed by a number: "Glucose 182 mg/dL 70-99 H",
"Na 138, K 4.1", "A1c was 7.9%". Reference ranges ("70-99", "<200", "(0.40-4.50)") are
recognised as ranges so their numbers are never taken for the result, whichever side of
the result they are printed on.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.extract.data import LabsData, OcrData
from pipeline.extract.findings import add_span, findings
from pipeline.extract.measure import Category, Reading, observe
from pipeline.extract.text import HS, NUMBER, LabelSet, UnitTable, parse_number
from pipeline.schema import Observation

CATEGORY: Category = "laboratory"


class LabsRecognizer:
    """Finds lab results and records them as observations."""

    def __init__(self, data: LabsData, *, units: UnitTable, ocr: OcrData) -> None:
        self.specs = {spec.key: spec for spec in data.analytes}
        self.units = units
        self.penalties = ocr.penalties
        self.repairs = ocr.digit_repairs
        self.names = LabelSet.build(
            [(x, spec.key, False) for spec in data.analytes for x in spec.labels]
            + [(x, spec.key, True) for spec in data.analytes for x in spec.exact_labels],
            confusions=ocr.label_confusions,
        )
        self.name_re = re.compile(self.names.pattern)
        lab_units = {u for spec in data.analytes for u in spec.units}
        self.unit_pattern = units.regex(lab_units)
        fillers = "|".join(_words(data.fillers))
        flags = "|".join(_words(data.flags))
        # Separators, and the stray marks OCR leaves around table cells ("Sodium. 144 |").
        gap_item = (
            rf"(?:{HS}|[:;=#|,.\-–’'\"“”‘*_~+]|\([^)\n]{{0,25}}\)|(?i:{fillers})(?![A-Za-z]))"
        )
        # At most one line break between a name and its result: prose wraps, tables do not.
        gap = rf"{gap_item}*(?:\n{gap_item}*)?"
        # Between the result and its flag or unit: spaces and ruled cell borders.
        cell = rf"(?:{HS}|\|)*"
        ref_range = (
            rf"(?:[(\[]{HS}*)?(?:[<>≤≥]=?{HS}*{NUMBER}"
            rf"|{NUMBER}{HS}*(?:[-–—]|(?i:to)(?![A-Za-z])){HS}*{NUMBER})(?:{HS}*[)\]])?"
        )
        self.result = re.compile(
            rf"{gap}(?:{ref_range}(?:{HS}*{self.unit_pattern})?{HS}+)?"
            rf"(?P<v>{NUMBER})(?!{HS}*(?:[-–—]|(?i:to)(?![A-Za-z])){HS}*[0-9])"
            rf"(?:[HL*]{{1,2}}(?![A-Za-z0-9]))?"
            rf"(?:{cell}(?:{flags})(?![A-Za-z]))?"
            rf"(?:{cell}(?:\n{HS}*)?(?P<u>{self.unit_pattern}))?"
        )
        self.later_unit = re.compile(rf"(?<![A-Za-z0-9/])(?P<u>{self.unit_pattern})")

    def __call__(self, doc: Doc) -> Doc:
        """Add the lab results of ``doc`` to its findings."""
        found = findings(doc)
        text = found.text
        names = [m for m in self.name_re.finditer(text) if not found.is_claimed(m.start(), m.end())]
        consumed = 0
        for i, name in enumerate(names):
            if name.start() < consumed:
                continue  # inside the previous result (the "K" of "K/uL")
            following = names[i + 1].start() if i + 1 < len(names) else len(text)
            obs = self._result(text, name, following)
            if obs is None or found.is_claimed(obs.start, obs.end):
                continue
            consumed = obs.end
            found.observations.append(obs)
            found.claim(obs.start, obs.end)
            add_span(doc, obs.start, obs.end, "LAB_RESULT")
        return doc

    def _result(self, text: str, name: re.Match[str], following: int) -> Observation | None:
        """The result after analyte ``name``; ``following`` is where the next name starts."""
        spec = self.specs[self.names.key_of(name)]
        page_end = text.find("\f", name.end())
        m = self.result.match(text, name.end(), page_end if page_end != -1 else len(text))
        if m is None:
            return None
        number = parse_number(m.group("v"), self.repairs)
        if number is None:
            return None
        end, unit_text = m.end(), m.group("u")
        if unit_text is None:
            end = m.end("v")
            # Units printed after the reference range ("182 70-99 mg/dL"), before the next name.
            stop = _line_end(text, m.end())
            stop = min(stop, following) if following >= m.end() else stop
            later = self.later_unit.search(text, m.end(), stop)
            unit_text = later.group("u") if later else None
        confidence = self.penalties.label_variant if self.names.is_variant(name.group(0)) else 1.0
        ucum = self.units.ucum(unit_text) if unit_text else None
        return observe(
            spec,
            Reading(numbers=(number,), ucum=ucum),
            category=CATEGORY,
            start=name.start(),
            end=end,
            penalties=self.penalties,
            confidence=confidence,
        )


def _words(words: tuple[str, ...]) -> list[str]:
    """Escaped alternatives, longest first, spaces matching any horizontal whitespace."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return [re.escape(w).replace(r"\ ", f"{HS}+") for w in ordered]


def _line_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find("\n", pos), text.find("\f", pos)) if i != -1]
    return min(ends, default=len(text))
