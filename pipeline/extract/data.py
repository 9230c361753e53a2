"""The extract stage's data files under ``models/extract/``, read into validated models.

The components hold no vocabulary of their own: labels, code maps, units and plausible
ranges live in these JSON files so a new synonym or analyte is a data change with a
version bump in ``MANIFEST.json``, not a code change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline import ucum
from pipeline.schema import Interpretation

MANIFEST = "MANIFEST.json"

Gender = Literal["male", "female", "other", "unknown"]
DateRole = Literal["document", "collection", "admission", "birth"]


class ModelDataError(RuntimeError):
    """The extract model files are missing, unlisted in the manifest, or malformed.

    Raised while building the pipeline, never while processing a document, so it is not a
    per-document ``PipelineError``: a process with bad model files should not start.
    """


def _ucum_values(units: dict[str, str]) -> dict[str, str]:
    """``units`` (printed -> UCUM) once every UCUM code in it is valid (``ucum.check``)."""
    for code in set(units.values()):
        ucum.check(code)
    return units


class DataModel(BaseModel):
    """Base for data-file models: frozen, unknown keys refused (a typo is an error)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Bounds(DataModel):
    """Plausible values in one unit: outside ``range`` is dropped, outside ``typical`` doubted."""

    range: tuple[float, float]
    typical: tuple[float, float]

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        lo, hi = self.range
        tlo, thi = self.typical
        if not (lo <= tlo <= thi <= hi):
            raise ValueError("need range[0] <= typical[0] <= typical[1] <= range[1]")
        return self

    def plausible(self, value: float) -> bool:
        """Whether ``value`` lies in the hard range."""
        return self.range[0] <= value <= self.range[1]

    def usual(self, value: float) -> bool:
        """Whether ``value`` lies in the typical range."""
        return self.typical[0] <= value <= self.typical[1]


class ComponentSpec(DataModel):
    """One part of a panel (systolic, diastolic), in the panel's unit."""

    code: str
    display: str
    range: tuple[float, float]
    typical: tuple[float, float]

    @property
    def bounds(self) -> Bounds:
        """The component's plausible values as ``Bounds``."""
        return Bounds(range=self.range, typical=self.typical)


class AnalyteSpec(DataModel):
    """A vital sign or lab analyte: its code, printed labels, units and plausible values."""

    key: str
    code: str
    display: str
    shape: Literal["number", "ratio", "height"] = "number"
    labels: tuple[str, ...]
    exact_labels: tuple[str, ...] = ()
    units: dict[str, Bounds] = Field(min_length=1)  # UCUM code -> bounds; first is default
    components: tuple[ComponentSpec, ...] = ()
    unit_optional: bool = False  # usually printed without a unit (INR): no doubt if absent
    # Usually printed with a decimal point (4.1, 98.6): a whole number ten times too large
    # ("Potassium 41") is taken for a point OCR lost, at a confidence that asks for review.
    fractional: bool = False
    # The ionic charge (Na+ 1, Cl- -1): UCUM counts an equivalent as a mole, so converting
    # between meq/L and mmol/L needs it; an analyte listing both units must state it.
    charge: int | None = None

    @field_validator("units")
    @classmethod
    def _ucum_units(cls, units: dict[str, Bounds]) -> dict[str, Bounds]:
        for code in units:
            ucum.check(code)
        return units

    @model_validator(mode="after")
    def _shape(self) -> AnalyteSpec:
        if (self.shape == "ratio") != (len(self.components) == 2):
            raise ValueError("a ratio analyte has exactly two components, others none")
        if self.charge is None and any(
            ucum.charge_dependent(a, b) for a in self.units for b in self.units
        ):
            raise ValueError("an analyte in both equivalents and moles needs its charge")
        return self

    @property
    def default_unit(self) -> str:
        """The UCUM unit assumed when none is printed and the value fits several."""
        return next(iter(self.units))


class FlowsheetSpec(DataModel):
    """Column labels of a vitals flowsheet besides the vital signs themselves."""

    description: str = ""
    date_columns: tuple[str, ...]
    time_columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    missing_cells: tuple[str, ...]
    max_extra_cells: int = 3


class VitalsData(DataModel):
    """``vitals.json``."""

    version: str
    description: str = ""
    category: Literal["vital-signs"]
    analytes: tuple[AnalyteSpec, ...]
    flowsheet: FlowsheetSpec


class LabsData(DataModel):
    """``labs.json``."""

    version: str
    description: str = ""
    category: Literal["laboratory"]
    fillers: tuple[str, ...]
    flags_description: str = ""
    flags: dict[str, Interpretation]  # printed flag -> v3-ObservationInterpretation code
    analytes: tuple[AnalyteSpec, ...]


class UnitsData(DataModel):
    """``units.json``: printed unit -> UCUM code."""

    version: str
    description: str = ""
    units: dict[str, str]

    _ucum_codes = field_validator("units")(lambda units: _ucum_values(units))


class Penalties(DataModel):
    """Confidence factors for values that needed repair or inference."""

    digit_repaired: float
    point_restored: float
    label_variant: float
    unit_inferred: float
    unit_ambiguous: float
    outside_typical: float
    column_inferred: float
    column_ambiguous: float


class WordConfidence(DataModel):
    """How OCR word confidence (0..100) lowers an observation's confidence."""

    trusted_at: float  # at or above this, no penalty
    floor: float  # the factor for a word the engine gave 0


class OcrData(DataModel):
    """``ocr.json``."""

    version: str
    description: str = ""
    label_confusions: tuple[str, ...]  # groups of characters OCR mistakes for each other
    digit_repairs: dict[str, str]  # letter -> digit, inside numbers
    # One letter OCR reads as two ("m" as "rn" or "th"), undone when matching header words.
    split_confusions: dict[str, tuple[str, ...]] = {}
    penalties: Penalties
    word_confidence: WordConfidence


class DatesData(DataModel):
    """``dates.json``."""

    version: str
    description: str = ""
    roles: dict[DateRole, tuple[str, ...]]
    top_only: dict[DateRole, tuple[str, ...]] = {}
    top_lines: int = 12
    cues: dict[DateRole, tuple[str, ...]] = {}  # words that date a value by another role
    value_date_words: tuple[str, ...] = ()  # "on" of "HbA1c 9.2% on Aug 6, 2023"


class PatientData(DataModel):
    """``patient.json``."""

    version: str
    description: str = ""
    mrn_labels: tuple[str, ...]
    name_labels: tuple[str, ...]
    family_labels: tuple[str, ...] = ()
    given_labels: tuple[str, ...] = ()
    name_label_qualifiers: tuple[str, ...]
    heading_qualifiers: tuple[str, ...] = ()
    field_words: tuple[str, ...]
    sex_labels: tuple[str, ...]
    genders: dict[str, Gender]


class KindsData(DataModel):
    """``kinds.json``."""

    version: str
    description: str = ""
    title_lines: int = 8
    kinds: dict[str, tuple[str, ...]]


class ManifestFile(DataModel):
    """One file listed in the manifest."""

    path: str
    sha256: str
    description: str = ""


class Manifest(DataModel):
    """``MANIFEST.json``: what the model directory holds and where its codes come from."""

    name: str
    version: str
    description: str = ""
    sources: dict[str, str]
    files: tuple[ManifestFile, ...]


M = TypeVar("M", bound=DataModel)


def read_manifest(models_dir: Path) -> Manifest:
    """Read ``MANIFEST.json`` from ``models_dir``."""
    return _read(models_dir / MANIFEST, Manifest)


def load(models_dir: Path, name: str, model: type[M]) -> M:
    """Read and validate data file ``name``, which the manifest must list.

    Raises:
        ModelDataError: the file is unlisted, unreadable or does not match ``model``.

    """
    manifest = read_manifest(models_dir)
    if name not in {f.path for f in manifest.files}:
        raise ModelDataError(f"{name} is not listed in {MANIFEST}")
    return _read(models_dir / name, model)


def _read(path: Path, model: type[M]) -> M:
    try:
        return model.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as e:
        raise ModelDataError(f"cannot load extract model file {path.name}") from e


SectionKind = Literal[
    "medications",
    "medications-stopped",
    "allergies",
    "problem-list-item",
    "encounter-diagnosis",
    "family-history",
    "other",
]


class SectionsData(DataModel):
    """``sections.json``: section headings by kind."""

    version: str
    description: str = ""
    max_heading_words: int = 6
    kinds: dict[SectionKind, tuple[str, ...]]


class DrugSpec(DataModel):
    """A drug name, its RxNorm ingredient and other names it is printed under."""

    name: str
    rxnorm: str
    synonyms: tuple[str, ...] = ()


class RouteSpec(DataModel):
    """A route of administration (SNOMED CT) and how it is printed."""

    code: str
    display: str
    printed: tuple[str, ...] = Field(min_length=1)


class FrequencySpec(DataModel):
    """A printed frequency as a FHIR Timing repeat."""

    frequency: int = Field(ge=1)
    period: float = Field(gt=0)
    unit: Literal["h", "d", "wk", "mo"]
    when: str | None = None


class MedicationsData(DataModel):
    """``medications.json``."""

    version: str
    description: str = ""
    drugs: tuple[DrugSpec, ...] = Field(min_length=1)
    strength_units: dict[str, str] = Field(min_length=1)  # printed -> UCUM
    dose_forms: dict[str, str] = {}  # printed -> UCUM annotation ("puffs" -> "{puff}")
    routes: dict[str, RouteSpec]
    frequencies: dict[str, FrequencySpec]
    as_needed: tuple[str, ...] = ()
    as_needed_reasons: tuple[str, ...] = ()
    # The confidence of an item whose name (or code) is not listed here: kept, but reviewed.
    unlisted_confidence: float = Field(ge=0, le=1)

    _ucum_codes = field_validator("strength_units", "dose_forms")(lambda units: _ucum_values(units))


class ConditionsData(DataModel):
    """``conditions.json``."""

    version: str
    description: str = ""
    negation_cues: tuple[str, ...] = ()
    resolved_cues: tuple[str, ...] = ()
    codes: dict[str, str] = Field(min_length=1)  # ICD-10-CM code -> official title
    # The confidence of an item whose name (or code) is not listed here: kept, but reviewed.
    unlisted_confidence: float = Field(ge=0, le=1)


class NoKnownSpec(DataModel):
    """A statement of no known allergy (SNOMED CT situation) and how it is printed."""

    display: str
    printed: tuple[str, ...] = Field(min_length=1)


class SubstanceSpec(DataModel):
    """An allergen: its code where we hold one, and its AllergyIntolerance category."""

    name: str
    system: Literal["rxnorm", "snomed"] | None = None
    code: str | None = None
    category: Literal["medication", "food", "environment", "biologic"]
    synonyms: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _coded(self) -> SubstanceSpec:
        if (self.system is None) != (self.code is None):
            raise ValueError("a substance has both a system and a code, or neither")
        return self


class ReactionSpec(DataModel):
    """A reaction (SNOMED CT clinical finding) and how it is printed."""

    display: str
    printed: tuple[str, ...] = Field(min_length=1)


class AllergiesData(DataModel):
    """``allergies.json``."""

    version: str
    description: str = ""
    no_known: dict[str, NoKnownSpec] = Field(min_length=1)  # SNOMED CT code -> statement
    substances: tuple[SubstanceSpec, ...] = Field(min_length=1)
    reactions: dict[str, ReactionSpec] = {}  # SNOMED CT code -> reaction
    # The confidence of an item whose name (or code) is not listed here: kept, but reviewed.
    unlisted_confidence: float = Field(ge=0, le=1)
