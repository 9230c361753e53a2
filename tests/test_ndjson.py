"""chart2fhir export --ndjson: FHIR Bulk Data files from an OUTDIR, references resolved."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.batch import write_manifest
from pipeline.fhir import emit_bundle
from pipeline.layout import deid_folder
from pipeline.ndjson import export_ndjson
from pipeline.schema import DocumentRecord, Source
from pipeline.settings import FhirSettings
from tests.test_fhir import EXTRACTION, SCAN, SOURCE


def _outdir(tmp_path: Path) -> Path:
    """Two done documents (the second with one value) and a failed one, as ingest leaves them."""
    out = tmp_path / "out"
    other = Source(**{**SOURCE.model_dump(), "doc_id": "fedcba9876543210"})
    one_value = EXTRACTION.model_copy(update={"observations": EXTRACTION.observations[1:]})
    records = []
    for source, extraction in ((SOURCE, EXTRACTION), (other, one_value)):
        folder = out / source.doc_id
        folder.mkdir(parents=True)
        bundle = emit_bundle(source, extraction, scan=SCAN, cfg=FhirSettings())
        (folder / "bundle.json").write_text(bundle)
        deid = deid_folder(out, source.doc_id)
        deid.mkdir(parents=True)
        (deid / "bundle.deid.json").write_text(bundle.replace("Harrison", "Surrogate"))
        records.append(DocumentRecord(source=source.path, doc_id=source.doc_id, status="done"))
    records.append(DocumentRecord(source="bad.pdf", doc_id="x0", status="failed", error="E103"))
    write_manifest(out, records)
    return out


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_one_file_per_type_with_references_resolved(tmp_path: Path, fhir_schema_errors) -> None:
    out = _outdir(tmp_path)
    dest = tmp_path / "ndjson"
    done = export_ndjson(out, dest)
    assert done.held == ()
    counts = done.counts
    # Both documents are of one MRN: one Patient (fhir.patient_resource_id). Each value has
    # its Provenance.
    counts_expected = {"DocumentReference": 2, "Observation": 3, "Patient": 1, "Provenance": 3}
    assert counts == counts_expected
    assert sorted(p.name for p in dest.iterdir()) == [
        "DocumentReference.ndjson",
        "Observation.ndjson",
        "Patient.ndjson",
        "Provenance.ndjson",
    ]
    patients = {p["id"] for p in _read(dest / "Patient.ndjson")}
    observations = _read(dest / "Observation.ndjson")
    # Transaction-local references became "Type/id" of resources that are in the export.
    for obs in observations:
        kind, rid = obs["subject"]["reference"].split("/")
        assert kind == "Patient" and rid in patients
        assert obs["derivedFrom"][0]["reference"].startswith("DocumentReference/")
    assert "urn:uuid" not in "".join(p.read_text() for p in dest.iterdir())
    # Each line is a resource valid against HL7's schema.
    for path in dest.iterdir():
        for resource in _read(path):
            collection = {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": resource}],
            }
            assert fhir_schema_errors(collection) == []
    assert not [p for p in dest.iterdir() if p.name.startswith(".")]  # no temporary files


def test_the_same_resource_twice_is_written_once_and_deid_reads_the_deid_bundles(
    tmp_path: Path,
) -> None:
    out = _outdir(tmp_path)
    # A second manifest row for the first document (the same bundle ingested twice).
    twin = json.loads((out / "manifest.json").read_text())
    twin["documents"].append(twin["documents"][0])
    (out / "manifest.json").write_text(json.dumps(twin))
    assert export_ndjson(out, tmp_path / "a").counts["Observation"] == 3
    export_ndjson(out, tmp_path / "d", deid=True)
    families = {p["name"][0]["family"] for p in _read(tmp_path / "d" / "Patient.ndjson")}
    assert families == {"Surrogate"}


def test_a_document_with_an_identity_conflict_is_held_back_until_settled(tmp_path: Path) -> None:
    out = _outdir(tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    conflict = "E405: Another document has this MRN with a different name or birth date."
    manifest["documents"][1].update(status="review", reasons=[conflict])
    (out / "manifest.json").write_text(json.dumps(manifest))
    done = export_ndjson(out, tmp_path / "held")
    # The second document's values are not exported; the first one's are.
    assert done.held == ("fedcba9876543210",)
    assert done.counts == {"DocumentReference": 1, "Observation": 2, "Patient": 1, "Provenance": 2}
    settled = export_ndjson(out, tmp_path / "all", include_conflicts=True)
    assert settled.held == () and settled.counts["DocumentReference"] == 2
    cli = [sys.executable, "-m", "pipeline.cli", "export", str(out), "--ndjson"]
    shown = subprocess.run([*cli, str(tmp_path / "c")], capture_output=True, text=True)
    assert shown.returncode == 0
    assert "held back (E810" in shown.stdout and "1 documents: fedcba9876543210" in shown.stdout
    assert "Harrison" not in shown.stdout + shown.stderr


def test_cli_export_and_its_usage_error(tmp_path: Path) -> None:
    out = _outdir(tmp_path)
    cli = [sys.executable, "-m", "pipeline.cli", "export"]
    done = subprocess.run(
        [*cli, str(out), "--ndjson", str(tmp_path / "n")], capture_output=True, text=True
    )
    assert done.returncode == 0 and "Observation.ndjson: 3" in done.stdout
    missing = subprocess.run(
        [*cli, str(tmp_path / "nothing"), "--ndjson", str(tmp_path / "m")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "no manifest.json" in missing.stderr
