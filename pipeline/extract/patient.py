"""The ``chart2fhir_patient_v1`` component: demographics printed on the chart.

Reads the MRN, the name, the sex and (from the dates component's ``birth`` mentions) the
birth date. The first plausible value of each wins: chart headers repeat them on every
page, and a later mismatch is more often OCR damage than a second patient.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.extract.data import Gender, PatientData
from pipeline.extract.findings import add_span, findings
from pipeline.extract.text import HS, LabelSet
from pipeline.schema import Patient

# An MRN: letters, digits and hyphens, with at least four digits ("A123-4567").
_MRN_VALUE = r"(?P<v>[A-Za-z0-9][A-Za-z0-9\-]{2,24}[A-Za-z0-9])(?![A-Za-z0-9\-])"
_NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-.]*,?")
# "Patient SMITH, JOHN" without a colon is still a name when printed as LAST, FIRST.
_LAST_FIRST = re.compile(r"[A-Z][A-Z'’\-]+,[^\S\n]*[A-Z][A-Za-z'’\-]+")


class PatientReader:
    """Finds MRN, name and sex after their labels."""

    def __init__(self, data: PatientData, *, confusions: tuple[str, ...]) -> None:
        mrn = LabelSet.build([(x, "mrn", False) for x in data.mrn_labels], confusions=confusions)
        names = LabelSet.build([(x, "name", False) for x in data.name_labels], confusions=())
        parts = LabelSet.build(
            [(x, "family", False) for x in data.family_labels]
            + [(x, "given", False) for x in data.given_labels],
            confusions=(),
        )
        sex = LabelSet.build([(x, "sex", False) for x in data.sex_labels], confusions=confusions)
        self.mrn_re = re.compile(
            rf"{mrn.pattern}(?:{HS}*\([^)\n]{{0,20}}\))?{HS}*[:#.]?{HS}*(?:#{HS}*)?{_MRN_VALUE}"
        )
        self.name_re = re.compile(rf"{names.pattern}(?P<sep>{HS}*[:;]|{HS}+)(?=(?P<rest>[^\n\f]*))")
        self.parts = parts
        self.part_re = re.compile(rf"{parts.pattern}{HS}*[:;](?=(?P<rest>[^\n\f]*))")
        self.sex_re = re.compile(
            rf"{sex.pattern}(?:{HS}*[:;#.,]){{0,2}}{HS}*(?P<v>[A-Za-z][A-Za-z\-]*)"
        )
        self.qualifiers = frozenset(q.lower() for q in data.name_label_qualifiers)
        self.headings = frozenset(q.lower() for q in data.heading_qualifiers)
        self.field_words = frozenset(w.lower().strip(".") for w in data.field_words)
        self.genders = data.genders

    def __call__(self, doc: Doc) -> Doc:
        """Set ``findings(doc).patient`` from the text and the birth-date mentions."""
        found = findings(doc)
        text = found.text
        mrn = self._mrn(doc, text)
        family, given = self._name_parts(doc, text)
        if family is None and not given:
            family, given = self._name(doc, text)
        birth = next((d.iso for d in found.dates if d.role == "birth"), None)
        found.patient = Patient(
            mrn=mrn, family=family, given=given, birth_date=birth, gender=self._sex(text)
        )
        return doc

    def _mrn(self, doc: Doc, text: str) -> str | None:
        for m in self.mrn_re.finditer(text):
            value = m.group("v")
            if sum(c.isdigit() for c in value) >= 4:
                add_span(doc, m.start("v"), m.end("v"), "MRN")
                return value
        return None

    def _sex(self, text: str) -> Gender | None:
        for m in self.sex_re.finditer(text):
            value = m.group("v").lower()
            gender = self.genders.get(value)
            if gender is None:
                # A value one OCR slip away from a known one ("Maie" for "Male", "Fr" for "F").
                near = {g for k, g in self.genders.items() if _one_edit(value, k)}
                gender = near.pop() if len(near) == 1 else None
            if gender is not None:
                return gender
        return None

    def _name(self, doc: Doc, text: str) -> tuple[str | None, tuple[str, ...]]:
        """A whole name after "Patient:" or "Name:", as LAST, FIRST or First Last."""
        for m in self.name_re.finditer(text):
            if self._someone_else(text, m.start()):
                continue
            rest = m.group("rest")
            if not m.group("sep").strip() and not _LAST_FIRST.match(rest):
                continue
            tokens, end = self._value_tokens(rest, keep=2)
            parsed = _split_name(tokens)
            if parsed is not None:
                add_span(doc, m.start("rest"), m.start("rest") + end, "PERSON")
                return parsed
        return None, ()

    def _name_parts(self, doc: Doc, text: str) -> tuple[str | None, tuple[str, ...]]:
        """The name from separate "Last Name:" and "First Name:" fields of a form."""
        family: str | None = None
        given: tuple[str, ...] = ()
        for m in self.part_re.finditer(text):
            key = self.parts.key_of(m)
            if (family if key == "family" else given) or self._someone_else(text, m.start()):
                continue
            tokens, end = self._value_tokens(m.group("rest"), keep=1)
            words = [_case(t) for t in tokens if _case(t)]
            if not words:
                continue
            add_span(doc, m.start("rest"), m.start("rest") + end, "PERSON")
            if key == "family":
                family = " ".join(words)
            else:
                given = tuple(words)
        return family, given

    def _someone_else(self, text: str, start: int) -> bool:
        """Whether the label names someone else's name.

        "Provider Name:" (a qualifier word just before the label), or a label opening a line
        under a heading such as "Emergency Contact:".
        """
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start].split()
        if before:
            return before[-1].lower().strip(".:,") in self.qualifiers
        previous = text[:line_start].rstrip().rsplit("\n", 1)[-1].strip()
        if previous.endswith(":"):
            words = {w.lower().strip(".:,()") for w in previous.split()}
            return bool(words & self.headings)
        return False

    def _value_tokens(self, rest: str, *, keep: int) -> tuple[list[str], int]:
        """The name tokens at the start of ``rest`` and where they end in it.

        The value ends at a token ending in a colon (the next field's label), a token with
        digits, or a column gap. Trailing field words, the start of the next label
        ("Admission" of "Admission Date:"), are dropped while ``keep`` tokens remain.
        """
        tokens: list[tuple[str, int]] = []
        end = 0
        for m in re.finditer(r"\S+", rest):
            gap = rest[end : m.start()]
            word = m.group(0)
            if tokens and ("\t" in gap or len(gap) >= 3):
                break
            if word.endswith(":") or not _NAME_TOKEN.fullmatch(word):
                break
            if word.strip(".,").lower() in self.field_words and len(tokens) >= keep:
                break
            tokens.append((word, m.end()))
            end = m.end()
            if len(tokens) == 5:
                break
        while len(tokens) > keep and tokens[-1][0].strip(".,").lower() in self.field_words:
            tokens.pop()
        return [t for t, _end in tokens], (tokens[-1][1] if tokens else 0)


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one substitution, insertion or deletion."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _split_name(tokens: list[str]) -> tuple[str | None, tuple[str, ...]] | None:
    """``LAST, FIRST M`` or ``First M Last`` as (family, given), in Title Case."""
    if not tokens:
        return None
    joined = " ".join(tokens)
    if "," in joined:
        family_part, _, given_part = joined.partition(",")
        family_words = family_part.split()
        given_words = given_part.replace(",", " ").split()
    else:
        family_words, given_words = tokens[-1:], tokens[:-1]
    family = " ".join(_case(w) for w in family_words) or None
    given = tuple(_case(w) for w in given_words)
    given = tuple(g for g in given if g)
    if family is None or not given:
        return None
    return family, given


def _case(word: str) -> str:
    """Title-case a word printed all upper or all lower; keep mixed case (McDonald)."""
    word = word.strip(".,")
    if word.isupper() or word.islower():
        return word.title()
    return word
