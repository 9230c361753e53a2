"""End to end: ingest on synthetic scans, outputs, statuses, re-runs, failures, no PHI in logs."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pdf2image import convert_from_path

from pipeline import errors, run
from pipeline.batch import exit_code, ingest, read_manifest
from pipeline.layout import deid_folder, output
from pipeline.logs import configure_logging
from pipeline.ocr.engine import TesseractEngine
from pipeline.ocr.load import inspect_source
from pipeline.run import Context, Outputs, process_document, write_outputs
from pipeline.vault import PLAIN
from samples.bad import make_bad_inputs

PHI = ["HARRISON", "MARGARET", "4829173", "03/14/1948", "555-0100", "Whitfield", "1200 Oak"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> tuple[Path, list, Path]:
    from tests.conftest import CHART_LINES, render_page

    scans = tmp_path_factory.mktemp("scans")
    render_page(CHART_LINES).save(scans / "note.png", dpi=(300, 300))
    out = tmp_path_factory.mktemp("out")
    from pipeline.settings import Settings

    records = ingest([str(scans)], out_dir=out, settings=Settings(), jobs=2)
    return out, records, scans


def test_manifest_and_outputs(ingested) -> None:
    out, records, scans = ingested
    (record,) = records
    assert record.status in ("done", "review"), record.error
    assert record.pages == 1 and record.source == str(scans / "note.png")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["documents"][0]["doc_id"] == record.doc_id
    assert set(manifest["documents"][0]) >= {"source", "doc_id", "status", "pages", "error"}
    doc = out / record.doc_id
    assert sorted(p.name for p in doc.iterdir()) == [
        "bundle.json",
        "extraction.json",
        "hocr",
        "ocr.json",
        "redaction.json",
        "searchable.pdf",
        "text.txt",
    ]
    # The de-identified outputs are kept apart, under a folder that says what they are.
    assert sorted(p.name for p in deid_folder(out, record.doc_id).iterdir()) == [
        "bundle.deid.json",
        "deid.json",
        "deid.txt",
        "redacted.pdf",
        "safe_harbor.json",
    ]
    assert "DE-IDENTIFIED" in (out / "deidentified" / "DEIDENTIFIED.txt").read_text()
    assert [p.name for p in (doc / "hocr").iterdir()] == ["page-0001.hocr"]
    # The archive copy is searchable: its invisible text layer holds the page's words.
    layer = subprocess.run(
        ["pdftotext", str(doc / "searchable.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "HARRISON" in layer and "4829173" in layer and "Glucose" in layer
    page = json.loads((doc / "ocr.json").read_text())["pages"][0]
    # Read by tesseract; RapidOCR re-read the lines with a doubtful number (cascade.py).
    assert page["engines"][0] == "tesseract" and page["conf"] > 88
    assert any(w["text"] == "4829173" for w in page["words"])
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_text_and_deid_text(ingested) -> None:
    out, (record,), _ = ingested
    text = (out / record.doc_id / "text.txt").read_text()
    deid = output(out, record.doc_id, "deid.txt").read_text()
    for phi in PHI:
        assert phi in text
        assert phi not in deid
    assert "[PERSON]" in deid and "[MRN]" in deid and "[DATE]" in deid
    # Clinical content survives de-identification.
    for clinical in ("132/84", "Glucose 182 mg/dL", "metformin 500 mg BID", "98.6"):
        assert clinical in deid
    spans = json.loads(output(out, record.doc_id, "deid.json").read_text())["spans"]
    assert spans and all(set(s) == {"start", "end", "label", "score", "page"} for s in spans)
    assert not any(phi in json.dumps(spans) for phi in PHI)


def test_bundle_content(ingested) -> None:
    out, (record,), _ = ingested
    bundle = json.loads((out / record.doc_id / "bundle.json").read_text())
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    assert patient["identifier"][0]["value"] == "4829173"
    assert patient["birthDate"] == "1948-03-14"
    obs = {
        r["code"]["coding"][0]["code"]: r for r in resources if r["resourceType"] == "Observation"
    }
    assert obs["2345-7"]["valueQuantity"]["value"] == 182
    assert obs["2345-7"]["valueQuantity"]["code"] == "mg/dL"
    assert obs["8867-4"]["valueQuantity"]["value"] == 72
    bp = [c["valueQuantity"]["value"] for c in obs["85354-9"]["component"]]
    assert bp == [132, 84]
    assert obs["85354-9"]["effectiveDateTime"] == "2021-05-02"


def test_deid_bundle_has_surrogates_shifted_dates_and_the_redacted_scan(ingested) -> None:
    out, (record,), _ = ingested
    doc = deid_folder(out, record.doc_id)
    raw = (doc / "bundle.deid.json").read_text()
    for phi in [*PHI, "1948-03-14", record.doc_id, "Riverside", "Springfield"]:
        assert phi.lower() not in raw.lower()
    resources = [e["resource"] for e in json.loads(raw)["entry"]]
    assert all(r["meta"]["security"][0]["code"] == "PSEUDED" for r in resources)
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    (mrn,) = patient["identifier"]
    assert mrn["system"] == "urn:chart2fhir:deid:patient"
    assert len(mrn["value"]) == 7 and mrn["value"].isdigit() and mrn["value"] != "4829173"
    family, given = patient["name"][0]["family"], patient["name"][0]["given"]
    assert family.isalpha() and family.upper() != "HARRISON" and given != ["Margaret"]
    # Every date moves back by the same whole number of days (1..365): intervals survive.
    birth = dt.date.fromisoformat(patient["birthDate"])
    shift = (dt.date(1948, 3, 14) - birth).days
    assert 1 <= shift <= 365
    obs = {
        r["code"]["coding"][0]["code"]: r for r in resources if r["resourceType"] == "Observation"
    }
    seen = dt.date.fromisoformat(obs["85354-9"]["effectiveDateTime"])
    assert (dt.date(2021, 5, 2) - seen).days == shift
    # Values, codes and units are the identified bundle's.
    assert obs["2345-7"]["valueQuantity"] == {
        "value": 182,
        "unit": "mg/dL",
        "system": "http://unitsofmeasure.org",
        "code": "mg/dL",
    }
    # The document is the redacted PDF, byte for byte, not the scan.
    docref = next(r for r in resources if r["resourceType"] == "DocumentReference")
    attachment = docref["content"][0]["attachment"]
    assert attachment["title"] == "redacted.pdf"
    assert base64.b64decode(attachment["data"]) == (doc / "redacted.pdf").read_bytes()
    # The key behind the surrogates stays with the identified data, readable by its owner only.
    assert (out / "deid.key").stat().st_mode & 0o777 == 0o600


def test_safe_harbor_report_counts_kinds_and_verification(ingested) -> None:
    out, (record,), _ = ingested
    raw = output(out, record.doc_id, "safe_harbor.json").read_text()
    assert not any(phi.lower() in raw.lower() for phi in PHI)
    report = json.loads(raw)
    found = {i["kind"]: i["found"] for i in report["identifiers"]}
    assert sorted(found) == list("ABCDEFGHIJKLMNOPQR")
    # Names: HARRISON, MARGARET twice and Dr. Whitfield; the MRN twice; DOB twice + the visit.
    assert found["A"] >= 3 and found["H"] == 2 and found["C"] == 3
    assert found["D"] == 1 and found["B"] >= 4  # facility, street, city, ZIP
    assert found["F"] == found["G"] == found["O"] == 0
    assert report["verification"]["result"] == "passed"
    assert report["verification"]["pages_reread"] == 1
    assert report["kept_by_policy"] == [] and report["replacement"] == "label"
    assert report["checks_passed"] is True


def test_same_key_same_surrogates_other_key_others(ingested, tmp_path) -> None:
    from pipeline.settings import DeidSettings, Settings

    out, (record,), scans = ingested
    first = json.loads(output(out, record.doc_id, "bundle.deid.json").read_text())
    key = (out / "deid.key").read_text().strip()

    def patient(settings: Settings, where: Path) -> dict:
        (again,) = ingest([str(scans)], out_dir=where, settings=settings, jobs=1)
        bundle = json.loads(output(where, again.doc_id, "bundle.deid.json").read_text())
        return bundle["entry"][0]["resource"]

    same = patient(Settings(deid=DeidSettings(surrogate_key=key)), tmp_path / "same")
    assert same == first["entry"][0]["resource"]
    assert not (tmp_path / "same" / "deid.key").exists()  # the key came from settings
    # (Not the birth date: two keys give the same shift one time in 365.)
    other = patient(
        Settings(deid=DeidSettings(surrogate_key="another key, of 32 characters or more")),
        tmp_path / "other",
    )
    assert other["identifier"] != same["identifier"] and other["name"] != same["name"]


def test_surrogate_replacement_reads_naturally_and_agrees_with_the_bundle(
    ingested, tmp_path
) -> None:
    from pipeline.settings import DeidSettings, Settings

    _, _, scans = ingested
    settings = Settings(deid=DeidSettings(replacement="surrogate", surrogate_key="k" * 32))
    (record,) = ingest([str(scans)], out_dir=tmp_path, settings=settings, jobs=1)
    doc = deid_folder(tmp_path, record.doc_id)
    deid = (doc / "deid.txt").read_text()
    for phi in PHI:
        assert phi not in deid
    assert "[PERSON]" not in deid and "[MRN]" not in deid
    for clinical in ("132/84", "Glucose 182 mg/dL", "metformin 500 mg BID", "98.6"):
        assert clinical in deid
    bundle = json.loads((doc / "bundle.deid.json").read_text())
    patient = bundle["entry"][0]["resource"]
    # The text's surrogates are the bundle's: the same MRN, and the visit date shifted alike.
    assert f"MRN: {patient['identifier'][0]['value']}" in deid
    birth = dt.date.fromisoformat(patient["birthDate"])
    shift = (dt.date(1948, 3, 14) - birth).days
    visit = dt.date(2021, 5, 2) - dt.timedelta(days=shift)
    assert f"Date of Service: {visit:%m/%d/%Y}" in deid


def test_redacted_pdf_has_phi_painted_out(ingested, settings) -> None:
    out, (record,), _ = ingested
    (page,) = convert_from_path(
        str(output(out, record.doc_id, "redacted.pdf")), dpi=300, grayscale=True
    )
    words = TesseractEngine().read(np.asarray(page), cfg=settings.ocr).words
    text = " ".join(w.text for w in words)
    for phi in ("HARRISON", "MARGARET", "4829173", "03/14/1948", "Whitfield"):
        assert phi not in text
    assert "Glucose" in text and "132/84" in text  # the rest of the page is still there


def test_rerun_skips_and_force_is_byte_identical(ingested, settings) -> None:
    out, (record,), scans = ingested
    folders = (out / record.doc_id, deid_folder(out, record.doc_id))
    before = {p: p.read_bytes() for doc in folders for p in doc.rglob("*") if p.is_file()}
    (again,) = ingest([str(scans)], out_dir=out, settings=settings, jobs=1)
    assert again.model_dump(exclude={"seconds"}) == record.model_dump(exclude={"seconds"})
    (forced,) = ingest([str(scans)], out_dir=out, settings=settings, jobs=1, force=True)
    assert forced.status == record.status
    after = {p: p.read_bytes() for doc in folders for p in doc.rglob("*") if p.is_file()}
    assert after == before  # every output, byte for byte


def test_bad_inputs_fail_with_codes_and_run_carries_on(tmp_path: Path, chart_png, settings) -> None:
    folder = tmp_path / "in"
    good = tmp_path / "good.pdf"
    from tests.conftest import CHART_LINES, render_page

    render_page(CHART_LINES).save(good, resolution=300)
    expected = make_bad_inputs(folder, good)
    (folder / "z-good.png").write_bytes(chart_png.read_bytes())
    before = {p.name: _digest(p) for p in folder.iterdir()}
    records = ingest([str(folder)], out_dir=tmp_path / "out", settings=settings, jobs=2)
    by_name = {Path(r.source).name: r for r in records}
    assert set(by_name) == set(before)  # nothing dropped
    for name, code in expected.items():
        assert by_name[name].status == "failed"
        assert by_name[name].error.startswith(code + ": ")
    assert by_name["z-good.png"].status in ("done", "review")
    assert exit_code(records) == 3
    assert {p.name: _digest(p) for p in folder.iterdir()} == before  # inputs untouched
    assert len(read_manifest(tmp_path / "out")) == len(before)


class FlakyEngine(TesseractEngine):
    """Times out on its second read (the second page, when pages run in order)."""

    calls = 0

    def read_words(self, image, *, cfg):
        self.calls += 1
        if self.calls == 2:
            raise errors.OcrTimeout()
        return super().read_words(image, cfg=cfg)


def test_page_timeout_sends_document_to_review(chart_pdf, tmp_path, settings, monkeypatch):
    engine = FlakyEngine()
    monkeypatch.setattr(run, "get_engine", lambda name: engine)
    ctx = Context(settings=settings, map_pages=lambda fn, items: list(map(fn, items)))
    source = inspect_source(str(chart_pdf), cfg=settings.load)
    record = process_document(source, out_dir=tmp_path, ctx=ctx)
    assert record.status == "review"
    assert "E301: OCR took longer than the time limit on a page." in record.reasons
    text = (tmp_path / source.doc_id / "text.txt").read_text()
    first, second = text.split("\f")
    assert "Glucose 182" in first and second == ""
    # The page that could not be read is blacked out whole, not dropped.
    pages = convert_from_path(str(output(tmp_path, source.doc_id, "redacted.pdf")), dpi=30)
    assert len(pages) == 2 and np.asarray(pages[1].convert("L")).max() < 30


def test_unexpected_exception_becomes_failed_record(chart_png, tmp_path, settings, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("HARRISON, MARGARET 4829173")  # a third-party message carrying PHI

    monkeypatch.setattr(run, "emit_bundle", boom)
    ctx = Context(settings=settings, map_pages=lambda fn, items: list(map(fn, items)))
    source = inspect_source(str(chart_png), cfg=settings.load)
    record = process_document(source, out_dir=tmp_path, ctx=ctx)
    assert record.status == "failed"
    assert record.error == "E601: The FHIR bundle failed R4 validation."
    assert not (tmp_path / source.doc_id).exists()  # nothing half-written


def test_write_outputs_is_atomic(tmp_path: Path, monkeypatch) -> None:
    good = Outputs(text="a", deid_text="b", deid_json="{}", bundle="{}", redacted_pdf=b"%PDF")
    write_outputs(tmp_path, "d1", good, PLAIN)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(os, "fdopen", fail)  # every file is written through one
        with pytest.raises(errors.OutputWriteFailed):
            write_outputs(tmp_path, "d1", good.__class__(**{**good.__dict__, "text": "new"}), PLAIN)
    assert (tmp_path / "d1" / "text.txt").read_text() == "a"  # the old outputs are intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d1", "deidentified"]
    assert sorted(p.name for p in (tmp_path / "deidentified").iterdir()) == [
        "DEIDENTIFIED.txt",
        "d1",
    ]  # no temporary folder left in either tree
    assert (tmp_path / "deidentified" / "d1" / "deid.txt").read_text() == "b"


def test_planted_phi_absent_from_logs(tmp_path: Path, settings) -> None:
    """Plant PHI in a file name and the page, run at DEBUG, and search every log line."""
    from tests.conftest import CHART_LINES, render_page

    folder = tmp_path / "in"
    folder.mkdir()
    render_page(CHART_LINES).save(folder / "HARRISON_MARGARET_4829173.png", dpi=(300, 300))
    (folder / "HARRISON_MARGARET.png").write_text("Patient: HARRISON, MARGARET 4829173")
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    logging.getLogger("presidio-analyzer").setLevel(logging.DEBUG)
    try:
        records = ingest(
            [str(folder)], out_dir=tmp_path / "out", settings=settings, jobs=1, force=True
        )
    finally:
        configure_logging("INFO")
    logged = stream.getvalue()
    assert "document finished" in logged  # the log did capture the run
    for phi in PHI + ["HARRISON_MARGARET", str(folder)]:
        assert phi not in logged
    for r in records:
        assert r.error is None or not any(phi in r.error for phi in PHI)
    # Nor in any de-identified output (redacted.pdf has no text: its pixels are re-read in
    # test_redacted_pdf_has_phi_painted_out).
    deid_files = ["deid.txt", "deid.json", "bundle.deid.json", "safe_harbor.json"]
    (done,) = [r for r in records if r.status != "failed"]
    for name in deid_files:
        content = output(tmp_path / "out", done.doc_id, name).read_text().lower()
        for phi in [*PHI, "HARRISON_MARGARET", "1948-03-14", str(folder)]:
            assert phi.lower() not in content, name


def test_cli_exit_codes_and_summary_without_file_names(tmp_path: Path, chart_png) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "HARRISON_MARGARET.png").write_text("not an image")
    cli = [sys.executable, "-m", "pipeline.cli"]
    done = subprocess.run(
        [*cli, "ingest", str(folder), "--out", str(tmp_path / "o")], capture_output=True, text=True
    )
    assert done.returncode == 3
    assert "failed" in done.stdout and "E102" in done.stdout
    assert "HARRISON" not in done.stdout + done.stderr
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["documents"][0]["error"] == "E102: The file is not a PDF, TIFF, PNG or JPEG."
    usage = subprocess.run([*cli, "ingest", str(folder)], capture_output=True, text=True)
    assert usage.returncode == 2


def test_undated_and_low_confidence_values_send_to_review(
    chart_png, tmp_path, settings, monkeypatch
) -> None:
    from pipeline.schema import Extraction, Observation, Patient, Quantity

    undated = Observation(
        code="2345-7",
        display="Glucose",
        category="laboratory",
        quantity=Quantity(value=182, unit="mg/dL"),
        start=0,
        end=5,
        confidence=0.4,
    )
    monkeypatch.setattr(
        run,
        "_extract",
        lambda doc, ctx: Extraction(patient=Patient(mrn="4829173"), observations=(undated,)),
    )
    ctx = Context(settings=settings, map_pages=lambda fn, items: list(map(fn, items)))
    source = inspect_source(str(chart_png), cfg=settings.load)
    record = process_document(source, out_dir=tmp_path, ctx=ctx)
    assert record.status == "review"
    assert record.reasons == (
        "E403: Some extracted values have low confidence.",
        "E404: Some extracted values have no date.",
    )
    bundle = json.loads((tmp_path / source.doc_id / "bundle.json").read_text())
    (obs,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    assert obs["status"] == "preliminary" and "effectiveDateTime" not in obs


def test_a_name_the_first_ocr_garbled_is_residual_where_the_reread_reads_it() -> None:
    """Every word of a painted name counts when re-read capitalised, a common word too."""
    from pipeline.deid.assets import load_assets
    from pipeline.schema import Box, OcrDocument, OcrPage, PhiReport, Span, Word
    from pipeline.settings import MODELS_DIR

    words = load_assets(MODELS_DIR).words
    assert words.is_common("young")  # so the distinctive-token rule alone misses it
    first = OcrDocument(
        doc_id="r1",
        pages=(OcrPage(index=0, width=900, height=300, dpi=300, text="YOUNG, Ian\nCALEB Y0UNG"),),
    )
    report = PhiReport(spans=(Span(start=0, end=10, label="PERSON"),))
    reread_words = [("Young", 0), ("young", 200), ("tulips", 400)]
    text = " ".join(w for w, _ in reread_words)
    at, page_words = 0, []
    for w, x in reread_words:
        box = Box(x0=x, y0=10, x1=x + 150, y1=50)
        page_words.append(Word(text=w, box=box, conf=90, line=0, start=at, end=at + len(w)))
        at += len(w) + 1
    reread = OcrDocument(
        doc_id="r1",
        pages=(
            OcrPage(index=0, width=900, height=300, dpi=300, text=text, words=tuple(page_words)),
        ),
    )
    left = run._residual(first, report, reread, PhiReport(), words=words)
    assert [(text[s.start : s.end], s.label) for s in left.spans] == [("Young", "RESIDUAL")]
