"""Typed models passed between the stages.

Each stage takes one of these and returns the next one; nothing else crosses a stage boundary
(no numpy array leaves ``ocr/``, no spaCy ``Doc`` leaves ``extract/``). Spans are character
offsets into the document text (``OcrDocument.text``): only the text holds the text.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


class Stage(StrEnum):
    """The pipeline stages, in order; an error names the stage it happened in."""

    LOAD = "load"
    CLEANUP = "cleanup"
    OCR = "ocr"
    EXTRACT = "extract"
    DEID = "deid"
    REDACT = "redact"
    FHIR = "fhir"
    WRITE = "write"


class Model(BaseModel):
    """Base for every model: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# A grayscale page image (uint8, H x W). Never serialised to JSON.
Image = Annotated[np.ndarray, PlainSerializer(lambda a: None, when_used="json")]


class Source(Model):
    """One input file, identified by its content."""

    path: str  # as given on the command line; never logged
    doc_id: str  # from the content hash: same bytes, same id
    sha256: str
    size: int
    media_type: Literal["application/pdf", "image/tiff", "image/png", "image/jpeg"]
    pages: int


class RawPage(Model):
    """A page as decoded from the file, converted to 8-bit grayscale."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: int  # 0-based page number in the document
    image: Image
    dpi: int


class CleanPage(Model):
    """A page after orientation and deskew; OCR boxes are in this image's pixels."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: int
    image: Image
    dpi: int
    rotation: int = 0  # degrees clockwise applied to make the text upright (0, 90, 180, 270)
    skew: float = 0.0  # degrees of deskew applied
    speckled: bool = False  # the scan has fax speckle (ocr/cleanup.speck_mask)


class Box(Model):
    """A pixel rectangle, x0/y0 inclusive, x1/y1 exclusive."""

    x0: int
    y0: int
    x1: int
    y1: int

    def union(self, other: Box) -> Box:
        """The smallest box holding both."""
        return Box(
            x0=min(self.x0, other.x0),
            y0=min(self.y0, other.y0),
            x1=max(self.x1, other.x1),
            y1=max(self.y1, other.y1),
        )


class Word(Model):
    """One recognised word; ``start``/``end`` are offsets into its page's text."""

    text: str
    box: Box
    conf: float  # 0..100 as the engine reports it
    line: int  # index of the reading-order line on the page
    start: int
    end: int


class OcrPage(Model):
    """The OCR result of one page: words with boxes and the page text they make."""

    index: int
    width: int
    height: int
    dpi: int
    rotation: int = 0
    skew: float = 0.0
    text: str  # lines in reading order, separated by "\n"
    words: tuple[Word, ...] = ()
    conf: float = 0.0  # the engine's confidence in the page (0..100; see ocr/engine.Reading)
    engines: tuple[str, ...] = ()  # the engines that read it
    speckled: bool = False  # a faxed scan (CleanPage.speckled): it goes to review
    error: str | None = None  # "E301: ..." when the page could not be read; text is then ""


PAGE_BREAK = "\f"


class OcrDocument(Model):
    """All pages of one document; ``text`` is the page texts joined by form feeds."""

    doc_id: str
    pages: tuple[OcrPage, ...]

    @property
    def text(self) -> str:
        """The document text: page texts separated by form feed."""
        return PAGE_BREAK.join(p.text for p in self.pages)

    def page_starts(self) -> list[int]:
        """Offset in ``text`` at which each page's text begins."""
        starts, at = [], 0
        for page in self.pages:
            starts.append(at)
            at += len(page.text) + len(PAGE_BREAK)
        return starts

    def page_of(self, offset: int) -> int:
        """The index of the page holding document offset ``offset``."""
        starts = self.page_starts()
        for i in range(len(starts) - 1, -1, -1):
            if offset >= starts[i]:
                return i
        return 0


class Span(Model):
    """A labelled character range of the document text, like presidio's RecognizerResult."""

    start: int
    end: int
    label: str  # UPPER_SNAKE: PERSON, MRN, DATE, PHONE_NUMBER, ...
    score: float = 1.0


class Quantity(Model):
    """A measured value with its UCUM unit (``unit`` is the UCUM code, e.g. ``mm[Hg]``)."""

    value: float
    unit: str


class Evidence(Model):
    """Where an extracted value was read: its page, pixel box and OCR confidence.

    The box is in the pixels of the page as OCR read it (turned upright and deskewed: the
    page images of searchable.pdf), the union of the words the value's text spans.
    """

    page: int  # 0-based
    box: Box
    ocr_confidence: float  # the least confident of those words (0..100)


class Component(Model):
    """One part of a panel observation (systolic and diastolic of a blood pressure)."""

    code: str  # LOINC
    display: str
    quantity: Quantity


class ReferenceRange(Model):
    """The reference interval printed beside a lab result, in the result's unit.

    One bound for "<200" (``high``) or ">40" (``low``). ``text`` is the range as printed,
    without its brackets and with runs of spaces as one ("3.5 - 5.1", "<200"): numbers
    and comparators only, never document content that could identify anyone.
    """

    low: Quantity | None = None
    high: Quantity | None = None
    text: str


# HL7 v3-ObservationInterpretation codes for the flags a lab prints: high, low, critical
# high, critical low, abnormal, critical abnormal, normal.
Interpretation = Literal["H", "L", "HH", "LL", "A", "AA", "N"]


class Observation(Model):
    """A vital sign or lab result found in the text, with its evidence span."""

    code: str  # LOINC
    display: str
    category: Literal["vital-signs", "laboratory"]
    quantity: Quantity | None = None  # None for panels whose values are in components
    components: tuple[Component, ...] = ()
    effective: str | None = None  # ISO 8601 date (YYYY-MM-DD) or dateTime
    start: int  # evidence span in the document text
    end: int
    confidence: float = 1.0
    evidence: Evidence | None = None  # set by the extract stage from the OCR words
    reference_range: ReferenceRange | None = None  # as printed beside a lab result
    # The printed flag only: a result inside or outside a printed range without a flag
    # has None, not one we worked out (the lab, not us, says what is abnormal).
    interpretation: Interpretation | None = None


class Patient(Model):
    """Patient demographics printed on the chart (identified data)."""

    mrn: str | None = None
    family: str | None = None
    given: tuple[str, ...] = ()
    birth_date: str | None = None  # ISO date
    gender: Literal["male", "female", "other", "unknown"] | None = None


class Coding(Model):
    """A code from a code system (RxNorm, ICD-10-CM, SNOMED CT), as FHIR's Coding."""

    system: str  # the FHIR system URI
    code: str
    display: str | None = None  # the code system's own name for the code, when we hold it


class Timing(Model):
    """How often a medication is taken, as a FHIR Timing.repeat ("BID": 2 per 1 d)."""

    frequency: int
    period: float
    period_unit: Literal["h", "d", "wk", "mo"]
    when: str | None = None  # FHIR EventTiming: HS (bedtime), CM (with breakfast), ...


class Medication(Model):
    """A medication line: "Metformin 500 mg PO BID"; fields are None when not printed."""

    text: str  # the drug name as printed (OCR text)
    code: Coding | None = None  # RxNorm ingredient, when the name is in models/extract
    dose: Quantity | None = None  # per administration: 500 mg, 2 {puff}
    strength: str | None = None  # as printed: "500 mg", "90 mcg 2 puffs"
    sig: str | None = None  # the printed instructions after the name: "500 mg PO BID"
    route: Coding | None = None  # SNOMED CT route
    frequency: str | None = None  # as printed: "BID", "daily with breakfast"
    timing: Timing | None = None
    as_needed: str | None = None  # "PRN", or its reason ("pain") when printed
    status: Literal["active", "stopped"] = "active"
    date: str | None = None  # started (active) or stopped, when printed on the line
    start: int
    end: int
    confidence: float = 1.0
    evidence: Evidence | None = None  # set by the extract stage from the OCR words


class Condition(Model):
    """A problem printed with its ICD-10-CM code."""

    code: Coding  # ICD-10-CM; display is the official title when the code is listed
    text: str  # the problem as printed
    category: Literal["problem-list-item", "encounter-diagnosis"]
    clinical_status: Literal["active", "resolved"] = "active"
    start: int
    end: int
    confidence: float = 1.0
    evidence: Evidence | None = None  # set by the extract stage from the OCR words


AllergyCategory = Literal["medication", "food", "environment", "biologic"]


class Allergy(Model):
    """One allergy ("Penicillin - rash") or a statement of none ("NKDA")."""

    text: str  # the substance (or the no-known statement) as printed
    code: Coding | None = None  # substance (RxNorm, SNOMED CT) or no-known situation
    category: AllergyCategory | None = None
    reaction: str | None = None  # as printed
    reaction_code: Coding | None = None  # SNOMED CT clinical finding
    no_known: bool = False
    start: int
    end: int
    confidence: float = 1.0
    evidence: Evidence | None = None  # set by the extract stage from the OCR words


# What the extract stage finds, beyond demographics: each has start/end, confidence and
# evidence. ``Listed`` is one of the list items, for functions that keep its type.
Extracted = Observation | Medication | Condition | Allergy
Listed = TypeVar("Listed", Medication, Condition, Allergy)
ExtractedT = TypeVar("ExtractedT", Observation, Medication, Condition, Allergy)
ITEM_FIELDS = ("observations", "medications", "conditions", "allergies")


class Extraction(Model):
    """What the extract stage found in one document."""

    patient: Patient = Field(default_factory=Patient)
    document_date: str | None = None  # ISO date of the visit/report, when printed
    document_kind: str | None = None  # e.g. "progress-note", "lab-report" (see extract/kind.py)
    observations: tuple[Observation, ...] = ()
    medications: tuple[Medication, ...] = ()
    conditions: tuple[Condition, ...] = ()
    allergies: tuple[Allergy, ...] = ()

    def evidence(self) -> tuple[Extracted, ...]:
        """Every extracted item (``ITEM_FIELDS``, in order)."""
        return tuple(item for key in ITEM_FIELDS for item in getattr(self, key))


class PhiReport(Model):
    """PHI spans of one document, non-overlapping and sorted by start."""

    spans: tuple[Span, ...] = ()


class RedactionCheck(Model):
    """What re-reading the redacted pages found (``run._redact``)."""

    performed: bool = False
    pages_reread: int = 0
    pages_unread: int = 0  # pages whose re-OCR failed: not verified
    residual_boxes: int = 0  # PHI still legible after the first pass, painted in a second
    doubtful_words_painted: int = 0  # words OCR could barely read, painted as a precaution


DocStatus = Literal["done", "review", "failed"]


class DocumentRecord(Model):
    """One row of manifest.json: what happened to one input."""

    source: str
    doc_id: str
    status: DocStatus
    pages: int = 0
    error: str | None = None  # "E123: fixed text": the failure, or the first review reason
    reasons: tuple[str, ...] = ()  # every review reason
    observations: int = 0
    medications: int = 0
    conditions: int = 0
    allergies: int = 0
    phi_spans: int = 0
    seconds: float = 0.0
    # When the record was made (UTC): retention counts from it (pipeline/retention.py).
    finished_at: datetime | None = None
    # When ``chart2fhir purge`` deleted the document's identified artifacts (``source`` is
    # emptied then); the de-identified outputs remain.
    purged_at: datetime | None = None
