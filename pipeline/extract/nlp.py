"""The extract stage's spaCy pipeline: a blank English tokenizer plus our components.

Each component is registered with ``Language.factory`` under a versioned name, as spaCy
registers its own in ``pipeline/factories.py``; bump the version when a component's
output changes meaning. spaCy refuses "." in factory names, so the names read
``chart2fhir_vitals_v1`` rather than ``chart2fhir.vitals.v1``. Components take only
``models_dir`` and read their vocabulary from the data files there (see
``models/extract/MANIFEST.json``). No trained model is loaded, so building the pipeline
needs no download.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.allergies import AllergyReader
from pipeline.extract.conditions import ConditionReader
from pipeline.extract.data import (
    AllergiesData,
    ConditionsData,
    DatesData,
    KindsData,
    LabsData,
    MedicationsData,
    OcrData,
    PatientData,
    SectionsData,
    UnitsData,
    VitalsData,
    load,
)
from pipeline.extract.datelabels import DateLabeller
from pipeline.extract.findings import EXTENSION
from pipeline.extract.kind import KindReader
from pipeline.extract.labs import LabsRecognizer
from pipeline.extract.medications import MedicationReader
from pipeline.extract.patient import PatientReader
from pipeline.extract.resolve import Resolver
from pipeline.extract.sections import SectionReader
from pipeline.extract.text import UnitTable
from pipeline.extract.vitals import VitalsRecognizer
from pipeline.settings import ExtractSettings

DATES = "chart2fhir_dates_v1"
PATIENT = "chart2fhir_patient_v1"
KIND = "chart2fhir_kind_v1"
VITALS = "chart2fhir_vitals_v1"
LABS = "chart2fhir_labs_v1"
RESOLVE = "chart2fhir_resolve_v1"
SECTIONS = "chart2fhir_sections_v1"
MEDICATIONS = "chart2fhir_medications_v1"
ALLERGIES = "chart2fhir_allergies_v1"
CONDITIONS = "chart2fhir_conditions_v1"

# Order matters: dates first (patient reads the birth date, and the numbers of labelled
# dates are claimed before anyone reads values); sections before the readers of lists;
# medication and allergy lines are claimed before vitals and labs read values (no
# "Potassium chloride 20 mEq" is a potassium result); vitals before labs (flowsheet lines
# are claimed); resolve last.
PIPELINE = (
    DATES,
    PATIENT,
    KIND,
    SECTIONS,
    MEDICATIONS,
    ALLERGIES,
    VITALS,
    LABS,
    CONDITIONS,
    RESOLVE,
)

# Only the tokenizer and regular expressions run over the text, not a parser or an NER
# model, so a long document costs little memory; spaCy's 1M-character default would
# refuse a long chart.
MAX_LENGTH = 20_000_000

if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)


def build_nlp(cfg: ExtractSettings) -> Language:
    """A blank English pipeline with the chart2fhir extract components, in order.

    Raises:
        ModelDataError: a data file under ``cfg.models_dir / "extract"`` is missing,
            unlisted in the manifest or malformed.

    """
    nlp = spacy.blank("en")
    nlp.max_length = MAX_LENGTH
    config = {"models_dir": str(Path(cfg.models_dir) / "extract")}
    for name in PIPELINE:
        nlp.add_pipe(name, config=config)
    return nlp


def _ocr(models_dir: str) -> OcrData:
    return load(Path(models_dir), "ocr.json", OcrData)


def _units(models_dir: str) -> UnitTable:
    return UnitTable.build(load(Path(models_dir), "units.json", UnitsData).units)


@Language.factory(DATES, assigns=[f"doc._.{EXTENSION}"])
def make_dates(nlp: Language, name: str, models_dir: str) -> DateLabeller:
    """Labelled dates: visit/report, collection and birth dates."""
    data = load(Path(models_dir), "dates.json", DatesData)
    return DateLabeller(data, confusions=_ocr(models_dir).label_confusions)


@Language.factory(PATIENT, assigns=[f"doc._.{EXTENSION}"])
def make_patient(nlp: Language, name: str, models_dir: str) -> PatientReader:
    """Patient demographics; runs after the dates component."""
    data = load(Path(models_dir), "patient.json", PatientData)
    return PatientReader(data, confusions=_ocr(models_dir).label_confusions)


@Language.factory(KIND, assigns=[f"doc._.{EXTENSION}"])
def make_kind(nlp: Language, name: str, models_dir: str) -> KindReader:
    """The document kind, from title words."""
    data = load(Path(models_dir), "kinds.json", KindsData)
    return KindReader(data, confusions=_ocr(models_dir).label_confusions)


@Language.factory(VITALS, assigns=[f"doc._.{EXTENSION}"])
def make_vitals(nlp: Language, name: str, models_dir: str) -> VitalsRecognizer:
    """Vital signs: flowsheets, label/value blocks and prose."""
    data = load(Path(models_dir), "vitals.json", VitalsData)
    return VitalsRecognizer(data, units=_units(models_dir), ocr=_ocr(models_dir))


@Language.factory(LABS, assigns=[f"doc._.{EXTENSION}"])
def make_labs(nlp: Language, name: str, models_dir: str) -> LabsRecognizer:
    """Lab results: report tables and results quoted in notes."""
    data = load(Path(models_dir), "labs.json", LabsData)
    return LabsRecognizer(data, units=_units(models_dir), ocr=_ocr(models_dir))


@Language.factory(RESOLVE, assigns=[f"doc._.{EXTENSION}"])
def make_resolve(nlp: Language, name: str, models_dir: str) -> Resolver:
    """Effective dates, OCR word confidence and duplicate removal; runs last."""
    return Resolver(load(Path(models_dir), "dates.json", DatesData), _ocr(models_dir))


@Language.factory(SECTIONS, assigns=[f"doc._.{EXTENSION}"])
def make_sections(nlp: Language, name: str, models_dir: str) -> SectionReader:
    """Section headings: where the medication, allergy and problem lists are."""
    data = load(Path(models_dir), "sections.json", SectionsData)
    return SectionReader(data, confusions=_ocr(models_dir).label_confusions)


@Language.factory(MEDICATIONS, assigns=[f"doc._.{EXTENSION}"])
def make_medications(nlp: Language, name: str, models_dir: str) -> MedicationReader:
    """Medication lines in medication sections; runs after the sections component."""
    data = load(Path(models_dir), "medications.json", MedicationsData)
    return MedicationReader(data, ocr=_ocr(models_dir))


@Language.factory(ALLERGIES, assigns=[f"doc._.{EXTENSION}"])
def make_allergies(nlp: Language, name: str, models_dir: str) -> AllergyReader:
    """Allergy items and no-known-allergy statements in allergy sections."""
    data = load(Path(models_dir), "allergies.json", AllergiesData)
    return AllergyReader(data, ocr=_ocr(models_dir))


@Language.factory(CONDITIONS, assigns=[f"doc._.{EXTENSION}"])
def make_conditions(nlp: Language, name: str, models_dir: str) -> ConditionReader:
    """Problems printed with an ICD-10-CM code."""
    data = load(Path(models_dir), "conditions.json", ConditionsData)
    return ConditionReader(data, ocr=_ocr(models_dir))
