"""The ``chart2fhir_medications_v1`` component: medication lines in medication sections.

A medication is a drug name followed by its strength, then optionally a dose form, route
and frequency: "Metformin 500 mg PO BID", "- Albuterol HFA 90 mcg 2 puffs INH q4h PRN
wheeze", a table row "Lisinopril 20 mg PO daily Hypertension 2018-05-30", or one of several
on a line separated by semicolons. Only sections headed as medication lists are read
(sections.py); a "Discontinued Medications" section gives stopped medications. A date on
the line is when it was started (or stopped).

A listed drug name (models/extract/medications.json) gets its RxNorm ingredient code; one
whose only damage is OCR's confusions (l/I/1, o/O/0) gets it at lower confidence; any other
name is kept as printed, uncoded, at ``unlisted_confidence`` so a reviewer sees it (no
closest-name guessing: Prednisolone is not Prednisone).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.codesystems import RXNORM, SNOMED
from pipeline.extract.data import MedicationsData, OcrData, Penalties
from pipeline.extract.dates import DATE, parse_date
from pipeline.extract.findings import add_span, findings
from pipeline.extract.sections import Section
from pipeline.extract.text import (
    BULLET,
    NUMBER,
    LabelSet,
    alternation,
    name_confusions,
    normalise_label,
    parse_number,
)
from pipeline.schema import Coding, Medication, Quantity, Timing

# A name word: a letter, then letters or digits ("Vitamin D3"), with inner hyphens or
# slashes ("Lisinopril/HCTZ"); short form words ("HFA", "ER", "XL") too.
_NAME_WORD = r"[A-Za-z][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*"
_ITEM_START = re.compile(BULLET)


class MedicationReader:
    """Finds medication lines and records them as medications."""

    def __init__(self, data: MedicationsData, *, ocr: OcrData) -> None:
        self.penalties: Penalties = ocr.penalties
        self.repairs = ocr.digit_repairs
        self.unlisted = data.unlisted_confidence
        self.drugs = {normalise_label(d.name): d for d in data.drugs}
        self.by_name = {normalise_label(n): d for d in data.drugs for n in (d.name, *d.synonyms)}
        self.names = LabelSet.build(
            [
                (n, normalise_label(d.name), False)
                for d in data.drugs
                for n in (d.name, *d.synonyms)
            ],
            confusions=name_confusions(ocr.label_confusions),
        )
        self.units = {k.lower(): v for k, v in data.strength_units.items()}
        self.forms = {k.lower(): v for k, v in data.dose_forms.items()}
        self.routes = {
            normalise_label(p): (key, spec)
            for key, spec in data.routes.items()
            for p in spec.printed
        }
        self.frequencies = {normalise_label(k): v for k, v in data.frequencies.items()}
        units = alternation(data.strength_units)
        forms = alternation(data.dose_forms)
        printed_routes = [p for spec in data.routes.values() for p in spec.printed]
        # Abbreviations ("PR", "SL") only in capitals: "in the morning" is no nasal route.
        short = alternation(p for p in printed_routes if p.isupper() and len(p) <= 3)
        long = alternation(p for p in printed_routes if not (p.isupper() and len(p) <= 3))
        routes = f"{short}|(?i:{long})"
        freqs = alternation(data.frequencies)
        prn = alternation(data.as_needed)
        reasons = alternation(data.as_needed_reasons)
        # A wrapped line continues the item above when it starts with a unit ("mg PO daily").
        self.continuation = re.compile(rf"(?i:{units}|{forms})(?![A-Za-z0-9])")
        word_end = r"(?![A-Za-z0-9])"
        ws = r"\s"  # an item may wrap onto the next line ("12.5" / "mg PO daily")
        self.line = re.compile(
            rf"(?P<name>{_NAME_WORD}(?:{ws}+{_NAME_WORD}){{0,4}}?),?{ws}+"
            # Not a concentration: "140 mEq/L" is a lab result.
            rf"(?P<strength>(?P<n>{NUMBER}){ws}*(?P<u>(?i:{units})){word_end}(?!/)"
            rf"(?:{ws}+(?P<count>[0-9]+){ws}*(?P<form>(?i:{forms})){word_end})?)"
            rf"(?:{ws}+(?P<route>{routes}){word_end})?"
            rf"(?:{ws}+(?P<freq>(?i:{freqs})){word_end})?"
            rf"(?:{ws}+(?P<prn>(?i:{prn})){word_end}(?:{ws}+(?P<reason>(?i:{reasons})){word_end})?)?"
        )
        self.date = re.compile(DATE)
        self.name_re = re.compile(self.names.pattern)

    def __call__(self, doc: Doc) -> Doc:
        """Add the medications of ``doc``'s medication sections to its findings."""
        found = findings(doc)
        for section in found.sections:
            if section.kind not in ("medications", "medications-stopped"):
                continue
            for start, end in _items(found.text, section, self.continuation):
                med = self._medication(found.text, start, end, section)
                if med is not None and not found.is_claimed(med.start, med.end):
                    found.medications.append(med)
                    found.claim(med.start, med.end)
                    add_span(doc, med.start, med.end, "MEDICATION")
        return doc

    def _medication(self, text: str, start: int, end: int, section: Section) -> Medication | None:
        m = self.line.match(text, start, end)
        if m is None:
            return None
        number = parse_number(m.group("n"), self.repairs)
        if number is None:
            return None
        printed = " ".join(m.group("name").split())
        code, confidence = self._code(printed)
        unit = self.units[m.group("u").lower()]
        dose = Quantity(value=number.value, unit=unit)
        if m.group("form"):
            dose = Quantity(value=float(m.group("count")), unit=self.forms[m.group("form").lower()])
        route = None
        if m.group("route"):
            _key, spec = self.routes[normalise_label(m.group("route"))]
            route = Coding(system=SNOMED, code=spec.code, display=spec.display)
        timing = freq = None
        if m.group("freq"):
            freq = " ".join(m.group("freq").split())
            spec_f = self.frequencies[normalise_label(freq)]
            timing = Timing(
                frequency=spec_f.frequency,
                period=spec_f.period,
                period_unit=spec_f.unit,
                when=spec_f.when,
            )
        as_needed = None
        if m.group("prn"):
            as_needed = m.group("reason") or m.group("prn")
        rest = self.date.search(text, m.end(), end)
        date = parse_date(rest.group(0)) if rest else None
        if number.repaired:
            confidence *= self.penalties.digit_repaired
        return Medication(
            text=printed,
            code=code,
            dose=dose,
            strength=" ".join(m.group("strength").split()),
            sig=" ".join(text[m.start("strength") : m.end()].split()),
            route=route,
            frequency=freq,
            timing=timing,
            as_needed=as_needed,
            status="stopped" if section.kind == "medications-stopped" else "active",
            date=date,
            start=m.start(),
            end=rest.end() if rest else m.end(),
            confidence=round(confidence, 3),
        )

    def _code(self, printed: str) -> tuple[Coding | None, float]:
        """The RxNorm coding of a printed name and the confidence in it."""
        key = normalise_label(printed)
        drug = self.by_name.get(key)
        confidence = 1.0
        if drug is None:
            # Only OCR's confusions (l/I/1, o/O/0): a looser match would code Prednisolone
            # as Prednisone.
            m = self.name_re.fullmatch(printed)
            if m is not None:
                drug, confidence = self.drugs[self.names.key_of(m)], self.penalties.label_variant
        if drug is None:
            return None, self.unlisted
        return Coding(system=RXNORM, code=drug.rxnorm, display=drug.name), confidence


def _items(text: str, section: Section, continuation: re.Pattern[str]) -> list[tuple[int, int]]:
    """The item spans of a medication section: one per line or per ';'-separated part.

    A line that starts with a unit continues the item above ("... Hydrochlorothiazide
    12.5" / "mg PO daily"); the line break is then inside the item. A blank line ends the
    section: what follows is no longer the list.
    """
    spans: list[tuple[int, int]] = []
    body = text[section.start : section.end]
    blank = re.search(r"\n[^\S\n\f]*\n", body.lstrip("\n"))
    if blank is not None:
        body = body[: len(body) - len(body.lstrip("\n")) + blank.start()]
    for line in re.finditer(r"[^\n\f]+", body):
        start, end = section.start + line.start(), section.start + line.end()
        lead = _ITEM_START.match(text, start, end)
        first = lead.end() if lead else start
        bulleted = lead is not None and bool(lead.group(0).strip())
        if spans and not bulleted and continuation.match(text, first, end):
            spans[-1] = (spans[-1][0], end)
            continue
        spans.append((first, end))
    items: list[tuple[int, int]] = []
    for start, end in spans:
        at = start
        for sep in re.finditer(";", text[start:end]):
            items.append((at, start + sep.start()))
            at = start + sep.end()
        items.append((at, end))
    return [
        (s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in items if text[s:e].strip()
    ]
