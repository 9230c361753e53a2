"""The ``chart2fhir_sections_v1`` component: where the medication, allergy and problem lists are.

A heading is a line holding only a heading ("CURRENT MEDICATIONS", "Allergies:", "A/P"); its
section runs to the next heading, listed or not (a line in capitals with no digits ends a
section too), or to the end of the text. A heading with content after its colon on the
same line ("Allergies: NKDA") opens an inline section that ends with that line, unless
the line ends with a separator (",", ";", "-") and goes on below, or a field label
("Wt:") starts another field on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from pipeline.extract.data import SectionKind, SectionsData
from pipeline.extract.findings import findings
from pipeline.extract.text import BULLET, HS, LabelSet

# A field label that starts another field on a line ("... hives  Wt: 215 lb"); not one
# after an item separator ("...; Codeine: nausea" is an item).
FIELD_LABEL = re.compile(
    rf"(?<![;,]){HS}(?=[A-Z][A-Za-z/#.]{{0,14}}(?:{HS}[A-Za-z#.]{{1,10}})?:{HS})"
)
_CONTINUES = re.compile(r"[,;\-–]\s*$")


@dataclass(frozen=True)
class Section:
    """The text of one section: ``[start, end)`` in document offsets."""

    kind: SectionKind
    start: int
    end: int
    inline: bool = False  # the content began on the heading's line, after its colon


class SectionReader:
    """Finds section headings and records the sections they open."""

    def __init__(self, data: SectionsData, *, confusions: tuple[str, ...]) -> None:
        self.max_words = data.max_heading_words
        self.headings = LabelSet.build(
            [(h, kind, False) for kind, names in data.kinds.items() for h in names],
            confusions=confusions,
        )
        body = self.headings.pattern
        self.whole = re.compile(rf"{BULLET}(?P<h>{body}){HS}*:?{HS}*")
        self.inline = re.compile(rf"{HS}*(?P<h>{body}){HS}*:{HS}*(?=\S)")

    def __call__(self, doc: Doc) -> Doc:
        """Record the sections of ``doc`` in its findings."""
        found = findings(doc)
        found.sections = self.sections(found.text)
        return doc

    def sections(self, text: str) -> list[Section]:
        """The sections of ``text``, in order."""
        # (heading start, body start, kind or None for an unlisted heading, inline)
        starts: list[tuple[int, int, SectionKind | None, bool]] = []
        for line in re.finditer(r"[^\n\f]+", text):
            start, end = line.span()
            m = self.whole.fullmatch(text, start, end)
            if m is not None:
                starts.append((start, end, self._kind(m), False))
                continue
            m = self.inline.match(text, start, end)
            if m is not None:
                starts.append((start, m.end(), self._kind(m), True))
                continue
            open_kind = starts[-1][2] if starts else None
            # "PENICILLIN - HIVES" in an allergy list is an item, not a heading.
            if open_kind != "allergies" and self._capital_heading(text[start:end]):
                starts.append((start, end, None, False))
        out: list[Section] = []
        for i, (_head, body, kind, inline) in enumerate(starts):
            following = starts[i + 1][0] if i + 1 < len(starts) else len(text)
            if kind is None:
                continue
            end = self._inline_end(text, body, following) if inline else following
            out.append(Section(kind=kind, start=body, end=max(body, end), inline=inline))
        return out

    def _kind(self, m: re.Match[str]) -> SectionKind:
        return self.headings.key_of(m)  # type: ignore[return-value]

    def _capital_heading(self, line: str) -> bool:
        words = line.strip().rstrip(":").split()
        letters = [c for c in line if c.isalpha()]
        return (
            0 < len(words) <= self.max_words
            and len(letters) >= 5  # "NKDA" and "PLAN" (listed) are no unlisted headings
            and not any(c.isdigit() for c in line)
            and all(c.isupper() for c in letters)
        )

    @staticmethod
    def _inline_end(text: str, start: int, limit: int) -> int:
        """Where an inline section ends: its line's end, unless the line goes on."""
        at = start
        while at < limit:
            line_end = min(
                (i for i in (text.find("\n", at), text.find("\f", at)) if i != -1),
                default=len(text),
            )
            line_end = min(line_end, limit)
            field = FIELD_LABEL.search(text, at, line_end)
            if field is not None:
                return field.start()
            if not _CONTINUES.search(text, at, line_end) or text[line_end : line_end + 1] != "\n":
                return line_end
            at = line_end + 1
        return limit


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The section holding ``offset``, if any."""
    for section in sections:
        if section.start <= offset < section.end:
            return section
    return None
