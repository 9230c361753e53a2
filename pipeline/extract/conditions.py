"""The ``chart2fhir_conditions_v1`` component: problems printed with an ICD-10-CM code.

"Essential (primary) hypertension (I10)", "2. Type 2 diabetes mellitus without
complications (E11.9): Continue metformin", or code first, "E78.5 Hyperlipidemia". Codes
are read on lines of problem and diagnosis sections (sections.py), and elsewhere only when
the code is listed in models/extract/conditions.json: a parenthesised code in prose ("BP
(110)") is otherwise too weak a signal. Family history sections are skipped (not the
patient's problems), as is a line that negates the problem ("Ruled out: ...", "No ...").

OCR misreads codes in predictable ways: "I10" as "110", "I48.91" as "148.91", a comma for
the point. A damaged code is repaired to the listed code it can only be; an unlisted
well-formed code is kept, with the printed text, at ``unlisted_confidence``.
"""

from __future__ import annotations

import difflib
import re

from spacy.tokens import Doc

from pipeline.codesystems import ICD10CM
from pipeline.extract.data import ConditionsData, OcrData
from pipeline.extract.findings import Findings, add_span, findings
from pipeline.extract.sections import section_at
from pipeline.extract.text import BULLET, HS, alternation
from pipeline.schema import Coding, Condition

# ICD-10-CM: a letter (U too: U07.1), two digits (the third may be a letter: C4A, M1A),
# then up to four characters after a point. The OCR forms of each position are accepted,
# then repaired.
_CODE = r"[A-Z0-9|][0-9OolIS][0-9A-Z]{1}(?:[.,][0-9A-Za-z]{1,4})?"
_LETTER = {"1": "I", "l": "I", "|": "I", "0": "O", "5": "S", "8": "B", "2": "Z", "6": "G"}
_DIGIT = {"O": "0", "o": "0", "l": "1", "I": "1", "S": "5"}
_WELL_FORMED = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?")
_PROBLEM_SECTIONS = ("problem-list-item", "encounter-diagnosis")
# Where a negation stops reaching: "Denies chest pain; Essential hypertension (I10)".
_CLAUSE = re.compile(r"[;.,]")
# Printed text and official title at least this similar (difflib ratio) name one problem.
TITLE_AGREEMENT = 0.5


def repair_code(printed: str) -> str:
    """The ICD-10-CM form of a code as OCR printed it: "148,91" -> "I48.91"."""
    head, _sep, tail = printed.replace(",", ".").partition(".")
    first = _LETTER.get(head[0], head[0].upper())
    second = _DIGIT.get(head[1], head[1])
    third = _DIGIT.get(head[2], head[2]) if len(head) > 2 else ""
    code = first + second + third
    return f"{code}.{tail.upper().replace('O', '0')}" if tail else code


class ConditionReader:
    """Finds coded problems and records them as conditions."""

    def __init__(self, data: ConditionsData, *, ocr: OcrData) -> None:
        self.codes = data.codes
        self.unlisted = data.unlisted_confidence
        self.repaired_factor = ocr.penalties.digit_repaired
        self.after = re.compile(
            # Not an area code: "(660) 591-0228" is a phone number, not G60.
            # The text stays within its clause: "Denies chest pain; Hypertension (I10)".
            rf"(?P<text>[A-Za-z][^\n\f;]*?){HS}*\({HS}*(?P<code>{_CODE}){HS}*\)"
            rf"(?![A-Za-z0-9])(?!{HS}*[-–.]?{HS}*[0-9OolIS]{{3}})"
        )
        self.before = re.compile(
            rf"(?P<code>{_CODE}){HS}*[-–:]?{HS}+(?P<text>[A-Za-z][^\n\f(]*[A-Za-z)])"
        )
        self.lead = re.compile(BULLET)
        self.negation = _cue_regex(data.negation_cues)
        self.resolved = _cue_regex(data.resolved_cues)

    def __call__(self, doc: Doc) -> Doc:
        """Add the coded problems of ``doc`` to its findings."""
        found = findings(doc)
        seen: set[str] = set()
        for line in re.finditer(r"[^\n\f]+", found.text):
            for condition in self._line(found, line.start(), line.end()):
                if condition.code.code in seen or found.is_claimed(condition.start, condition.end):
                    continue
                seen.add(condition.code.code)
                found.conditions.append(condition)
                add_span(doc, condition.start, condition.end, "CONDITION")
        return doc

    def _line(self, found: Findings, start: int, end: int) -> list[Condition]:
        text = found.text
        section = section_at(found.sections, start)
        kind = section.kind if section else None
        if kind == "family-history":
            return []
        lead = self.lead.match(text, start, end)
        body = lead.end() if lead else start
        out: list[Condition] = []
        at = start  # negation cues count from here: the line start or the previous problem
        matches = list(self.after.finditer(text, body, end))
        for i, m in enumerate(matches):
            # Cues before the problem's text, back to a clause break; the resolved cue in
            # the problem's own item, up to the next one.
            clause = _CLAUSE.split(text[at : m.start()])[-1]
            item_end = matches[i + 1].start() if i + 1 < len(matches) else end
            condition = self._condition(m, clause, text[m.start() : item_end], kind)
            if condition is not None:
                out.append(condition)
            at = m.end()
        if not out and kind in _PROBLEM_SECTIONS:
            first = self.before.match(text, body, end)
            if first is not None:
                condition = self._condition(
                    first, text[start : first.start()], text[first.start() : end], kind
                )
                if condition is not None:
                    out.append(condition)
        return out

    def _condition(
        self, m: re.Match[str], before: str, item: str, kind: str | None
    ) -> Condition | None:
        """The condition of match ``m``; ``before`` is its clause's text before it."""
        printed = m.group("code")
        code = repair_code(printed)
        if not _WELL_FORMED.fullmatch(code):
            return None
        listed = code in self.codes
        in_list = kind in _PROBLEM_SECTIONS
        # A repaired code must be a listed one ("BP (150)" is no I50); outside a problem list
        # only a listed code read as printed is trusted ("(110)" after a pulse).
        if code != printed and not listed:
            return None
        if not in_list and (not listed or code != printed):
            return None
        # Negated by a cue in its clause before it, or one its text opens with ("No ...",
        # "Ruled out: ..."); a cue inside the name ("..., no complications") is no negation.
        if self.negation.search(before) or self.negation.match(m.group("text")):
            return None
        described = " ".join(m.group("text").strip(" ,;:-").split())
        confidence = 1.0 if listed else self.unlisted
        if code != printed:
            confidence *= self.repaired_factor
        if listed and not _similar(described, self.codes[code]):
            # The text names another problem than the code does: a misread digit, or a
            # chart that coded it wrong. Either way a person decides.
            confidence = min(confidence, self.unlisted)
        category = "encounter-diagnosis" if kind == "encounter-diagnosis" else "problem-list-item"
        return Condition(
            # An unlisted code has no display: its title is not ours to give, and the printed
            # text (which may hold anything) stays in ``text``.
            code=Coding(system=ICD10CM, code=code, display=self.codes.get(code)),
            text=described,
            category=category,
            clinical_status="resolved" if self.resolved.search(item) else "active",
            start=m.start(),
            end=m.end(),
            confidence=round(confidence, 3),
        )


def _similar(printed: str, title: str) -> bool:
    """Whether printed problem text plausibly names the official title (or abbreviates it)."""
    a, b = printed.lower(), title.lower()
    if a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= TITLE_AGREEMENT


def _cue_regex(cues: tuple[str, ...]) -> re.Pattern[str]:
    if not cues:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<![A-Za-z])(?:{alternation(cues)})(?![A-Za-z])", re.IGNORECASE)
