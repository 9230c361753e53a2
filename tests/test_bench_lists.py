"""The benchmark's list scoring: truth and bundle items, matching, per-level counts."""

from __future__ import annotations

import json

from pipeline.bench_lists import ListTally, Vocabulary, bundle_items, truth_items
from pipeline.fhir import emit_bundle
from pipeline.settings import FhirSettings, Settings
from tests.test_fhir_lists import EXTRACTION, SOURCE

TRUTH = {
    "degradation": "moderate",
    "medications": [
        {"name": "Metformin", "strength": "500 mg", "route": "PO",
         "frequency": "daily with breakfast", "status": "active"},
        {"name": "Acetaminophen", "strength": "650 mg", "route": "PO",
         "frequency": "q6h PRN pain", "status": "active"},
        {"name": "Furosemide", "strength": "40 mg", "route": None, "frequency": None,
         "status": "stopped"},
        {"name": "Sertraline", "strength": "50 mg", "route": "PO", "frequency": "daily",
         "status": "active"},
    ],
    "conditions": [{"code": "I10", "display": "Essential (primary) hypertension",
                    "category": "problem-list-item"}],
    "allergies": [
        {"substance": "Penicillin", "reaction": "hives", "no_known": False},
        {"substance": None, "reaction": None, "no_known": True},
    ],
}  # fmt: skip


def test_lists_are_matched_and_counted() -> None:
    vocab = Vocabulary.load(Settings().extract.models_dir)
    bundle = json.loads(emit_bundle(SOURCE, EXTRACTION, scan=None, cfg=FhirSettings()))
    tally = ListTally()
    tally.add("moderate", truth_items(TRUTH, vocab), bundle_items(bundle, vocab))
    figures = tally.figures()
    meds = figures["medications"]["by_level"]["moderate"]
    # Three of four truth lines found; the uncoded fourth bundle item matches nothing.
    assert (meds["tp"], meds["predicted"], meds["true"]) == (3, 4, 4)
    # Metformin's and Furosemide's route and timing are right; Acetaminophen's route is
    # missing from the extraction while the truth says PO.
    assert meds["detail_right"] == round(2 / 3, 4)
    conditions = figures["conditions"]["all"]
    assert (conditions["tp"], conditions["predicted"], conditions["true"]) == (1, 2, 1)
    allergies = figures["allergies"]["all"]
    # Both allergies match; Penicillin's reaction is "rash" in the bundle, not "hives".
    assert (allergies["tp"], allergies["detail_right"]) == (2, 0.5)
    assert "heavy" not in figures["medications"]["by_level"]


def test_server_load_counts_accepted_bundles_and_what_a_second_load_creates() -> None:
    """The bench's third validator: a real FHIR server, loaded twice."""
    from pipeline.bench_lists import _validity_lines, server_load
    from tests import test_fhir

    extraction = test_fhir.EXTRACTION
    good = json.loads(emit_bundle(test_fhir.SOURCE, extraction, scan=None, cfg=FhirSettings()))
    # The same bundle with an Observation the server must refuse (no status, no code).
    bad = json.loads(json.dumps(good))
    obs = next(e for e in bad["entry"] if e["resource"]["resourceType"] == "Observation")
    del obs["resource"]["status"], obs["resource"]["code"]
    obs["resource"]["identifier"][0]["value"] += "-bad"  # so that it matches nothing there
    obs["request"].pop("ifNoneExist", None)
    bad["entry"] = [obs]
    result = server_load({"bundle.json": [good, bad], "bundle.deid.json": [good]})
    assert result["seconds"] > 0
    assert {k: v for k, v in result.items() if k != "seconds"} == {
        "bundles": 3,
        "accepted": 2,  # the good bundle, in each space
        "second_load_created": 0,  # the good ones find their twins; the bad one makes nothing
        "second_load_accepted": 2,
        "request_errors": 0,
    }
    lines = _validity_lines({"bundles": 3, "r4b_valid": 3, "schema_valid": 2, "server": result})
    assert "2/3; loaded a second time: 2/3 accepted, 0 resources created (0 requests" in lines[2]
