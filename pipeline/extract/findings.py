"""What the components leave on a spaCy ``Doc`` for ``extract_entities`` to assemble.

Components write to one ``Doc`` extension, ``doc._.chart2fhir``, holding a ``Findings``;
they also add their evidence to ``doc.spans["chart2fhir"]`` so the results can be seen
with spaCy's own tools (displaCy, ``doc.spans``) while debugging. Nothing here leaves the
stage: ``extract_entities`` turns it into an ``Extraction``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.tokens import Doc

from pipeline.extract.data import DateRole
from pipeline.schema import PAGE_BREAK, Allergy, Condition, Medication, Observation, Patient

if TYPE_CHECKING:
    from pipeline.extract.sections import Section

EXTENSION = "chart2fhir"
SPANS_KEY = "chart2fhir"


@dataclass(frozen=True)
class DateMention:
    """A labelled date: the span covers the label and the date."""

    start: int
    end: int
    iso: str
    role: DateRole
    top_only: bool = False  # a bare "Date:" label, trusted only near the top of a page


@dataclass
class Findings:
    """Everything the components found in one document text."""

    text: str
    observations: list[Observation] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    allergies: list[Allergy] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    patient: Patient = field(default_factory=Patient)
    kind: str | None = None
    document_date: str | None = None
    # OCR words as (start, end, confidence 0..100) in document offsets, seeded by
    # ``extract_entities`` before the pipeline runs; empty for plain text.
    words: list[tuple[int, int, float]] = field(default_factory=list)
    claimed: bytearray = field(default_factory=bytearray)
    page_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.claimed = bytearray(len(self.text))
        self.page_starts = [0]
        at = self.text.find(PAGE_BREAK)
        while at != -1:
            self.page_starts.append(at + len(PAGE_BREAK))
            at = self.text.find(PAGE_BREAK, at + 1)

    def claim(self, start: int, end: int) -> None:
        """Mark ``text[start:end]`` as used, so later components leave it alone."""
        self.claimed[start:end] = b"\x01" * (end - start)

    def is_claimed(self, start: int, end: int) -> bool:
        """Whether any character of ``text[start:end]`` is already used."""
        return any(self.claimed[start:end])

    def page_of(self, offset: int) -> int:
        """The 0-based page holding ``offset``."""
        return bisect.bisect_right(self.page_starts, offset) - 1


def findings(doc: Doc) -> Findings:
    """The ``Findings`` of ``doc``, created on first use."""
    if not Doc.has_extension(EXTENSION):
        Doc.set_extension(EXTENSION, default=None)
    found: Findings | None = getattr(doc._, EXTENSION)
    if found is None:
        found = Findings(text=doc.text)
        setattr(doc._, EXTENSION, found)
    return found


def add_span(doc: Doc, start: int, end: int, label: str) -> None:
    """Record evidence ``[start, end)`` in ``doc.spans`` under ``label`` (for inspection)."""
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    if span is not None:
        if SPANS_KEY not in doc.spans:
            doc.spans[SPANS_KEY] = []
        doc.spans[SPANS_KEY].append(span)
