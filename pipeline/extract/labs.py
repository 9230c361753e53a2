"""The ``chart2fhir_labs_v1`` component: lab results in report tables and in notes.

A result is an analyte name followed by a number: "Glucose 182 mg/dL 70-99 H",
"Na 138, K 4.1", "A1c was 7.9%". Reference ranges ("70-99", "<200", "(0.40-4.50)") are
recognised as ranges so their numbers are never taken for the result, whichever side of
the result they are printed on, and kept as the result's reference range, in its unit.
A printed flag ("H", "L", "HH", "1.4H", "H*") becomes its v3-ObservationInterpretation
code through ``labs.json``'s flag map. No flag is worked out from the range: where none
is printed the interpretation stays None, since the lab, not a reading of its page,
decides what is abnormal. A flag the printed range contradicts ("102 * 98-107") is
dropped as a stray mark or a misread cell; a wrong flag is worse than none.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.extract.data import AnalyteSpec, LabsData, OcrData
from pipeline.extract.findings import add_span, findings
from pipeline.extract.measure import Category, Reading, observe
from pipeline.extract.text import HS, NUMBER, LabelSet, UnitTable, alternation, parse_number
from pipeline.schema import Interpretation, Observation, Quantity, ReferenceRange

CATEGORY: Category = "laboratory"
# The parts of a reference range's text, its brackets taken off: "<200", "3.5 - 5.1".
_RANGE_PARTS = re.compile(
    rf"(?P<op>[<>≤≥]=?){HS}*(?P<n>{NUMBER})"
    rf"|(?P<lo>{NUMBER}){HS}*(?:[-–—]|(?i:to)){HS}*(?P<hi>{NUMBER})"
)
_BRACKETS = "()[] \t"


class LabsRecognizer:
    """Finds lab results and records them as observations."""

    def __init__(self, data: LabsData, *, units: UnitTable, ocr: OcrData) -> None:
        self.specs = {spec.key: spec for spec in data.analytes}
        self.units = units
        self.penalties = ocr.penalties
        self.repairs = ocr.digit_repairs
        self.flag_codes = data.flags
        self.names = LabelSet.build(
            [(x, spec.key, False) for spec in data.analytes for x in spec.labels]
            + [(x, spec.key, True) for spec in data.analytes for x in spec.exact_labels],
            confusions=ocr.label_confusions,
        )
        self.name_re = re.compile(self.names.pattern)
        lab_units = {u for spec in data.analytes for u in spec.units}
        self.unit_pattern = units.regex(lab_units)
        fillers = alternation(data.fillers)
        flags = alternation(data.flags)
        # Separators, and the stray marks OCR leaves around table cells ("Sodium. 144 |").
        gap_item = (
            rf"(?:{HS}|[:;=#|,.\-–’'\"“”‘*_~+]|\([^)\n]{{0,25}}\)|(?i:{fillers})(?![A-Za-z]))"
        )
        # At most one line break between a name and its result: prose wraps, tables do not.
        gap = rf"{gap_item}*(?:\n{gap_item}*)?"
        # Between the result and its flag or unit: spaces and ruled cell borders.
        cell = rf"(?:{HS}|\|)*"
        # Not the start of a date ("03-15-2021" holds no range "03-15").
        ref_range = (
            rf"(?:[(\[]{HS}*)?(?:[<>≤≥]=?{HS}*{NUMBER}"
            rf"|{NUMBER}{HS}*(?:[-–—]|(?i:to)(?![A-Za-z])){HS}*{NUMBER})(?:{HS}*[)\]])?"
            rf"(?!{HS}*[-–—/][0-9])"
        )
        self.result = re.compile(
            rf"{gap}(?:(?P<r>{ref_range})(?:{HS}*{self.unit_pattern})?{HS}+)?"
            rf"(?P<v>{NUMBER})(?!{HS}*(?:[-–—]|(?i:to)(?![A-Za-z])){HS}*[0-9])"
            rf"(?P<g>[HL*]{{1,2}}(?![A-Za-z0-9]))?"
            rf"(?:{cell}(?P<f>{flags})(?![A-Za-z0-9]))?"
            rf"(?:{cell}(?:\n{HS}*)?(?P<u>{self.unit_pattern}))?"
        )
        # What follows the result on its row: a range (with its unit) and a flag, either
        # order. Before the range, OCR may have left a stray mark between cells ("95 mg/dL
        # . 70-99") or a unit it misread ("0.66 ing/dL 0.60-1.30"); not before a flag
        # ("Na 138, H. pylori"). A flag stands alone ("A" of "A1c" is the next name).
        flag = rf"(?P<f>{flags})(?![A-Za-z0-9])"
        stray = rf"(?:[.,;:’'‘\"“”_~]|[^\s|/]*/[^\s|]+){cell}"
        self.tail = re.compile(
            rf"{cell}(?:(?:{stray})?(?P<r>{ref_range})(?:{HS}*{self.unit_pattern})?{cell})?"
            rf"(?:{flag}(?:{cell}(?P<r2>{ref_range}))?)?"
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
        obs = observe(
            spec,
            Reading(numbers=(number,), ucum=ucum),
            category=CATEGORY,
            start=name.start(),
            end=end,
            penalties=self.penalties,
            confidence=confidence,
        )
        if obs is None or obs.quantity is None:
            return obs
        # The rest of the row up to the next name: its range and flag.
        stop = _line_end(text, m.end())
        stop = min(stop, following) if following >= m.end() else stop
        tail = self.tail.match(text, m.end(), stop)
        after = tail.groupdict() if tail else {}
        printed_range = m.group("r") or after.get("r") or after.get("r2")
        printed_flag = m.group("g") or m.group("f") or after.get("f")
        ref = self._range(printed_range, spec, obs.quantity) if printed_range else None
        flag = self.flag_codes.get(printed_flag) if printed_flag else None
        if flag is not None and ref is not None and _contradicts(flag, obs.quantity.value, ref):
            flag = None
        if ref is None and flag is None:
            return obs
        return obs.model_copy(update={"reference_range": ref, "interpretation": flag})

    def _range(self, printed: str, spec: AnalyteSpec, result: Quantity) -> ReferenceRange | None:
        """The reference range printed as ``printed``, in the unit of ``result``, or None.

        None for a range that cannot be one: bounds in the wrong order, or beyond what the
        analyte can measure in that unit (a misread cell).
        """
        text = " ".join(printed.strip(_BRACKETS).split())
        m = _RANGE_PARTS.fullmatch(text)
        if m is None:
            return None
        numbers = {k: m.group(k) for k in ("n", "lo", "hi") if m.group(k)}
        parts = {k: parse_number(v, self.repairs) for k, v in numbers.items()}
        read = {k: v for k, v in parts.items() if v is not None}
        if len(read) != len(numbers):
            return None
        values = {k: v.value for k, v in read.items()}
        for k in sorted(read, key=m.start, reverse=True):  # the repaired digits: "7O" is 70
            if read[k].repaired:
                digits = f"{read[k].value:.{read[k].decimals}f}"
                text = text[: m.start(k)] + digits + text[m.end(k) :]
        if "n" in values:
            low, high = (values["n"], None) if m.group("op")[0] in ">≥" else (None, values["n"])
        else:
            low, high = values["lo"], values["hi"]
        bounds = spec.units.get(result.unit)
        limit = bounds.range[1] if bounds is not None else None
        if (low is not None and high is not None and low > high) or (
            limit is not None and any(b is not None and b > limit for b in (low, high))
        ):
            return None
        return ReferenceRange(
            low=None if low is None else Quantity(value=low, unit=result.unit),
            high=None if high is None else Quantity(value=high, unit=result.unit),
            text=text,
        )


def _contradicts(flag: Interpretation, value: float, ref: ReferenceRange) -> bool:
    """Whether the printed range says ``value`` cannot carry ``flag``.

    Bounds count as reached (a lab flags 5.1 of "3.5-5.1" high when it measured 5.14), and
    a bound the range does not print contradicts nothing.
    """
    low = ref.low.value if ref.low is not None else None
    high = ref.high.value if ref.high is not None else None
    above = high is not None and value >= high
    below = low is not None and value <= low
    if flag in ("H", "HH"):
        return high is not None and not above
    if flag in ("L", "LL"):
        return low is not None and not below
    if flag in ("A", "AA"):
        return not (above or below)
    # "N": outside the range, not on a bound
    return (high is not None and value > high) or (low is not None and value < low)


def _line_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find("\n", pos), text.find("\f", pos)) if i != -1]
    return min(ends, default=len(text))
