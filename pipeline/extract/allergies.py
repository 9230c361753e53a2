"""The ``chart2fhir_allergies_v1`` component: allergy lists and statements of no allergy.

Read in allergy sections (sections.py), headed ("ALLERGIES" on its own line) or inline
("Allergies: NKDA"). Items are separated by ";" or ","; each is "<substance> - <reaction>",
"<substance> (<reaction>)", "<substance>: <reaction>" or "<substance>". "NKDA", "No known
allergies" and their kin become one no-known-allergy item. A section stops at a page break
and at a line holding digits (a footer, a vitals field): allergy lists print none.

A listed substance (models/extract/allergies.json) gets its code and category; a listed
reaction its SNOMED CT code. An unlisted substance is kept as printed, uncoded, at
``unlisted_confidence``.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.codesystems import RXNORM, SNOMED
from pipeline.extract.data import AllergiesData, OcrData, SubstanceSpec
from pipeline.extract.findings import add_span, findings
from pipeline.extract.sections import Section
from pipeline.extract.text import HS, LabelSet, name_confusions, normalise_label
from pipeline.schema import Allergy, Coding
from pipeline.schema import AllergyCategory as Category

SYSTEMS = {"rxnorm": RXNORM, "snomed": SNOMED}
# Items are split at ";" or ","; OCR reads ";" as ":", so a colon followed by another
# "<substance> - <reaction>" item splits too ("Morphine - itching: Amoxicillin - hives").
_SEPARATOR = re.compile(rf"[;,]|:(?={HS}*[A-Za-z][A-Za-z ]*{HS}+[-–]{HS})")
# "- rash", ": rash", "(rash)" at the item's end; a hyphen needs a space before it, so
# "Contrast-dye" stays one substance.
_REACTION = re.compile(
    rf"(?:{HS}+[-–]|{HS}*:|{HS}*\(){HS}*(?P<r>[A-Za-z][A-Za-z '/-]*?){HS}*\)?\.?{HS}*$"
)
# A footer or a field below the list ("SMITH, JOHN MRN: 123456 Page 2 of 2", "Wt: 182 lb").
_NOT_AN_ITEM = re.compile(
    r"(?m)[0-9]{4,}|(?i:\bpage\s+[0-9]|\bMRN\b)|^[A-Z][A-Za-z]{0,10}:\s*[0-9]"
)
# An unlisted substance is a few words, no digits: anything longer is not an allergy item.
MAX_UNLISTED_WORDS = 4


class AllergyReader:
    """Finds allergy items and records them as allergies."""

    def __init__(self, data: AllergiesData, *, ocr: OcrData) -> None:
        self.unlisted = data.unlisted_confidence
        self.variant = ocr.penalties.label_variant
        confusions = name_confusions(ocr.label_confusions)
        self.no_known = LabelSet.build(
            [(p, code, False) for code, spec in data.no_known.items() for p in spec.printed],
            confusions=confusions,
        )
        self.no_known_re = re.compile(rf"{HS}*(?:{self.no_known.pattern})\.?{HS}*$")
        self.no_known_display = {code: spec.display for code, spec in data.no_known.items()}
        self.substances = LabelSet.build(
            [
                (n, str(i), False)
                for i, s in enumerate(data.substances)
                for n in (s.name, *s.synonyms)
            ],
            confusions=confusions,
        )
        self.substance_re = re.compile(self.substances.pattern)
        self.specs: list[SubstanceSpec] = list(data.substances)
        self.reactions = {
            normalise_label(p): (code, spec.display)
            for code, spec in data.reactions.items()
            for p in spec.printed
        }

    def __call__(self, doc: Doc) -> Doc:
        """Add the allergies of ``doc``'s allergy sections to its findings."""
        found = findings(doc)
        for section in found.sections:
            if section.kind != "allergies":
                continue
            for start, end in _items(found.text, section):
                allergy = self._allergy(found.text, start, end)
                if allergy is not None and not found.is_claimed(allergy.start, allergy.end):
                    found.allergies.append(allergy)
                    found.claim(allergy.start, allergy.end)
                    add_span(doc, allergy.start, allergy.end, "ALLERGY")
        return doc

    def _allergy(self, text: str, start: int, end: int) -> Allergy | None:
        m = self.no_known_re.match(text, start, end)
        if m is not None:
            situation = self.no_known.key_of(m)
            variant = self.no_known.is_variant(text[start:end].strip().rstrip("."))
            return Allergy(
                text=text[start:end].strip().rstrip("."),
                code=Coding(
                    system=SNOMED, code=situation, display=self.no_known_display[situation]
                ),
                no_known=True,
                start=start,
                end=end,
                confidence=self.variant if variant else 1.0,
            )
        reaction_m = _REACTION.search(text, start, end)
        printed = " ".join(text[start : reaction_m.start() if reaction_m else end].split())
        printed = printed.strip(" .")
        if not printed:
            return None
        reaction = reaction_m.group("r").strip() if reaction_m else None
        reaction_code = None
        if reaction is not None and normalise_label(reaction) in self.reactions:
            rcode, rdisplay = self.reactions[normalise_label(reaction)]
            reaction_code = Coding(system=SNOMED, code=rcode, display=rdisplay)
        m = self.substance_re.fullmatch(printed)
        code: Coding | None = None
        category: Category | None = None
        if m is not None:
            spec = self.specs[int(self.substances.key_of(m))]
            if spec.system is not None and spec.code is not None:
                code = Coding(system=SYSTEMS[spec.system], code=spec.code, display=spec.name)
            confidence = self.variant if self.substances.is_variant(printed) else 1.0
            category = spec.category
        elif len(printed.split()) > MAX_UNLISTED_WORDS or any(c.isdigit() for c in printed):
            return None
        else:
            confidence = self.unlisted
        return Allergy(
            text=printed,
            code=code,
            category=category,
            reaction=reaction,
            reaction_code=reaction_code,
            start=start,
            end=end,
            confidence=confidence,
        )


def _items(text: str, section: Section) -> list[tuple[int, int]]:
    """The item spans of an allergy section, up to a page break or a line with digits."""
    items: list[tuple[int, int]] = []
    body = text[section.start : section.end]
    for line in re.finditer(r"[^\n\f]*", body):
        start, end = section.start + line.start(), section.start + line.end()
        if start == end:
            # An empty line: a blank line once the list has begun ends it.
            if items and text[start - 1 : start] == "\n" and start < section.end:
                break
            continue
        if "\f" in text[section.start : start] or _NOT_AN_ITEM.search(text, start, end):
            break
        at = start
        for sep in _SEPARATOR.finditer(text, start, end):
            items.append((at, sep.start()))
            at = sep.end()
        items.append((at, end))
    out = []
    for s, e in items:
        piece = text[s:e]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            out.append((s + lead, e - trail))
    return out
