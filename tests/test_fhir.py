"""FHIR: the transaction bundle's shape, codes, ids and validity."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given
from hypothesis import strategies as st

from pipeline.fhir import emit_bundle, emit_deid_bundle, patient_resource_id
from pipeline.schema import (
    Component,
    Extraction,
    Observation,
    Patient,
    PhiReport,
    Quantity,
    ReferenceRange,
    Source,
)
from pipeline.settings import FhirSettings

SCAN = b"%PDF-1.4 synthetic scan bytes"
SOURCE = Source(
    path="/scans/c001.pdf",
    doc_id="0123456789abcdef",
    sha256="0" * 64,
    size=len(SCAN),
    media_type="application/pdf",
    pages=1,
)
BP = Observation(
    code="85354-9",
    display="Blood pressure panel with all children optional",
    category="vital-signs",
    start=10,
    end=30,
    effective="2021-05-02",
    components=(
        Component(
            code="8480-6",
            display="Systolic blood pressure",
            quantity=Quantity(value=132, unit="mm[Hg]"),
        ),
        Component(
            code="8462-4",
            display="Diastolic blood pressure",
            quantity=Quantity(value=84, unit="mm[Hg]"),
        ),
    ),
)
GLUCOSE = Observation(
    code="2345-7",
    display="Glucose",
    category="laboratory",
    quantity=Quantity(value=182, unit="mg/dL"),
    start=40,
    end=60,
)
EXTRACTION = Extraction(
    patient=Patient(
        mrn="4829173",
        family="Harrison",
        given=("Margaret",),
        birth_date="1948-03-14",
        gender="female",
    ),
    document_date="2021-05-02",
    document_kind="progress-note",
    observations=(BP, GLUCOSE),
)


def _bundle(extraction: Extraction = EXTRACTION) -> dict:
    return json.loads(emit_bundle(SOURCE, extraction, scan=SCAN, cfg=FhirSettings()))


def _by_type(bundle: dict, kind: str) -> list[dict]:
    return [e for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_validates_as_r4_transaction() -> None:
    bundle = _bundle()
    assert bundle["type"] == "transaction"
    Bundle.model_validate(bundle)  # raises if invalid
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "Patient",
        "DocumentReference",
        "Observation",
        "Observation",
        "Provenance",  # one per derived resource (tests/test_fhir_lists.py)
        "Provenance",
    ]


def test_patient_conditional_create_on_mrn() -> None:
    (entry,) = _by_type(_bundle(), "Patient")
    patient = entry["resource"]
    assert patient["identifier"][0]["system"] == "urn:chart2fhir:mrn"
    assert patient["identifier"][0]["value"] == "4829173"
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert patient["name"] == [{"use": "official", "family": "Harrison", "given": ["Margaret"]}]
    assert (patient["birthDate"], patient["gender"]) == ("1948-03-14", "female")
    assert entry["request"] == {
        "method": "POST",
        "url": "Patient",
        "ifNoneExist": "identifier=urn:chart2fhir:mrn|4829173",
    }


def test_patient_without_mrn_is_put_under_its_id() -> None:
    bundle = _bundle(EXTRACTION.model_copy(update={"patient": Patient()}))
    (entry,) = _by_type(bundle, "Patient")
    assert "identifier" not in entry["resource"]
    # No identifier to create on: PUT under the per-document id, so a second load (or a
    # retry after a lost answer) makes no second Patient.
    rid = entry["resource"]["id"]
    assert rid == patient_resource_id(SOURCE.doc_id, None, FhirSettings().mrn_system)
    assert entry["request"] == {"method": "PUT", "url": f"Patient/{rid}"}


def test_document_reference() -> None:
    (entry,) = _by_type(_bundle(), "DocumentReference")
    doc = entry["resource"]
    assert doc["status"] == "current"
    assert doc["type"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "11506-3",
        "display": "Progress note",
    }
    assert doc["category"][0]["coding"][0]["code"] == "clinical-note"
    # The Patient is named by its MRN, the same in every document of that MRN.
    patient = patient_resource_id(SOURCE.doc_id, "4829173", FhirSettings().mrn_system)
    assert doc["subject"]["reference"] == "urn:uuid:" + patient
    assert patient != patient_resource_id("another-doc", "4829173", "urn:other-system")
    assert doc["date"] == "2021-05-02T00:00:00Z"
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["title"] == "c001.pdf"
    assert base64.b64decode(attachment["data"]) == SCAN
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(SCAN).digest()
    assert attachment["size"] == len(SCAN)


def test_large_scan_is_referenced_not_embedded() -> None:
    bundle = json.loads(
        emit_bundle(SOURCE, EXTRACTION, scan=SCAN, cfg=FhirSettings(embed_max_bytes=4))
    )
    attachment = _by_type(bundle, "DocumentReference")[0]["resource"]["content"][0]["attachment"]
    assert "data" not in attachment and attachment["url"] == "file:///scans/c001.pdf"
    assert "hash" not in attachment  # no hash of data that is not there


def test_observations_codes_units_dates() -> None:
    bp, glucose = (e["resource"] for e in _by_type(_bundle(), "Observation"))
    assert bp["code"]["coding"][0]["code"] == "85354-9"
    assert bp["category"][0]["coding"][0]["code"] == "vital-signs"
    assert bp["effectiveDateTime"] == "2021-05-02"
    assert "valueQuantity" not in bp
    assert [
        (
            c["code"]["coding"][0]["code"],
            c["valueQuantity"]["value"],
            c["valueQuantity"]["code"],
            c["valueQuantity"]["system"],
        )
        for c in bp["component"]
    ] == [
        ("8480-6", 132, "mm[Hg]", "http://unitsofmeasure.org"),
        ("8462-4", 84, "mm[Hg]", "http://unitsofmeasure.org"),
    ]
    assert glucose["category"][0]["coding"][0]["code"] == "laboratory"
    assert glucose["valueQuantity"] == {
        "value": 182,
        "unit": "mg/dL",
        "system": "http://unitsofmeasure.org",
        "code": "mg/dL",
    }
    # No effective date of its own: the document's date applies.
    assert glucose["effectiveDateTime"] == "2021-05-02"
    assert glucose["status"] == "final"


@pytest.mark.parametrize(
    ("confidence", "status"),
    [
        (1.0, "final"),  # read cleanly
        (0.5, "final"),  # at the threshold
        (0.45, "preliminary"),  # e.g. a decimal point put back by the extractor
    ],
)
def test_low_confidence_values_are_preliminary(confidence: float, status: str) -> None:
    obs = GLUCOSE.model_copy(update={"confidence": confidence})
    bundle = _bundle(EXTRACTION.model_copy(update={"observations": (obs,)}))
    assert _by_type(bundle, "Observation")[0]["resource"]["status"] == status


def test_ids_are_deterministic_and_distinct() -> None:
    a, b = (
        emit_bundle(SOURCE, EXTRACTION, scan=SCAN, cfg=FhirSettings()),
        emit_bundle(SOURCE, EXTRACTION, scan=SCAN, cfg=FhirSettings()),
    )
    assert a == b
    ids = [e["resource"]["id"] for e in json.loads(a)["entry"]]
    assert len(set(ids)) == len(ids)
    for e in json.loads(a)["entry"]:
        assert e["fullUrl"] == "urn:uuid:" + e["resource"]["id"]


@given(
    st.floats(min_value=0.01, max_value=1e5, allow_nan=False),
    st.sampled_from(["mg/dL", "mmol/L", "/min", "[degF]", "%", "10*3/uL"]),
)
def test_value_round_trips_through_fhir(value: float, unit: str) -> None:
    obs = GLUCOSE.model_copy(update={"quantity": Quantity(value=value, unit=unit)})
    bundle = _bundle(EXTRACTION.model_copy(update={"observations": (obs,)}))
    q = _by_type(bundle, "Observation")[0]["resource"]["valueQuantity"]
    assert q["value"] == pytest.approx(value) and q["code"] == unit
    assert Bundle.model_validate(bundle).entry[2].resource.valueQuantity.code == unit


def _deid_bundle(birth: str) -> dict:
    from pipeline.deid.assets import load_assets
    from pipeline.deid.surrogate import Surrogates, deidentify_extraction
    from pipeline.settings import DeidSettings

    surrogates = Surrogates(b"k" * 32, load_assets(DeidSettings().models_dir))
    extraction = EXTRACTION.model_copy(
        update={"patient": EXTRACTION.patient.model_copy(update={"birth_date": birth})}
    )
    deid = deidentify_extraction(
        extraction, doc_id=SOURCE.doc_id, surrogates=surrogates, phi=PhiReport()
    )
    text = emit_deid_bundle(deid, redacted_pdf=b"%PDF-1.4 painted", pages=1, cfg=FhirSettings())
    Bundle.model_validate_json(text)
    return json.loads(text)


def test_deid_bundle_of_a_patient_ninety_or_older_has_no_birth_date() -> None:
    old = _deid_bundle("1920-03-14")["entry"][0]["resource"]
    assert "birthDate" not in old
    assert old["extension"] == [
        {"url": "urn:chart2fhir:fhir:extension:age-90-or-older", "valueBoolean": True}
    ]
    young = _deid_bundle("1948-03-14")["entry"][0]["resource"]
    assert "extension" not in young and young["birthDate"] != "1948-03-14"


def test_deid_bundle_holds_no_identifier_of_the_source() -> None:
    bundle = _deid_bundle("1948-03-14")
    raw = json.dumps(bundle)
    for value in (SOURCE.doc_id, "4829173", "Harrison", "Margaret", "/scans/c001.pdf", "c001"):
        assert value not in raw
    # Same shape and ids that hold for any re-run under the same key.
    assert bundle == _deid_bundle("1948-03-14")
    docref = bundle["entry"][1]["resource"]
    assert docref["identifier"][0]["system"] == "urn:chart2fhir:deid:document"
    assert base64.b64decode(docref["content"][0]["attachment"]["data"]) == b"%PDF-1.4 painted"


def test_bundles_validate_against_hl7s_json_schema(fhir_schema_errors) -> None:
    identified = json.loads(emit_bundle(SOURCE, EXTRACTION, scan=SCAN, cfg=FhirSettings()))
    assert fhir_schema_errors(identified) == []
    assert fhir_schema_errors(_deid_bundle("1920-03-14")) == []
    # The schema is live: a status outside the value set and an unknown field are refused.
    broken = json.loads(json.dumps(identified))
    obs = next(
        e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "Observation"
    )
    obs["status"] = "done"
    obs["valueQty"] = 1
    errors = fhir_schema_errors(broken)
    assert len(errors) == 2 and all("Observation" in e for e in errors)


FLAGGED = GLUCOSE.model_copy(
    update={
        "reference_range": ReferenceRange(
            low=Quantity(value=70, unit="mg/dL"),
            high=Quantity(value=99, unit="mg/dL"),
            text="70-99",
        ),
        "interpretation": "H",
    }
)
# An upper bound only and no printed flag: no interpretation is emitted.
LDL = Observation(
    code="13457-7",
    display="Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
    category="laboratory",
    quantity=Quantity(value=88, unit="mg/dL"),
    reference_range=ReferenceRange(high=Quantity(value=100, unit="mg/dL"), text="<100"),
    start=70,
    end=90,
)
RANGED = EXTRACTION.model_copy(update={"observations": (BP, FLAGGED, LDL)})


def test_reference_range_and_interpretation() -> None:
    bp, glucose, ldl = (e["resource"] for e in _by_type(_bundle(RANGED), "Observation"))
    assert "referenceRange" not in bp and "interpretation" not in bp
    ucum = "http://unitsofmeasure.org"
    assert glucose["referenceRange"] == [
        {
            "low": {"value": 70, "unit": "mg/dL", "system": ucum, "code": "mg/dL"},
            "high": {"value": 99, "unit": "mg/dL", "system": ucum, "code": "mg/dL"},
            "text": "70-99",
        }
    ]
    assert glucose["interpretation"] == [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                    "code": "H",
                    "display": "High",
                }
            ]
        }
    ]
    assert ldl["referenceRange"] == [
        {"high": {"value": 100, "unit": "mg/dL", "system": ucum, "code": "mg/dL"}, "text": "<100"}
    ]
    assert "interpretation" not in ldl
    model = Bundle.model_validate(_bundle(RANGED))
    parsed = model.entry[3].resource
    assert (
        parsed.referenceRange[0].low.value == 70 and parsed.interpretation[0].coding[0].code == "H"
    )


@pytest.mark.parametrize("code", ["H", "L", "HH", "LL", "A", "AA", "N"])
def test_every_interpretation_code_validates(code: str) -> None:
    obs = FLAGGED.model_copy(update={"interpretation": code})
    bundle = _bundle(EXTRACTION.model_copy(update={"observations": (obs,)}))
    coding = _by_type(bundle, "Observation")[0]["resource"]["interpretation"][0]["coding"][0]
    assert coding["code"] == code and coding["display"]
    Bundle.model_validate(bundle)


def test_deid_bundle_keeps_reference_range_and_interpretation(fhir_schema_errors) -> None:
    from pipeline.deid.assets import load_assets
    from pipeline.deid.surrogate import Surrogates, deidentify_extraction
    from pipeline.settings import DeidSettings

    surrogates = Surrogates(b"k" * 32, load_assets(DeidSettings().models_dir))
    deid = deidentify_extraction(
        RANGED, doc_id=SOURCE.doc_id, surrogates=surrogates, phi=PhiReport()
    )
    text = emit_deid_bundle(deid, redacted_pdf=b"%PDF-1.4 painted", pages=1, cfg=FhirSettings())
    bundle = json.loads(text)
    glucose = _by_type(bundle, "Observation")[1]["resource"]
    assert glucose["referenceRange"][0]["text"] == "70-99"
    assert glucose["interpretation"][0]["coding"][0]["code"] == "H"
    assert fhir_schema_errors(bundle) == []
    assert fhir_schema_errors(_bundle(RANGED)) == []
