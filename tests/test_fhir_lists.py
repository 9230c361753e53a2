"""FHIR: MedicationStatement, Condition and AllergyIntolerance in both bundles."""

from __future__ import annotations

import datetime as dt
import json

from fhir.resources.R4B.bundle import Bundle

from pipeline.deid.assets import load_assets
from pipeline.deid.surrogate import Surrogates, deidentify_extraction
from pipeline.fhir import DERIVED_SYSTEM, EVIDENCE, emit_bundle, emit_deid_bundle
from pipeline.schema import (
    Allergy,
    Box,
    Coding,
    Condition,
    Evidence,
    Extraction,
    Medication,
    Patient,
    PhiReport,
    Quantity,
    Source,
    Span,
    Timing,
)
from pipeline.settings import DeidSettings, FhirSettings

SOURCE = Source(
    path="/scans/c000.pdf",
    doc_id="fedcba9876543210",
    sha256="0" * 64,
    size=3,
    media_type="application/pdf",
    pages=1,
)
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
METFORMIN = Medication(
    text="Metformin",
    code=Coding(system=RXNORM, code="6809", display="Metformin"),
    dose=Quantity(value=500, unit="mg"),
    strength="500 mg",
    sig="500 mg PO daily with breakfast",
    route=Coding(system=SNOMED, code="26643006", display="Oral route"),
    frequency="daily with breakfast",
    timing=Timing(frequency=1, period=1, period_unit="d", when="CM"),
    date="2018-05-30",
    start=100,
    end=150,
)
TYLENOL = Medication(
    text="Acetaminophen",
    code=Coding(system=RXNORM, code="161", display="Acetaminophen"),
    dose=Quantity(value=650, unit="mg"),
    sig="650 mg PO q6h PRN pain",
    timing=Timing(frequency=1, period=6, period_unit="h"),
    as_needed="pain",
    start=151,
    end=180,
)
STOPPED = Medication(
    text="Furosemide",
    code=Coding(system=RXNORM, code="4603", display="Furosemide"),
    dose=Quantity(value=40, unit="mg"),
    sig="40 mg",
    status="stopped",
    date="2017-06-04",
    start=181,
    end=210,
)
UNLISTED = Medication(
    text="Dr Harrison",  # what an unlisted "name" might hold: it must not reach bundle.deid
    dose=Quantity(value=5, unit="mg"),
    sig="5 mg",
    start=300,
    end=320,
    confidence=0.45,
)
HTN = Condition(
    code=Coding(
        system="http://hl7.org/fhir/sid/icd-10-cm",
        code="I10",
        display="Essential (primary) hypertension",
    ),
    text="Essential (primary) hypertension",
    category="problem-list-item",
    start=220,
    end=260,
)
DOUBTFUL = HTN.model_copy(
    update={
        # An unlisted code, as the extractor gives it: no display, the printed text apart.
        "code": Coding(system=HTN.code.system, code="D57.3"),
        "text": "Sickle-cell trait per Dr Harrison",
        "confidence": 0.45,
        "start": 261,
        "end": 280,
    }
)
PENICILLIN = Allergy(
    text="Penicillin",
    code=Coding(system=RXNORM, code="70618", display="Penicillin"),
    category="medication",
    reaction="rash",
    reaction_code=Coding(system=SNOMED, code="271807003", display="Eruption of skin"),
    start=400,
    end=420,
)
NKDA = Allergy(
    text="NKDA",
    code=Coding(system=SNOMED, code="409137002", display="No known drug allergy"),
    no_known=True,
    start=430,
    end=434,
)
EXTRACTION = Extraction(
    patient=Patient(mrn="4829173", family="Harrison", given=("Margaret",), birth_date="1948-03-14"),
    document_date="2021-05-02",
    medications=(METFORMIN, TYLENOL, STOPPED, UNLISTED),
    conditions=(HTN, DOUBTFUL),
    allergies=(PENICILLIN, NKDA),
)


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _bundle() -> dict:
    return json.loads(emit_bundle(SOURCE, EXTRACTION, scan=b"pdf", cfg=FhirSettings()))


def test_medication_statements() -> None:
    bundle = _bundle()
    Bundle.model_validate(bundle)
    docref = _resources(bundle, "DocumentReference")[0]["id"]
    metformin, tylenol, stopped, unlisted = _resources(bundle, "MedicationStatement")
    assert metformin["status"] == "active"
    assert metformin["medicationCodeableConcept"] == {
        "coding": [{"system": RXNORM, "code": "6809", "display": "Metformin"}],
        "text": "Metformin",
    }
    assert metformin["effectivePeriod"] == {"start": "2018-05-30"}
    assert metformin["dateAsserted"] == "2021-05-02"
    assert metformin["derivedFrom"] == [{"reference": f"urn:uuid:{docref}"}]
    (dosage,) = metformin["dosage"]
    assert dosage["text"] == "500 mg PO daily with breakfast"
    assert dosage["timing"] == {
        "repeat": {"frequency": 1, "period": 1.0, "periodUnit": "d", "when": ["CM"]}
    }
    assert dosage["route"]["coding"][0]["code"] == "26643006"
    assert dosage["doseAndRate"][0]["doseQuantity"] == {
        "value": 500.0,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert tylenol["dosage"][0]["asNeededCodeableConcept"] == {"text": "pain"}
    assert stopped["status"] == "stopped" and stopped["effectivePeriod"] == {"end": "2017-06-04"}
    assert "coding" not in unlisted["medicationCodeableConcept"]


def test_conditions_and_allergies() -> None:
    bundle = _bundle()
    htn, doubtful = _resources(bundle, "Condition")
    assert htn["code"]["coding"] == [
        {
            "system": "http://hl7.org/fhir/sid/icd-10-cm",
            "code": "I10",
            "display": "Essential (primary) hypertension",
        }
    ]
    assert htn["clinicalStatus"]["coding"][0]["code"] == "active"
    assert htn["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert htn["category"][0]["coding"][0]["code"] == "problem-list-item"
    assert htn["recordedDate"] == "2021-05-02"
    # Read with low confidence: not confirmed until a reviewer says so.
    assert doubtful["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    penicillin, nkda = _resources(bundle, "AllergyIntolerance")
    assert penicillin["category"] == ["medication"]
    assert penicillin["code"]["coding"][0]["code"] == "70618"
    assert penicillin["reaction"][0]["manifestation"][0]["coding"][0]["code"] == "271807003"
    assert penicillin["patient"]["reference"].startswith("urn:uuid:")
    assert nkda["code"]["coding"][0]["code"] == "409137002" and "reaction" not in nkda


def test_derived_resources_are_conditional_creates_with_stable_ids() -> None:
    first, second = _bundle(), _bundle()
    assert first == second
    derived = [
        e
        for e in first["entry"]
        if e["resource"]["resourceType"]
        in ("MedicationStatement", "Condition", "AllergyIntolerance")
    ]
    assert len(derived) == 8
    assert len({e["resource"]["id"] for e in derived}) == 8
    for e in derived:
        rid = e["resource"]["id"]
        assert e["resource"]["identifier"] == [{"system": DERIVED_SYSTEM, "value": rid}]
        assert e["request"]["ifNoneExist"] == f"identifier={DERIVED_SYSTEM}|{rid}"


def test_both_bundles_validate_against_hl7s_json_schema(fhir_schema_errors) -> None:
    surrogates = Surrogates(b"k" * 32, load_assets(DeidSettings().models_dir))
    deid = deidentify_extraction(
        EXTRACTION, doc_id=SOURCE.doc_id, surrogates=surrogates, phi=PhiReport()
    )
    deid_bundle = json.loads(
        emit_deid_bundle(deid, redacted_pdf=b"%PDF", pages=1, cfg=FhirSettings())
    )
    assert fhir_schema_errors(_bundle()) == []
    assert fhir_schema_errors(deid_bundle) == []


def test_deid_bundle_shifts_medication_dates_and_drops_text_touching_phi() -> None:
    surrogates = Surrogates(b"k" * 32, load_assets(DeidSettings().models_dir))
    penicillin = PENICILLIN.model_copy(update={"text": "PCN", "reaction": "rash per Dr Harrison"})
    extraction = EXTRACTION.model_copy(
        update={"allergies": (penicillin, NKDA), "patient": EXTRACTION.patient}
    )
    # PHI over the unlisted medication's "name", the unlisted problem, the Penicillin line;
    # a DATE over Metformin's start date (shifted, so the item keeps its text).
    phi = PhiReport(
        spans=(
            Span(start=140, end=150, label="DATE"),
            Span(start=263, end=270, label="PERSON"),
            Span(start=300, end=311, label="PERSON"),
            Span(start=405, end=409, label="PERSON"),
        )
    )
    deid = deidentify_extraction(extraction, doc_id=SOURCE.doc_id, surrogates=surrogates, phi=phi)
    shifted = deid.extraction
    days = deid.shift_days
    assert 1 <= days <= 365
    assert [m.text for m in shifted.medications] == ["Metformin", "Acetaminophen", "Furosemide"]
    moved = dt.date.fromisoformat("2018-05-30") - dt.date.fromisoformat(shifted.medications[0].date)
    assert moved.days == days
    # The unlisted problem has no display to stand for its printed text: it is left out.
    assert [c.code.code for c in shifted.conditions] == ["I10"]
    # A coded item keeps its code; its printed text and reaction give way to displays.
    assert [(a.text, a.reaction) for a in shifted.allergies] == [
        ("Penicillin", "Eruption of skin"),
        ("NKDA", None),
    ]
    bundle = emit_deid_bundle(deid, redacted_pdf=b"%PDF", pages=1, cfg=FhirSettings())
    for phi_value in ("Harrison", "Margaret", "4829173", "1948-03-14", "2018-05-30", "2021-05-02"):
        assert phi_value not in bundle


def test_every_derived_resource_has_a_provenance_with_its_evidence() -> None:
    evidence = Evidence(page=1, box=Box(x0=120, y0=900, x1=840, y1=940), ocr_confidence=71.5)
    extraction = EXTRACTION.model_copy(
        update={"medications": (METFORMIN.model_copy(update={"evidence": evidence}),)}
    )
    bundle = json.loads(emit_bundle(SOURCE, extraction, scan=b"pdf", cfg=FhirSettings()))
    Bundle.model_validate(bundle)
    docref = _resources(bundle, "DocumentReference")[0]["id"]
    derived = [
        e["resource"]["id"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] not in ("Patient", "DocumentReference", "Provenance")
    ]
    provenances = _resources(bundle, "Provenance")
    assert sorted(t["reference"] for p in provenances for t in p["target"]) == sorted(
        f"urn:uuid:{rid}" for rid in derived
    )
    (metformin,) = _resources(bundle, "MedicationStatement")
    (prov,) = [p for p in provenances if p["target"][0]["reference"].endswith(metformin["id"])]
    assert prov["recorded"] == "2021-05-02T00:00:00Z"
    assert prov["agent"][0]["who"]["display"].startswith("chart2fhir ")
    (entity,) = prov["entity"]
    assert entity["role"] == "source"
    assert entity["what"] == {"reference": f"urn:uuid:{docref}"}
    (ext,) = entity["extension"]
    assert ext["url"] == EVIDENCE
    assert {x["url"]: next(v for k, v in x.items() if k != "url") for x in ext["extension"]} == {
        "page": 2,
        "box": "120,900,840,940",
        "ocrConfidence": 71.5,
        "extractionConfidence": 1.0,
        "textOffsets": "100-150",
    }
    # Provenance has no identifier: it is PUT under its stable id.
    (entry,) = [
        e
        for e in bundle["entry"]
        if e["resource"] is not None and e["resource"]["id"] == prov["id"]
    ]
    assert entry["request"] == {"method": "PUT", "url": f"Provenance/{prov['id']}"}
