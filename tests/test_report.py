"""The batch acceptance report (pipeline/report.py) on real ingests, with planted faults."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update

from pipeline.batch import discover, ingest, read_manifest, write_manifest
from pipeline.errors import SealedUnreadable, message_of
from pipeline.fhir_load import load_bundles
from pipeline.layout import DEID_DIR, output
from pipeline.report import BLOCKING, build_report, write_report
from pipeline.schema import ITEM_FIELDS, DocumentRecord
from pipeline.settings import FhirLoadSettings, Settings, VaultSettings
from pipeline.state import default_url, open_state
from pipeline.state.models import Item
from pipeline.state.store import register_batch
from pipeline.vault import PLAIN, Vault, new_key
from samples.bad import make_bad_inputs

SCANS = Path(__file__).parent.parent / "samples" / "scans"
PDF = SCANS / "c000-medication-list-clean.pdf"
PNG = SCANS / "c003-vitals-flowsheet-clean.png"
PHI_NAME = "HARRISON_MARGARET_4829173.png"  # a file name that is PHI: never in the report
SVG = "{http://www.w3.org/2000/svg}"

# Every input of the batch, by name, and the code of each one that must fail.
FAILING = {
    "empty.pdf": "E101",  # no bytes
    "unsupported.docx": "E102",  # a zip
    "text-named.png": "E102",  # text named like an image
    "notes.pdf": "E102",  # text named like a PDF
    "truncated.pdf": "E103",  # a PDF cut short
    "encrypted.pdf": "E104",  # password-protected
    "bomb.png": "E107",  # 400 Mpx
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(input folder, OUTDIR) of one real ingest: two scans, one of them twice, bad inputs."""
    root = tmp_path_factory.mktemp("report")
    folder = root / "inputs"
    (folder / "again").mkdir(parents=True)
    shutil.copy(PDF, folder / PDF.name)
    shutil.copy(PNG, folder / PHI_NAME)
    shutil.copy(PNG, folder / "again" / "flowsheet.png")  # the same content twice
    assert set(make_bad_inputs(folder / "bad", PDF)) == set(FAILING) - {"notes.pdf"}
    (folder / "bad" / "notes.pdf").write_text("Patient: HARRISON, MARGARET\nnot a PDF\n")
    out = root / "out"
    ingest([str(folder)], out_dir=out, settings=Settings(), jobs=2)
    return folder, out


def _copy(out: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    return copy


def _by_name(out: Path) -> dict[str, DocumentRecord]:
    return {Path(r.source).name: r for r in read_manifest(out)}


def _inputs(folder: Path, out: Path) -> list[str]:
    return discover([str(folder)], exclude=out)


def _hash(path: str) -> str:
    return hashlib.sha256(os.path.realpath(path).encode()).hexdigest()[:12]


def test_counts_every_input_failure_and_page_of_a_real_batch(batch: tuple[Path, Path]) -> None:
    folder, out = batch
    records = read_manifest(out)
    names = _by_name(out)
    report = build_report(out, vault=PLAIN, engine=None, inputs=[str(folder)])

    # 2 scans, one of them given twice, and 7 bad inputs: 10 records, 9 documents.
    assert report["documents"]["in"] == {"records": 10, "doc_ids": 9}
    by_status = report["documents"]["by_status"]
    assert by_status["failed"] == 7
    assert by_status["done"] + by_status["review"] == 3
    assert sum(by_status.values()) == len(records)
    pages = report["documents"]["pages_by_status"]
    assert sum(pages.values()) == report["documents"]["pages"] == sum(r.pages for r in records)
    assert pages["failed"] == 0 and pages["done"] + pages["review"] == 3  # one page each

    expected: dict[str, Any] = {}
    for name, code in sorted(FAILING.items()):
        entry = expected.setdefault(code, {"count": 0, "message": message_of(code), "doc_ids": []})
        entry["count"] += 1
        entry["doc_ids"] = sorted([*entry["doc_ids"], names[name].doc_id])
    assert report["failures"] == expected
    assert {code: e["count"] for code, e in report["failures"].items()} == {
        "E101": 1,
        "E102": 3,
        "E103": 1,
        "E104": 1,
        "E107": 1,
    }

    inputs = report["reconciliation"]["inputs"]
    assert inputs == {
        "inputs": 10,
        "accounted": 10,
        "missing": [],
        "duplicated": [],
        "extra_records": [],
    }
    assert report["reconciliation"]["records"]["inconsistencies"] == []

    in_review = by_status["review"] > 0
    assert report["accepted"] is False
    assert report["blocking"] == ["documents-failed"] + (["documents-in-review"] * in_review)
    assert report["review_backlog"]["state_database"] == "none"
    assert (
        report["review_backlog"]["documents_in_review"]
        == report["documents"]["doc_ids_by_status"]["review"]
    )
    assert report["fhir_load"] == {"status": "not loaded yet"}

    # PHI verification: what each finished document's safe_harbor.json says.
    finished = {r.doc_id: r for r in records if r.status != "failed"}
    assert len(finished) == 2
    harbor = [json.loads(output(out, d, "safe_harbor.json").read_text()) for d in finished]
    phi = report["phi_verification"]
    assert phi["documents"] == 2
    assert phi["results"]["passed"] == sum(h["verification"]["result"] == "passed" for h in harbor)
    assert sum(phi["results"].values()) == 2 and phi["results"]["missing"] == 0
    assert phi["checks_passed"]["true"] == sum(h["checks_passed"] for h in harbor)
    assert phi["phi_spans"] == sum(r.phi_spans for r in finished.values()) > 0
    assert sum(phi["labels"].values()) == phi["phi_spans"]

    # The histograms count every extracted item and every page read, once per document.
    items = pages_read = 0
    for doc_id in finished:
        extraction = json.loads((out / doc_id / "extraction.json").read_text())["extraction"]
        items += sum(len(extraction[f]) for f in ITEM_FIELDS)
        pages_read += len(json.loads((out / doc_id / "ocr.json").read_text())["pages"])
    confidence = report["confidence"]
    assert sum(confidence["extraction"]["counts"]) == confidence["extraction"]["values"] == items
    assert items > 0
    assert sum(confidence["ocr_pages"]["counts"]) == pages_read == 2
    assert len(confidence["extraction"]["counts"]) == len(confidence["ocr_pages"]["counts"]) == 10
    assert confidence["documents_skipped"] == 7  # the failed ones have no outputs


def test_a_lost_a_doubled_and_a_foreign_record_break_reconciliation(
    batch: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, base = batch
    out = _copy(base, tmp_path)
    inputs = _inputs(folder, base)
    records = read_manifest(out)
    lost = next(r for r in records if Path(r.source).name == PHI_NAME)
    doubled = next(r for r in records if Path(r.source).name == PDF.name)
    foreign = DocumentRecord(
        source="/elsewhere/other-chart.pdf", doc_id="x" + "0" * 15, status="failed",
        error="E100: The file does not exist or cannot be read.",
    )  # fmt: skip
    planted = [r for r in records if r is not lost] + [doubled, foreign]
    write_manifest(out, planted)

    report = build_report(out, vault=PLAIN, engine=None, inputs=[str(folder)])

    rec = report["reconciliation"]["inputs"]
    lost_at, doubled_at = inputs.index(lost.source), inputs.index(doubled.source)
    assert rec["inputs"] == 10
    assert rec["accounted"] == 8
    assert rec["missing"] == [{"index": lost_at, "path_sha256": _hash(lost.source)}]
    assert rec["duplicated"] == [
        {
            "index": doubled_at,
            "path_sha256": _hash(doubled.source),
            "records": 2,
            "doc_ids": [doubled.doc_id],
        }
    ]
    assert rec["extra_records"] == [
        {
            "record": len(planted) - 1,
            "doc_id": foreign.doc_id,
            "source_sha256": _hash(foreign.source),
        }
    ]
    # The twin of the lost input still has its record, folder and bundle: nothing inconsistent.
    assert report["reconciliation"]["records"]["inconsistencies"] == []
    for reason in ("inputs-missing", "inputs-duplicated", "records-extra", "documents-failed"):
        assert reason in report["blocking"]
    assert report["accepted"] is False


def test_a_done_document_without_its_bundle_is_inconsistent(
    batch: tuple[Path, Path], tmp_path: Path
) -> None:
    _, base = batch
    out = _copy(base, tmp_path)
    pdf = _by_name(out)[PDF.name]
    assert pdf.status in ("done", "review")
    (out / pdf.doc_id / "bundle.json").unlink()
    failed = _by_name(out)["empty.pdf"]
    (out / failed.doc_id).mkdir()
    (out / failed.doc_id / "bundle.json").write_text("{}")  # a failed document with a bundle
    (out / "0123456789abcdef").mkdir()  # a document folder no record names
    (out / DEID_DIR / "fedcba9876543210").mkdir()  # and a de-identified one

    report = build_report(out, vault=PLAIN, engine=None)

    records = report["reconciliation"]["records"]
    assert report["reconciliation"]["inputs"] is None
    assert records["inconsistencies"] == [
        {"doc_id": pdf.doc_id, "reason": f"{pdf.status}-without-bundle"},
        {"doc_id": failed.doc_id, "reason": "failed-with-bundle"},
        {"doc_id": "0123456789abcdef", "reason": "folder-without-record"},
        {"doc_id": "fedcba9876543210", "reason": "deid-folder-without-record"},
    ]
    assert records["by_reason"] == {
        f"{pdf.status}-without-bundle": 1,
        "failed-with-bundle": 1,
        "folder-without-record": 1,
        "deid-folder-without-record": 1,
    }
    assert "records-inconsistent" in report["blocking"]
    # Its PHI report is de-identified and stays: still counted.
    assert report["phi_verification"]["documents"] == 2


def test_failed_loads_and_a_document_never_loaded_block_acceptance(
    batch: tuple[Path, Path], tmp_path: Path
) -> None:
    _, base = batch
    out = _copy(base, tmp_path)
    # Nothing listens on port 9: every POST fails to connect (E801), at once.
    load_bundles(out, url="http://127.0.0.1:9/fhir", cfg=FhirLoadSettings(max_attempts=1))
    finished = sorted({r.doc_id for r in read_manifest(out) if r.status != "failed"})

    report = build_report(out, vault=PLAIN, engine=None)

    load = report["fhir_load"]
    assert load["status"] == "loaded"
    assert load["by_status"] == {"loaded": 0, "failed": 2, "skipped": 7}
    assert load["failed"] == [{"doc_id": d, "code": "E801"} for d in finished]
    assert {s["code"] for s in load["skipped"]} == {"E809"}  # the failed documents
    assert load["totals"]["documents"] == 9 and load["never_loaded"] == []
    assert "load-failed" in report["blocking"]
    assert "documents-not-loaded" not in report["blocking"]

    body = json.loads((out / "load.json").read_text())
    body["documents"] = [d for d in body["documents"] if d["doc_id"] != finished[0]]
    (out / "load.json").write_text(json.dumps(body))
    report = build_report(out, vault=PLAIN, engine=None)
    assert report["fhir_load"]["never_loaded"] == [finished[0]]
    assert "documents-not-loaded" in report["blocking"]


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", page, re.DOTALL)]


def _bars(svg: ET.Element) -> list[tuple[str, int]]:
    return [
        (rect.attrib["data-label"], int(rect.attrib["data-count"]))
        for rect in svg.iter(f"{SVG}rect")
        if rect.attrib.get("class") == "bar"
    ]


def test_the_written_report_has_no_file_name_or_path_and_its_figures_match_the_data(
    batch: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, out = batch
    report = build_report(out, vault=PLAIN, engine=None, inputs=[str(folder)])
    as_json, as_html = write_report(report, tmp_path / "report")

    assert (as_json.name, as_html.name) == ("report.json", "report.html")
    for path in (as_json, as_html):
        assert path.stat().st_mode & 0o777 == 0o600
    text, page = as_json.read_text(), as_html.read_text()
    assert json.loads(text) == report
    for written in (text, page):
        for source in _inputs(folder, out):
            assert Path(source).name not in written
        for fragment in (str(folder), str(out), "HARRISON", "MARGARET", "4829173", "inputs/"):
            assert fragment not in written

    # Self-contained, no script; the banner and every blocking reason are shown.
    for external in ("<script", "<link", "src=", "@import", "url("):
        assert external not in page
    assert "NOT ACCEPTED" in page
    for reason in report["blocking"]:
        assert reason in page and BLOCKING[reason] in page

    pages, confidence = _svgs(page)
    by_status = report["documents"]["pages_by_status"]
    assert _bars(pages) == [(s, by_status[s]) for s in ("done", "review", "failed")]
    counts = [int(t.text or "") for t in pages.iter(f"{SVG}text") if t.get("class") == "count"]
    assert counts == list(by_status.values())
    extraction, ocr = report["confidence"]["extraction"], report["confidence"]["ocr_pages"]
    tenths = ["0", *(f"0.{i}" for i in range(1, 10)), "1"]
    tens = [str(i * 10) for i in range(11)]
    assert _bars(confidence) == [
        *(
            (f"{a}-{b}", n)
            for a, b, n in zip(tenths, tenths[1:], extraction["counts"], strict=False)
        ),
        *((f"{a}-{b}", n) for a, b, n in zip(tens, tens[1:], ocr["counts"], strict=False)),
    ]
    labels = [t.text for t in confidence.iter(f"{SVG}text") if t.get("class") == "label"]
    assert labels == [label for label, _ in _bars(confidence)]


def test_a_sealed_batch_is_read_with_its_key_and_refused_without(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(PNG, folder / PHI_NAME)
    out = tmp_path / "out"
    settings = Settings(vault=VaultSettings(key=SecretStr(new_key())))
    [record] = ingest([str(folder)], out_dir=out, settings=settings, jobs=1)
    vault = Vault.from_settings(settings.vault)

    report = build_report(out, vault=vault, engine=None, inputs=[str(folder)])

    assert report["batch"]["sealing"] is True and report["batch"]["manifest_sealed"] is True
    assert report["documents"]["in"] == {"records": 1, "doc_ids": 1}
    assert report["reconciliation"]["inputs"]["accounted"] == 1
    assert report["confidence"]["extraction"]["documents"] == 1  # sealed extraction.json read
    assert sum(report["confidence"]["ocr_pages"]["counts"]) == record.pages == 1
    with pytest.raises(SealedUnreadable):
        build_report(out, vault=PLAIN, engine=None)
    # The manifest opened, another identified file did not: still refused, never skipped.
    write_manifest(out, read_manifest(out, vault))
    with pytest.raises(SealedUnreadable):
        build_report(out, vault=PLAIN, engine=None)


def test_the_review_backlog_comes_from_the_state_database(
    samples_outdir: Path, tmp_path: Path
) -> None:
    from pipeline.review import items

    out = tmp_path / "out"
    shutil.copytree(samples_outdir, out, ignore=shutil.ignore_patterns("state.db*"))
    engine = open_state(default_url(out))
    assert build_report(out, vault=PLAIN, engine=engine)["review_backlog"]["state_database"] == (
        "batch not registered"
    )
    bid = register_batch(engine, out)
    items.sync(engine, Settings(), force=True)
    with engine.connect() as c:
        rows = c.execute(
            select(Item.doc_id, func.count()).where(Item.state == "open").group_by(Item.doc_id)
        ).all()
        total = c.execute(select(func.count()).select_from(Item)).scalar_one()
    in_review = sorted({r.doc_id for r in read_manifest(out) if r.status == "review"})
    assert in_review and rows  # the heavy sample scans go to review with items to settle

    backlog = build_report(out, vault=PLAIN, engine=engine)["review_backlog"]
    assert backlog["state_database"] == "registered"
    assert backlog["doc_ids_in_review"] == in_review
    assert backlog["open_by_document"] == {d: n for d, n in sorted(rows)}
    assert backlog["open_items"] == sum(n for _, n in rows) == backlog["items_by_state"]["open"]
    assert backlog["items"] == total == sum(backlog["items_by_kind"].values())
    report = build_report(out, vault=PLAIN, engine=engine)
    assert "review-items-open" in report["blocking"]
    # A document whose re-read redaction found PHI (E502) fails verification in its report.
    phi = report["phi_verification"]
    assert phi["verification_failed"] == phi["redaction_unverified_doc_ids"]
    assert phi["results"]["failed"] == len(phi["verification_failed"])
    assert ("phi-verification-failed" in report["blocking"]) == bool(phi["verification_failed"])
    assert set(phi["checks_failed"]) >= set(phi["verification_failed"])

    with engine.begin() as c:  # every item settled, but the manifest not yet rewritten
        c.execute(update(Item).where(Item.batch_id == bid).values(state="accepted"))
    report = build_report(out, vault=PLAIN, engine=engine)
    backlog = report["review_backlog"]
    assert backlog["open_items"] == 0 and backlog["open_by_document"] == {}
    assert backlog["items_by_state"] == {
        "open": 0,
        "accepted": total,
        "corrected": 0,
        "rejected": 0,
    }
    assert "review-items-open" not in report["blocking"]
    assert "documents-in-review" in report["blocking"]


def test_the_report_command_writes_both_files_exits_3_and_is_audited(
    samples_outdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main
    from pipeline.state import audit

    out = tmp_path / "out"
    shutil.copytree(samples_outdir, out, ignore=shutil.ignore_patterns("state.db*"))
    # The samples' ingest leaves documents in review: not accepted (exit code 3).
    assert main(["report", str(out), "--inputs", str(SCANS)]) == 3
    printed = capsys.readouterr().out
    assert printed.startswith("NOT ACCEPTED: documents-in-review")
    report = json.loads((out / "report" / "report.json").read_text())
    assert report["reconciliation"]["inputs"]["accounted"] == len(list(SCANS.iterdir()))
    assert (out / "report" / "report.html").read_text().count("<svg") == 2
    (row,) = [r for r in audit.rows(open_state(default_url(out))) if r.action == "report"]
    assert row.resource == f"batch:{report['batch']['id']}"
