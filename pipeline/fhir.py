"""FHIR: one document's extraction as an R4 transaction Bundle (identified data).

Ids are uuid5 over the doc_id and a resource key, and no resource carries a wall-clock
time, so the same input gives the same bytes. Every create is conditional (``ifNoneExist``
on an identifier we mint), so loading the same bundle twice creates nothing new, and the
Patient is matched on its MRN across documents.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from pipeline.codesystems import LOINC, UCUM
from pipeline.errors import BundleInvalid
from pipeline.schema import (
    ITEM_FIELDS,
    Allergy,
    Coding,
    Condition,
    Extracted,
    Extraction,
    Medication,
    Observation,
    Source,
)
from pipeline.settings import FhirSettings

if TYPE_CHECKING:
    from pipeline.deid.surrogate import DeidExtraction

NAMESPACE = uuid.UUID("6b1f4a52-3c1e-5a8e-9f0e-2d8c1c7a9b10")
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
# v3-ObservationInterpretation code (schema.Interpretation) -> display.
INTERPRETATIONS = {
    "H": "High",
    "L": "Low",
    "HH": "Critical high",
    "LL": "Critical low",
    "A": "Abnormal",
    "AA": "Critical abnormal",
    "N": "Normal",
}
DOC_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
DOC_SYSTEM = "urn:chart2fhir:document"
OBS_SYSTEM = "urn:chart2fhir:observation"
# MedicationStatement, Condition and AllergyIntolerance: identifiers we mint for
# conditional create, as the Observation's.
DERIVED_SYSTEM = "urn:chart2fhir:resource"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
CONDITION_CATEGORIES = {
    "problem-list-item": "Problem List Extracted",
    "encounter-diagnosis": "Encounter Diagnosis",
}
# De-identified bundles: identifiers under systems of their own, resources labelled.
DEID_DOC_SYSTEM = "urn:chart2fhir:deid:document"
DEID_PATIENT_SYSTEM = "urn:chart2fhir:deid:patient"
AGE_90_OR_OLDER = "urn:chart2fhir:fhir:extension:age-90-or-older"
# Provenance: where a value was read (page, box, confidences), by which software.
EVIDENCE = "urn:chart2fhir:fhir:extension:evidence"
SOFTWARE = f"chart2fhir {metadata.version('chart2fhir')}"
UNDATED = "1970-01-01T00:00:00Z"  # Provenance.recorded when the document prints no date
PSEUDONYMIZED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "PSEUDED",
    "display": "pseudonymized",
}

# Document kind (extract/kind) -> LOINC document type.
DOC_TYPES = {
    "progress-note": ("11506-3", "Progress note"),
    "lab-report": ("11502-2", "Laboratory report"),
    "vitals-flowsheet": ("8716-3", "Vital signs"),
    "discharge-summary": ("18842-5", "Discharge summary"),
    "intake-form": ("34117-2", "History and physical note"),
    "medication-list": ("10160-0", "History of Medication use Narrative"),
}
UNKNOWN_DOC_TYPE = ("34133-9", "Summary of episode note")


def resource_id(doc_id: str, key: str) -> str:
    """A stable id for the resource ``key`` of document ``doc_id``."""
    return str(uuid.uuid5(NAMESPACE, f"{doc_id}/{key}"))


def patient_resource_id(doc_id: str, mrn: str | None, mrn_system: str) -> str:
    """The Patient's id: one per MRN across documents, else one per document.

    Documents of one MRN then share one Patient in every bundle and in the NDJSON export;
    whether they really are one person is checked by ``pipeline/identity.py``.
    """
    if mrn:
        return str(uuid.uuid5(NAMESPACE, f"patient/{mrn_system}|{mrn}"))
    return resource_id(doc_id, "patient")


def emit_bundle(
    source: Source,
    extraction: Extraction,
    *,
    scan: bytes | None,
    cfg: FhirSettings,
    review: Review | None = None,
) -> str:
    """The transaction Bundle as JSON text, validated against FHIR R4 (fhir.resources.R4B).

    ``scan`` is the input file's bytes, embedded in the DocumentReference up to
    ``cfg.embed_max_bytes``; a larger scan (or None) is referenced by file URL instead.
    ``review``: the bundle after review (pipeline/revise.py): ``extraction`` holds the
    reviewed items at the indexes of ``review.original``'s; each reviewed resource is
    updated in place (a conditional PUT on its identifier) or, rejected, deleted, with a
    Provenance naming the reviewer and the value as read.

    Raises:
        BundleInvalid: the bundle does not validate.

    """
    url = Path(source.path).resolve().as_uri()
    return _validated(_bundle(source, extraction, scan=scan, url=url, cfg=cfg, review=review))


def emit_deid_bundle(
    deid: DeidExtraction, *, redacted_pdf: bytes, pages: int, cfg: FhirSettings
) -> str:
    """The de-identified Bundle (bundle.deid.json): surrogates, shifted dates, redacted.pdf.

    The same shape as ``emit_bundle``'s, from ``deid/surrogate.deidentify_extraction``: the
    Patient has a surrogate name and MRN (under ``DEID_PATIENT_SYSTEM``), every id is minted
    from the surrogate document id, the DocumentReference holds redacted.pdf (referenced as
    "redacted.pdf", beside the bundle, when too large to embed), and every resource is
    labelled pseudonymized (``meta.security`` PSEUDED). A patient of 90 or older has no
    birth date but an ``AGE_90_OR_OLDER`` extension.

    Raises:
        BundleInvalid: the bundle does not validate.

    """
    source = Source(
        path="redacted.pdf",
        doc_id=deid.doc_id,
        sha256=hashlib.sha256(redacted_pdf).hexdigest(),
        size=len(redacted_pdf),
        media_type="application/pdf",
        pages=pages,
    )
    cfg = cfg.model_copy(update={"mrn_system": DEID_PATIENT_SYSTEM})
    bundle = _bundle(
        source,
        deid.extraction,
        scan=redacted_pdf,
        url="redacted.pdf",
        cfg=cfg,
        doc_system=DEID_DOC_SYSTEM,
    )
    for entry in bundle["entry"]:
        resource = entry["resource"]
        resource["meta"] = {"security": [PSEUDONYMIZED]}
        if resource["resourceType"] == "Patient" and deid.ninety_or_older:
            resource["extension"] = [{"url": AGE_90_OR_OLDER, "valueBoolean": True}]
    return _validated(bundle)


def _bundle(
    source: Source,
    extraction: Extraction,
    *,
    scan: bytes | None,
    url: str,
    cfg: FhirSettings,
    doc_system: str = DOC_SYSTEM,
    review: Review | None = None,
) -> dict[str, Any]:
    doc_id = source.doc_id
    patient_id = patient_resource_id(doc_id, extraction.patient.mrn, cfg.mrn_system)
    docref_id = resource_id(doc_id, "document")
    docref = _document_reference(source, extraction, scan, url, docref_id, patient_id, cfg)
    docref["identifier"] = [{"system": doc_system, "value": doc_id}]
    entries = [
        _entry(
            patient_id,
            _patient(extraction, patient_id, cfg),
            _patient_request(extraction, patient_id, cfg),
        ),
        _entry(
            docref_id,
            docref,
            {
                "method": "POST",
                "url": "DocumentReference",
                "ifNoneExist": f"identifier={doc_system}|{doc_id}",
            },
        ),
    ]
    refs = Refs(patient=patient_id, document=docref_id, date=extraction.document_date)
    original = review.original if review else extraction
    evidence: list[tuple[str, Extracted]] = []  # (resource id, item): what each Provenance cites
    reviewed: list[dict[str, Any]] = []  # the reviewers' Provenance entries
    for field, i, item in _items(extraction):
        as_read = getattr(original, field)[i]
        kind, key = _kind_and_key(field, as_read)
        rid = resource_id(doc_id, key)
        if isinstance(item, Observation):
            resource = _observation(item, rid, patient_id, docref_id, extraction.document_date, cfg)
            entry = _entry(
                rid,
                resource,
                {
                    "method": "POST",
                    "url": "Observation",
                    "ifNoneExist": f"identifier={OBS_SYSTEM}|{rid}",
                },
            )
        else:
            body = _BODIES[field](item, refs, cfg)
            identifier = [{"system": DERIVED_SYSTEM, "value": rid}]
            entry = _conditional(
                rid, {"resourceType": kind, "id": rid, "identifier": identifier, **body}
            )
        change = review.changes.get((field, i)) if review else None
        if change is not None:
            system = OBS_SYSTEM if kind == "Observation" else DERIVED_SYSTEM
            reviewed.append(_reviewed(rid, kind, system, change, refs))
            if change.action == "reject":
                # Taken out of the record: deleted on the server if an earlier load made it.
                entries.append(
                    {"request": {"method": "DELETE", "url": f"{kind}?identifier={system}|{rid}"}}
                )
                continue
            # Loaded before as a create: the reviewed version replaces it (same identifier).
            entry["request"] = {"method": "PUT", "url": f"{kind}?identifier={system}|{rid}"}
        entries.append(entry)
        # The software's Provenance tells how the value was read, reviewed or not.
        evidence.append((rid, as_read))
    for target, item in evidence:
        rid = resource_id(doc_id, f"provenance/{target}")
        # Provenance has no identifier to create on condition: it is PUT under its id,
        # which is as stable as the others', so a second load updates it in place.
        entries.append(
            _entry(
                rid,
                _provenance(rid, target, item, refs),
                {"method": "PUT", "url": f"Provenance/{rid}"},
            )
        )
    entries.extend(reviewed)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": resource_id(doc_id, "bundle"),
        "type": "transaction",
        "entry": entries,
    }
    if review is not None:
        bundle["meta"] = {"versionId": str(review.version)}
    return bundle


def _items(extraction: Extraction) -> list[tuple[str, int, Extracted]]:
    """(field, index, item) of every item, observations first (the bundle's order)."""
    return [
        (field, i, item)
        for field in ITEM_FIELDS
        for i, item in enumerate(getattr(extraction, field))
    ]


def _kind_and_key(field: str, item: Any) -> tuple[str, str]:
    """The resource type of an item and the key of its id (``resource_id``).

    The key is the original reading's: a corrected value keeps its resource id.
    """
    if field == "observations":
        return "Observation", f"obs/{item.code}/{item.start}/{item.end}"
    if field == "medications":
        return "MedicationStatement", f"medication/{item.start}/{item.end}"
    if field == "conditions":
        return "Condition", f"condition/{item.code.code}"
    return "AllergyIntolerance", f"allergy/{item.start}/{item.end}"


@dataclass(frozen=True)
class Change:
    """A reviewer's decision on one item, for its Provenance."""

    action: Literal["accept", "correct", "reject"]
    reviewer: str
    at: str  # ISO 8601 instant with zone
    original: str  # the value as read, as a reviewer saw it ("88 /min")


@dataclass(frozen=True)
class Review:
    """What reviewers decided on a document's items, for ``emit_bundle``.

    ``original``: the extraction as read (resource ids come from it); ``changes`` by
    (field, index) into its item lists; ``version``: the bundle's version (Bundle.meta).
    """

    original: Extraction
    changes: dict[tuple[str, int], Change]
    version: int


REVIEWER_SYSTEM = "urn:chart2fhir:reviewer"
ORIGINAL_VALUE = "urn:chart2fhir:fhir:extension:original-value"
_ACTIVITY = {"accept": "verify", "correct": "UPDATE", "reject": "DELETE"}


def _reviewed(target: str, kind: str, system: str, change: Change, refs: Refs) -> dict[str, Any]:
    """The Provenance of a reviewer's decision: who, when, what was read before.

    It targets the reviewed resource; a rejected one is gone, so its Provenance targets the
    document it was read from. Its id comes from the decision, so a later version of the
    bundle, which carries every decision, updates it rather than adding another.
    """
    rid = resource_id(target, f"review/{change.action}/{change.at}")
    if change.action == "reject":
        target_ref = {"reference": f"urn:uuid:{refs.document}"}
    else:
        target_ref = {"reference": f"urn:uuid:{target}"}
    agent_type = "verifier" if change.action == "accept" else "author"
    activity = (
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "VRF"}
        if change.action == "accept"
        else {
            "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
            "code": _ACTIVITY[change.action],
        }
    )
    resource = {
        "resourceType": "Provenance",
        "id": rid,
        "target": [target_ref],
        "recorded": change.at,
        "activity": {"coding": [activity], "text": f"review: {change.action}"},
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": agent_type,
                        }
                    ]
                },
                "who": {
                    "identifier": {"system": REVIEWER_SYSTEM, "value": change.reviewer},
                    "display": change.reviewer,
                },
            }
        ],
        "entity": [
            {
                "role": "revision",
                "what": {"identifier": {"system": system, "value": target}, "display": kind},
                "extension": [{"url": ORIGINAL_VALUE, "valueString": change.original}],
            }
        ],
    }
    return _entry(rid, resource, {"method": "PUT", "url": f"Provenance/{rid}"})


def _validated(bundle: dict[str, Any]) -> str:
    from fhir.resources.R4B.bundle import Bundle

    try:
        model = Bundle.model_validate(bundle)
    except (ValidationError, ValueError, TypeError) as e:
        raise BundleInvalid() from e
    return json.dumps(json.loads(model.model_dump_json(exclude_none=True)), indent=2) + "\n"


def _entry(rid: str, resource: dict[str, Any], request: dict[str, str]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{rid}", "resource": resource, "request": request}


def _patient(extraction: Extraction, pid: str, cfg: FhirSettings) -> dict[str, Any]:
    p = extraction.patient
    resource: dict[str, Any] = {"resourceType": "Patient", "id": pid}
    if p.mrn:
        resource["identifier"] = [
            {
                "use": "usual",
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "code": "MR",
                            "display": "Medical record number",
                        }
                    ]
                },
                "system": cfg.mrn_system,
                "value": p.mrn,
            }
        ]
    if p.family or p.given:
        name: dict[str, Any] = {"use": "official"}
        if p.family:
            name["family"] = p.family
        if p.given:
            name["given"] = list(p.given)
        resource["name"] = [name]
    if p.gender:
        resource["gender"] = p.gender
    if p.birth_date:
        resource["birthDate"] = p.birth_date
    return resource


def _patient_request(extraction: Extraction, pid: str, cfg: FhirSettings) -> dict[str, str]:
    """The Patient's request: a create on the MRN, else a PUT under its per-document id.

    Either way loading the bundle again, or a retry after a lost answer, makes no second
    Patient.
    """
    if extraction.patient.mrn:
        return {
            "method": "POST",
            "url": "Patient",
            "ifNoneExist": f"identifier={cfg.mrn_system}|{extraction.patient.mrn}",
        }
    return {"method": "PUT", "url": f"Patient/{pid}"}


def _document_reference(
    source: Source,
    extraction: Extraction,
    data: bytes | None,
    url: str,
    rid: str,
    patient_id: str,
    cfg: FhirSettings,
) -> dict[str, Any]:
    code, display = DOC_TYPES.get(extraction.document_kind or "", UNKNOWN_DOC_TYPE)
    attachment: dict[str, Any] = {
        "contentType": source.media_type,
        "title": Path(source.path).name,
        "size": source.size,
    }
    if data is not None and len(data) <= cfg.embed_max_bytes:
        attachment["data"] = base64.b64encode(data).decode()
        # FHIR's Attachment.hash is the base64 SHA-1 of the data.
        attachment["hash"] = base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324
    else:
        attachment["url"] = url
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": rid,
        "status": "current",
        "type": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "category": [
            {
                "coding": [
                    {"system": DOC_CATEGORY, "code": "clinical-note", "display": "Clinical Note"}
                ]
            }
        ],
        "subject": {"reference": f"urn:uuid:{patient_id}"},
        "content": [{"attachment": attachment}],
    }
    if extraction.document_date:
        # DocumentReference.date is an instant; the chart gives a day. We state the day at
        # midnight UTC rather than the wall clock, so that re-runs stay byte-identical.
        resource["date"] = f"{extraction.document_date[:10]}T00:00:00Z"
        resource["context"] = {"period": {"start": extraction.document_date}}
    return resource


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _observation(
    obs: Observation,
    rid: str,
    patient_id: str,
    docref_id: str,
    document_date: str | None,
    cfg: FhirSettings,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "identifier": [{"system": OBS_SYSTEM, "value": rid}],
        # A value read with low confidence is not final until a reviewer confirms it.
        "status": "final" if _trusted(obs, cfg) else "preliminary",
        "category": [
            {
                "coding": [
                    {
                        "system": OBS_CATEGORY,
                        "code": obs.category,
                        "display": "Vital Signs" if obs.category == "vital-signs" else "Laboratory",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": LOINC, "code": obs.code, "display": obs.display}],
            "text": obs.display,
        },
        "subject": {"reference": f"urn:uuid:{patient_id}"},
        "derivedFrom": [{"reference": f"urn:uuid:{docref_id}"}],
    }
    effective = obs.effective or document_date
    if effective:
        resource["effectiveDateTime"] = effective
    if obs.quantity is not None:
        resource["valueQuantity"] = _quantity(obs.quantity.value, obs.quantity.unit)
    if obs.interpretation is not None:
        coding = {
            "system": INTERPRETATION,
            "code": obs.interpretation,
            "display": INTERPRETATIONS[obs.interpretation],
        }
        resource["interpretation"] = [{"coding": [coding]}]
    if obs.reference_range is not None:
        ref = obs.reference_range
        printed: dict[str, Any] = {"text": ref.text}
        if ref.low is not None:
            printed["low"] = _quantity(ref.low.value, ref.low.unit)
        if ref.high is not None:
            printed["high"] = _quantity(ref.high.value, ref.high.unit)
        resource["referenceRange"] = [printed]
    if obs.components:
        resource["component"] = [
            {
                "code": {"coding": [{"system": LOINC, "code": c.code, "display": c.display}]},
                "valueQuantity": _quantity(c.quantity.value, c.quantity.unit),
            }
            for c in obs.components
        ]
    return resource


@dataclass(frozen=True)
class Refs:
    """What a derived resource points at: its patient and document, and the document date."""

    patient: str
    document: str
    date: str | None


def _coding(c: Coding) -> dict[str, str]:
    coding = {"system": c.system, "code": c.code}
    if c.display is not None:
        coding["display"] = c.display
    return coding


def _concept(coding: Coding | None, text: str) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if coding is not None:
        concept["coding"] = [_coding(coding)]
    return concept


def _status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _medication_statement(m: Medication, refs: Refs) -> dict[str, Any]:
    """A MedicationStatement (its id and identifier are added by ``_bundle``)."""
    resource: dict[str, Any] = {
        "status": m.status,
        "medicationCodeableConcept": _concept(m.code, m.text),
        "subject": {"reference": f"urn:uuid:{refs.patient}"},
        "derivedFrom": [{"reference": f"urn:uuid:{refs.document}"}],
    }
    if m.date:
        resource["effectivePeriod"] = {"start" if m.status == "active" else "end": m.date}
    if refs.date:
        resource["dateAsserted"] = refs.date
    dosage: dict[str, Any] = {}
    if m.sig:
        dosage["text"] = m.sig
    if m.timing is not None:
        repeat: dict[str, Any] = {
            "frequency": m.timing.frequency,
            "period": m.timing.period,
            "periodUnit": m.timing.period_unit,
        }
        if m.timing.when:
            repeat["when"] = [m.timing.when]
        dosage["timing"] = {"repeat": repeat}
    if m.as_needed is not None:
        if m.as_needed.upper() == "PRN" or m.as_needed.lower() == "as needed":
            dosage["asNeededBoolean"] = True
        else:
            dosage["asNeededCodeableConcept"] = {"text": m.as_needed}
    if m.route is not None:
        dosage["route"] = {"coding": [_coding(m.route)]}
    if m.dose is not None:
        dosage["doseAndRate"] = [{"doseQuantity": _quantity(m.dose.value, m.dose.unit)}]
    if dosage:
        resource["dosage"] = [dosage]
    return resource


def _condition(c: Condition, refs: Refs, cfg: FhirSettings) -> dict[str, Any]:
    """A Condition; one read with low confidence is unconfirmed until a reviewer says."""
    confirmed = _trusted(c, cfg)
    resource: dict[str, Any] = {
        "clinicalStatus": _status(CONDITION_CLINICAL, c.clinical_status),
        "verificationStatus": _status(
            CONDITION_VERIFICATION, "confirmed" if confirmed else "unconfirmed"
        ),
        "category": [
            {
                "coding": [
                    {
                        "system": CONDITION_CATEGORY,
                        "code": c.category,
                        "display": CONDITION_CATEGORIES[c.category],
                    }
                ]
            }
        ],
        "code": _concept(c.code, c.text),
        "subject": {"reference": f"urn:uuid:{refs.patient}"},
        "evidence": [{"detail": [{"reference": f"urn:uuid:{refs.document}"}]}],
    }
    if refs.date:
        resource["recordedDate"] = refs.date
    return resource


def _allergy_intolerance(a: Allergy, refs: Refs, cfg: FhirSettings) -> dict[str, Any]:
    """An AllergyIntolerance; "NKDA" is one whose code is the no-known-allergy situation."""
    confirmed = _trusted(a, cfg)
    resource: dict[str, Any] = {
        "clinicalStatus": _status(ALLERGY_CLINICAL, "active"),
        "verificationStatus": _status(
            ALLERGY_VERIFICATION, "confirmed" if confirmed else "unconfirmed"
        ),
        "code": _concept(a.code, a.text),
        "patient": {"reference": f"urn:uuid:{refs.patient}"},
    }
    if a.category is not None:
        resource["category"] = [a.category]
    if refs.date:
        resource["recordedDate"] = refs.date
    if a.reaction is not None:
        resource["reaction"] = [{"manifestation": [_concept(a.reaction_code, a.reaction)]}]
    return resource


# The FHIR body of a listed item, by Extraction field.
_BODIES: dict[str, Any] = {
    "medications": lambda m, refs, cfg: _medication_statement(m, refs),
    "conditions": _condition,
    "allergies": _allergy_intolerance,
}


def _conditional(rid: str, resource: dict[str, Any]) -> dict[str, Any]:
    """The entry creating ``resource`` unless one with its minted identifier exists."""
    kind = resource["resourceType"]
    return _entry(
        rid,
        resource,
        {"method": "POST", "url": kind, "ifNoneExist": f"identifier={DERIVED_SYSTEM}|{rid}"},
    )


def _provenance(rid: str, target: str, item: Extracted, refs: Refs) -> dict[str, Any]:
    """Provenance of one derived resource: the document it was read from, where, by what.

    The entity is the DocumentReference, with an ``EVIDENCE`` extension giving the page
    (1-based), the pixel box on it (of the upright, deskewed page image: searchable.pdf's),
    the least OCR word confidence (0..100) and our extraction confidence (0..1).
    ``recorded`` must be an instant; it is the document's date at midnight UTC (as
    DocumentReference.date), or ``UNDATED`` when none is printed, never the wall clock, so
    re-runs stay byte-identical.
    """
    parts: list[dict[str, Any]] = [
        {"url": "extractionConfidence", "valueDecimal": item.confidence},
        # Character offsets of the value's text in text.txt.
        {"url": "textOffsets", "valueString": f"{item.start}-{item.end}"},
    ]
    if item.evidence is not None:
        b = item.evidence.box
        parts = [
            {"url": "page", "valuePositiveInt": item.evidence.page + 1},
            {"url": "box", "valueString": f"{b.x0},{b.y0},{b.x1},{b.y1}"},
            {"url": "ocrConfidence", "valueDecimal": round(item.evidence.ocr_confidence, 2)},
            *parts,
        ]
    return {
        "resourceType": "Provenance",
        "id": rid,
        "target": [{"reference": f"urn:uuid:{target}"}],
        "recorded": f"{refs.date[:10]}T00:00:00Z" if refs.date else UNDATED,
        "activity": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                    "code": "CREATE",
                    "display": "create",
                }
            ]
        },
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": "assembler",
                            "display": "Assembler",
                        }
                    ]
                },
                "who": {"display": SOFTWARE},
            }
        ],
        "entity": [
            {
                "role": "source",
                "what": {"reference": f"urn:uuid:{refs.document}"},
                "extension": [{"url": EVIDENCE, "extension": parts}],
            }
        ],
    }


def _trusted(item: Extracted, cfg: FhirSettings) -> bool:
    """Whether ``item`` goes in as final (confirmed) rather than for a reviewer to confirm."""
    return item.confidence >= cfg.final_min_confidence
