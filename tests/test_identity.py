"""Patient identity across documents: one Patient per MRN, conflicts flagged, never merged."""

# One expected record per line reads better than wrapped tuples here.
# ruff: noqa: E501

from __future__ import annotations

import json
from pathlib import Path

from pipeline.batch import ingest, read_manifest
from pipeline.fhir import emit_bundle
from pipeline.identity import IDENTITY_FILE, check_identities
from pipeline.schema import DocumentRecord, Extraction, Patient, Source
from pipeline.settings import FhirSettings, Settings
from pipeline.vault import PLAIN
from tests.conftest import CHART_LINES, render_page

HARRISON = Patient(mrn="4829173", family="Harrison", given=("Margaret",), birth_date="1948-03-14")


def _write(out: Path, doc_id: str, patient: Patient) -> DocumentRecord:
    source = Source(
        path=f"/scans/{doc_id}.pdf",
        doc_id=doc_id,
        sha256="0" * 64,
        size=3,
        media_type="application/pdf",
        pages=1,
    )
    bundle = emit_bundle(source, Extraction(patient=patient), scan=b"pdf", cfg=FhirSettings())
    (out / doc_id).mkdir()
    (out / doc_id / "bundle.json").write_text(bundle)
    return DocumentRecord(source=source.path, doc_id=doc_id, status="done", pages=1)


def _patient_id(out: Path, doc_id: str) -> str:
    bundle = json.loads((out / doc_id / "bundle.json").read_text())
    return next(
        e["resource"]["id"]
        for e in bundle["entry"]
        if e["fullUrl"] and e["resource"]["resourceType"] == "Patient"
    )


def test_conflicts_are_flagged_and_cleared_when_their_cause_goes(tmp_path: Path) -> None:
    records = [
        _write(tmp_path, "aaaa", HARRISON),
        # The same person again: same MRN, name in capitals.
        _write(tmp_path, "bbbb", HARRISON.model_copy(update={"family": "HARRISON"})),
        # The same MRN, another birth date: a misread MRN or two charts under one number.
        _write(tmp_path, "cccc", HARRISON.model_copy(update={"birth_date": "1952-07-01"})),
        # The same person under another MRN: a duplicate chart.
        _write(tmp_path, "dddd", HARRISON.model_copy(update={"mrn": "5511002"})),
        _write(tmp_path, "eeee", Patient(mrn="7777777", family="Ortiz", given=("Ana",))),
    ]
    # One Patient per MRN: the documents of one MRN name the same Patient.
    assert (
        _patient_id(tmp_path, "aaaa")
        == _patient_id(tmp_path, "bbbb")
        == _patient_id(tmp_path, "cccc")
    )
    assert _patient_id(tmp_path, "dddd") != _patient_id(tmp_path, "aaaa")

    checked = {r.doc_id: r for r in check_identities(tmp_path, records, PLAIN)}
    assert {d: (r.status, r.reasons) for d, r in checked.items()} == {
        "aaaa": (
            "review",
            ("E405: Another document has this MRN with a different name or birth date.",),
        ),
        "bbbb": (
            "review",
            ("E405: Another document has this MRN with a different name or birth date.",),
        ),
        "cccc": (
            "review",
            ("E405: Another document has this MRN with a different name or birth date.",),
        ),
        "dddd": (
            "review",
            ("E406: Another document has this name and birth date under a different MRN.",),
        ),
        "eeee": ("done", ()),
    }
    assert checked["aaaa"].error is not None and checked["aaaa"].error.startswith("E405")
    report = (tmp_path / IDENTITY_FILE).read_text()
    assert json.loads(report) == {
        "patients": 3,
        "conflicts": [
            {
                "kind": "mrn-conflict",
                "documents": ["aaaa", "bbbb", "cccc"],
                "fields": ["birth_date"],
            },
            {
                "kind": "possible-duplicate-chart",
                "documents": ["aaaa", "bbbb", "dddd"],
                "fields": ["mrn"],
            },
        ],
    }
    for phi in ("Harrison", "HARRISON", "1948", "4829173", "Margaret"):
        assert phi not in report

    # The conflicting chart is withdrawn: the reasons go, another review reason stays.
    kept = [r for r in checked.values() if r.doc_id != "cccc"]
    kept = [
        r.model_copy(update={"reasons": (*r.reasons, "E403: x")}) if r.doc_id == "eeee" else r
        for r in kept
    ]
    again = {r.doc_id: r for r in check_identities(tmp_path, kept, PLAIN)}
    assert again["aaaa"].status == "review" and again["aaaa"].reasons[0].startswith("E406")
    assert again["eeee"].reasons == ("E403: x",)
    (tmp_path / "dddd" / "bundle.json").unlink()
    final = {r.doc_id: r for r in check_identities(tmp_path, kept, PLAIN)}
    assert (final["aaaa"].status, final["aaaa"].reasons, final["aaaa"].error) == ("done", (), None)


def test_ingest_flags_two_charts_under_one_mrn_with_different_birth_dates(
    tmp_path: Path, settings: Settings
) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    render_page(CHART_LINES).save(scans / "a.png", dpi=(300, 300))
    other = [line.replace("03/14/1948", "07/01/1952") for line in CHART_LINES]
    render_page(other).save(scans / "b.png", dpi=(300, 300))
    out = tmp_path / "out"
    records = ingest([str(scans)], out_dir=out, settings=settings, jobs=2)
    assert all("E405" in " ".join(r.reasons) for r in records), [r.reasons for r in records]
    assert [r.status for r in read_manifest(out)] == ["review", "review"]
    groups = json.loads((out / IDENTITY_FILE).read_text())["conflicts"]
    assert groups == [
        {
            "kind": "mrn-conflict",
            "documents": sorted(r.doc_id for r in records),
            "fields": ["birth_date"],
        }
    ]
    # Both bundles still name one Patient by the MRN; a reviewer, not we, splits them.
    assert _patient_id(out, records[0].doc_id) == _patient_id(out, records[1].doc_id)


def test_load_holds_back_documents_with_an_identity_conflict(tmp_path: Path) -> None:
    from pipeline.batch import write_manifest
    from pipeline.fhir_load import load_bundles
    from pipeline.settings import FhirLoadSettings

    records = [
        _write(tmp_path, "aaaa", HARRISON),
        _write(tmp_path, "cccc", HARRISON.model_copy(update={"birth_date": "1952-07-01"})),
        _write(tmp_path, "eeee", Patient(mrn="7777777", family="Ortiz", given=("Ana",))),
    ]
    write_manifest(tmp_path, check_identities(tmp_path, records, PLAIN))
    cfg = FhirLoadSettings(max_attempts=1, base_delay_s=0.0, timeout_s=2.0)
    # Nothing listens on port 9: a document that is tried fails to connect (E801).
    results = load_bundles(tmp_path, url="http://127.0.0.1:9", cfg=cfg)
    assert {r.doc_id: (r.status, (r.error or "")[:4], r.attempts) for r in results} == {
        "aaaa": ("skipped", "E810", 0),
        "cccc": ("skipped", "E810", 0),
        "eeee": ("failed", "E801", 1),
    }
    tried = load_bundles(tmp_path, url="http://127.0.0.1:9", cfg=cfg, include_conflicts=True)
    assert [r.error[:4] for r in tried if r.error] == ["E801", "E801", "E801"]


def test_twins_under_one_mrn_conflict_and_an_initial_agrees(tmp_path: Path) -> None:
    records = [
        _write(tmp_path, "aaaa", HARRISON),
        _write(tmp_path, "bbbb", HARRISON.model_copy(update={"given": ("M.",)})),
        _write(tmp_path, "cccc", HARRISON.model_copy(update={"given": ("Susan",)})),
        # No MRN: nothing to be a duplicate chart of, though name and birth date agree.
        _write(tmp_path, "dddd", HARRISON.model_copy(update={"mrn": None})),
    ]
    (tmp_path / "eeee").mkdir()
    (tmp_path / "eeee" / "bundle.json").write_text("{not json")
    records.append(DocumentRecord(source="/scans/e.pdf", doc_id="eeee", status="done"))
    checked = {r.doc_id: r for r in check_identities(tmp_path, records, PLAIN)}
    assert [d for d, r in checked.items() if r.status == "review"] == ["aaaa", "bbbb", "cccc"]
    groups = json.loads((tmp_path / IDENTITY_FILE).read_text())["conflicts"]
    assert groups == [
        {"kind": "mrn-conflict", "documents": ["aaaa", "bbbb", "cccc"], "fields": ["given"]}
    ]
    # Without the twin, "M." and "Margaret" are one person.
    two = check_identities(tmp_path, [r for r in records if r.doc_id in ("aaaa", "bbbb")], PLAIN)
    assert [r.status for r in two] == ["done", "done"]
