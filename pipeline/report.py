"""The batch acceptance report: what a migration team signs off before a batch goes live.

``build_report`` reads an OUTDIR (the manifest, each document's safe_harbor.json,
extraction.json and ocr.json, load.json) and, when given, the state database's review items
and the inputs that were ingested, and says in counts, codes and doc_ids whether every input
is accounted for exactly once, what failed and why, what is still in review, whether PHI
removal was verified and what reached the FHIR server. ``accepted`` is true only when
nothing in ``blocking`` stands in the way. ``write_report`` writes it as report.json and as
one self-contained report.html (inline SVG figures, no script, no external file) that reads
on paper.

The report holds no PHI: no document text, no value, no file name or path. An input is
named by its index in the discovered inputs and a SHA-256 prefix of its path; a document by
its doc_id. It still reads identified files (the manifest, extraction.json, ocr.json) to
count, so a sealed OUTDIR needs its key: without it SealedUnreadable (E702) is raised.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from pipeline import layout
from pipeline.batch import MANIFEST, discover, read_manifest
from pipeline.errors import all_errors, message_of
from pipeline.fhir_load import REPORT as LOAD_REPORT
from pipeline.ocr.load import doc_id_for
from pipeline.schema import ITEM_FIELDS, DocumentRecord
from pipeline.state.models import ITEM_STATES, Batch, Item
from pipeline.state.store import batch_id
from pipeline.vault import Vault, is_sealed, write_atomically

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
STATUSES = ("done", "review", "failed")
SAFE_HARBOR_RESULTS = ("passed", "failed", "not performed", "missing")
BINS = 10

# Why a batch is not accepted: fixed strings (report["blocking"]) and what each means.
BLOCKING = {
    "no-documents": "The manifest holds no document (or there is no manifest).",
    "inputs-missing": "An input has no record in the manifest.",
    "inputs-duplicated": "An input has more than one record in the manifest.",
    "records-extra": "A manifest record's source is not among the inputs.",
    "records-inconsistent": "A manifest record does not match the outputs on disk.",
    "documents-failed": "Some documents failed.",
    "documents-in-review": "Some documents are still in review in the manifest.",
    "review-items-open": "Review items are still open in the state database.",
    "phi-verification-failed": "Re-reading a redacted document did not confirm it free of PHI.",
    "phi-report-missing": "A finished document has no readable safe_harbor.json.",
    "load-failed": "Loading some bundles into the FHIR server failed.",
    "load-held": "Some bundles were held back from the FHIR server (identity conflict, E810).",
    "documents-not-loaded": "Some documents with a bundle are not in load.json.",
}

# An inconsistency between a manifest record and OUTDIR: fixed strings and what each means.
INCONSISTENCIES = {
    "done-without-folder": "A done document has no folder.",
    "done-without-bundle": "A done document's folder has no bundle.json.",
    "review-without-folder": "A document in review has no folder.",
    "review-without-bundle": "A document in review has no bundle.json.",
    "review-without-reason": "A document in review has no reason code.",
    "failed-without-code": "A failed document has no error code.",
    "failed-with-bundle": "A failed document has a bundle.json (not rejected in review).",
    "folder-without-record": "A document folder has no record in the manifest.",
    "deid-folder-without-record": "A de-identified folder has no record in the manifest.",
}

_CODE = re.compile(r"^(E\d{3})(?::\s*(.*))?$", re.DOTALL)
_DOC_FOLDER = re.compile(r"^[0-9a-fx][0-9a-f]{15}$")
_KNOWN = frozenset(cls.code for cls in all_errors())
_REJECTED = "E504"  # rejected in review: failed, but its bundle stays (pipeline/review/decide.py)


def build_report(
    out_dir: Path,
    *,
    vault: Vault,
    engine: Engine | None,
    inputs: list[str] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The acceptance report of the batch in ``out_dir``, as a JSON-able dict (no PHI).

    Args:
        out_dir: the batch's OUTDIR.
        vault: opens the identified files (the manifest, extraction.json, ocr.json).
        engine: the state database, for the review backlog; None when there is none.
        inputs: the paths given to ingest; with them every input is matched to the
            manifest's records (discovered as ingest discovers them).
        now: the report's time (default: now, UTC).

    Raises:
        SealedUnreadable: an identified file is sealed and ``vault`` lacks its key (E702).

    """
    when = (now or datetime.now(UTC)).astimezone(UTC)
    records = read_manifest(out_dir, vault)
    manifest = out_dir / MANIFEST
    docs = _unique(records)
    documents = _documents(records, docs)
    review = _review(out_dir, docs, engine)
    phi = _phi(out_dir, docs)
    load = _load(out_dir, docs)
    confidence = _confidence(out_dir, docs, vault)
    reconciliation = {
        "inputs": _reconcile_inputs(inputs, out_dir, records) if inputs is not None else None,
        "records": _consistency(out_dir, records),
    }
    report: dict[str, Any] = {
        "batch": {
            "id": batch_id(out_dir),
            "generated_at": when.isoformat(timespec="seconds"),
            "chart2fhir_version": _version(),
            "manifest_present": manifest.exists(),
            "sealing": vault.sealing,
            "manifest_sealed": manifest.exists() and is_sealed(manifest.read_bytes()),
        },
        "accepted": False,
        "blocking": [],
        "documents": documents,
        "failures": _by_code(r for r in records if r.status == "failed"),
        "review_reasons": _by_code((r for r in records if r.status == "review"), reasons=True),
        "review_backlog": review,
        "phi_verification": phi,
        "fhir_load": load,
        "confidence": confidence,
        "reconciliation": reconciliation,
    }
    blocking = _blocking(report)
    report["blocking"] = blocking
    report["accepted"] = not blocking
    return report


def write_report(report: dict[str, Any], dest: Path) -> tuple[Path, Path]:
    """Write ``dest/report.json`` and ``dest/report.html`` atomically (0600); their paths."""
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    as_json, as_html = dest / REPORT_JSON, dest / REPORT_HTML
    write_atomically(as_json, json.dumps(report, indent=2) + "\n")
    write_atomically(as_html, render_html(report))
    return as_json, as_html


# --- the parts of the report ---------------------------------------------------------------


def _unique(records: list[DocumentRecord]) -> dict[str, DocumentRecord]:
    """One record per doc_id (the same content given twice is one document), the first."""
    docs: dict[str, DocumentRecord] = {}
    for r in records:
        docs.setdefault(r.doc_id, r)
    return docs


def _documents(records: list[DocumentRecord], docs: dict[str, DocumentRecord]) -> dict[str, Any]:
    """Counts in and out: records (one per input) and doc_ids, by status, with pages."""
    return {
        "in": {"records": len(records), "doc_ids": len(docs)},
        "by_status": {s: sum(r.status == s for r in records) for s in STATUSES},
        "doc_ids_by_status": {s: sum(r.status == s for r in docs.values()) for s in STATUSES},
        "pages": sum(r.pages for r in records),
        "pages_by_status": {s: sum(r.pages for r in records if r.status == s) for s in STATUSES},
        "purged": sum(r.purged_at is not None for r in docs.values()),
    }


def _code_of(error: str | None) -> tuple[str, str | None]:
    """(code, the record's text after "E###: ") of an ``error`` field; "no-code" if none."""
    found = _CODE.match(error or "")
    if found is None:
        return "no-code", None
    return found.group(1), found.group(2)


def _by_code(records: Iterable[DocumentRecord], *, reasons: bool = False) -> dict[str, Any]:
    """{code: {count, message, doc_ids}} of the records' errors (or every review reason)."""
    found: dict[str, dict[str, Any]] = {}
    for r in records:
        fields = (r.reasons or (r.error,)) if reasons else (r.error,)
        for code, text in dict(_code_of(f) for f in fields).items():
            entry = found.setdefault(code, {"count": 0, "message": "", "doc_ids": []})
            entry["count"] += 1
            if code in _KNOWN:
                entry["message"] = message_of(code)
            elif not entry["message"] and text:
                entry["message"] = text
            if r.doc_id not in entry["doc_ids"]:
                entry["doc_ids"].append(r.doc_id)
    return {code: {**e, "doc_ids": sorted(e["doc_ids"])} for code, e in sorted(found.items())}


def _review(
    out_dir: Path, docs: dict[str, DocumentRecord], engine: Engine | None
) -> dict[str, Any]:
    """The review backlog: the manifest's documents in review and the state database's items."""
    in_review = sorted(d for d, r in docs.items() if r.status == "review")
    backlog: dict[str, Any] = {
        "state_database": "none",
        "documents_in_review": len(in_review),
        "doc_ids_in_review": in_review,
        "items": None,
        "items_by_state": None,
        "items_by_kind": None,
        "open_items": None,
        "open_by_kind": None,
        "open_by_reason": None,
        "open_by_document": None,
    }
    if engine is None:
        return backlog
    bid = batch_id(out_dir)
    with engine.connect() as c:
        registered = c.execute(select(Batch.id).where(Batch.id == bid)).first() is not None
        # Only ids, kinds, codes and states: the items' values are identified and not read.
        rows = c.execute(
            select(Item.doc_id, Item.kind, Item.reason, Item.state).where(Item.batch_id == bid)
        ).all()
    if not registered:
        backlog["state_database"] = "batch not registered"
        return backlog
    opened = [row for row in rows if row[3] == "open"]
    backlog.update(
        state_database="registered",
        items=len(rows),
        items_by_state={s: sum(row[3] == s for row in rows) for s in ITEM_STATES},
        items_by_kind=dict(sorted(Counter(str(row[1]) for row in rows).items())),
        open_items=len(opened),
        open_by_kind=dict(sorted(Counter(str(row[1]) for row in opened).items())),
        open_by_reason=dict(sorted(Counter(str(row[2]) for row in opened).items())),
        open_by_document=dict(sorted(Counter(str(row[0]) for row in opened).items())),
    )
    return backlog


def _phi(out_dir: Path, docs: dict[str, DocumentRecord]) -> dict[str, Any]:
    """What each finished document's safe_harbor.json says of its verification."""
    results: Counter[str] = Counter({k: 0 for k in SAFE_HARBOR_RESULTS})
    checks = {"true": 0, "false": 0}
    labels: Counter[str] = Counter()
    failed: list[str] = []
    checks_failed: list[str] = []
    missing: list[str] = []
    finished = {d: r for d, r in docs.items() if r.status != "failed"}
    for doc_id, _ in sorted(finished.items()):
        try:
            body = json.loads(layout.output(out_dir, doc_id, "safe_harbor.json").read_bytes())
            result = str(body["verification"]["result"])
            passed = body["checks_passed"] is True
            found = {str(k): int(v) for k, v in dict(body.get("labels", {})).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            results["missing"] += 1
            missing.append(doc_id)
            continue
        results[result] += 1
        checks["true" if passed else "false"] += 1
        labels.update(found)
        if result == "failed":
            failed.append(doc_id)
        if not passed:
            checks_failed.append(doc_id)
    unverified = sorted(d for d, r in finished.items() if _has_reason(r, "E502"))
    return {
        "documents": len(finished),
        "results": dict(results),
        "checks_passed": checks,
        "verification_failed": failed,
        "checks_failed": checks_failed,
        "missing": missing,
        "phi_spans": sum(r.phi_spans for r in finished.values()),
        "labels": dict(sorted(labels.items())),
        "redaction_unverified": len(unverified),
        "redaction_unverified_doc_ids": unverified,
    }


def _has_reason(record: DocumentRecord, code: str) -> bool:
    return any(_code_of(r)[0] == code for r in (*record.reasons, record.error) if r)


def _load(out_dir: Path, docs: dict[str, DocumentRecord]) -> dict[str, Any]:
    """What load.json says reached the FHIR server, and which bundles never went."""
    try:
        body = json.loads((out_dir / LOAD_REPORT).read_bytes())
        rows = [dict(d) for d in body["documents"]]
    except FileNotFoundError:
        return {"status": "not loaded yet"}
    except (OSError, ValueError, KeyError, TypeError):
        return {"status": "load.json unreadable"}
    bundle = body.get("bundle") if body.get("bundle") == "bundle.deid.json" else "bundle.json"
    by_status: Counter[str] = Counter({"loaded": 0, "failed": 0, "skipped": 0})
    failed: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    seen: set[str] = set()
    for row in rows:
        doc_id, status = str(row.get("doc_id")), str(row.get("status"))
        seen.add(doc_id)
        by_status[status] += 1
        code = _code_of(row.get("error"))[0]
        if status == "failed":
            failed.append({"doc_id": doc_id, "code": code})
        elif status == "skipped":
            skipped.append({"doc_id": doc_id, "code": code})
    never = sorted(
        d
        for d, r in docs.items()
        if r.status != "failed" and d not in seen and layout.output(out_dir, d, bundle).exists()
    )
    totals = body.get("totals", {})
    return {
        "status": "loaded",
        "bundle": bundle,
        "totals": {str(k): int(v) for k, v in totals.items()} if isinstance(totals, dict) else {},
        "by_status": dict(by_status),
        "failed": sorted(failed, key=lambda f: f["doc_id"]),
        "skipped": sorted(skipped, key=lambda f: f["doc_id"]),
        "never_loaded": never,
        "not_in_manifest": len(seen - set(docs)),
    }


def _confidence(out_dir: Path, docs: dict[str, DocumentRecord], vault: Vault) -> dict[str, Any]:
    """Histograms of extraction item confidences (0..1) and OCR page confidences (0..100)."""
    items: list[float] = []
    pages: list[float] = []
    read_extraction = read_ocr = skipped = unread_pages = 0
    for doc_id, r in sorted(docs.items()):
        folder = out_dir / doc_id
        if r.status == "failed" or r.purged_at is not None or not folder.is_dir():
            skipped += 1
            continue
        extraction = _read_json(folder / "extraction.json", vault)
        if isinstance(extraction, dict) and isinstance(extraction.get("extraction"), dict):
            read_extraction += 1
            for field in ITEM_FIELDS:
                for item in extraction["extraction"].get(field) or ():
                    if isinstance(item, dict) and isinstance(item.get("confidence"), int | float):
                        items.append(float(item["confidence"]))
        ocr = _read_json(folder / "ocr.json", vault)
        if isinstance(ocr, dict) and isinstance(ocr.get("pages"), list):
            read_ocr += 1
            for page in ocr["pages"]:
                if not isinstance(page, dict) or page.get("error"):
                    unread_pages += 1  # not read at all: no confidence to count
                elif isinstance(page.get("conf"), int | float):
                    pages.append(float(page["conf"]))
    return {
        "documents_skipped": skipped,
        "extraction": {
            **_histogram(items, 1.0),
            "documents": read_extraction,
        },
        "ocr_pages": {
            **_histogram(pages, 100.0),
            "documents": read_ocr,
            "pages_unread": unread_pages,
        },
    }


def _read_json(path: Path, vault: Vault) -> Any:
    """The JSON of a file opened by ``vault``; None when absent or not JSON.

    SealedUnreadable is not caught: a report that cannot open the batch says so.
    """
    try:
        return json.loads(vault.read(path))
    except (OSError, ValueError):
        return None


def _histogram(values: list[float], top: float) -> dict[str, Any]:
    """``BINS`` equal bins over 0..``top``; the top value falls in the last bin."""
    counts = [0] * BINS
    for v in values:
        # round() first: 0.7 * 10 is 7.000000000000001 and 0.3 / 0.1 is 2.9999999999999996.
        i = math.floor(round(min(max(v, 0.0), top) / top * BINS, 9))
        counts[min(i, BINS - 1)] += 1
    step = top / BINS
    edges = [round(i * step, 6) for i in range(BINS + 1)]
    return {"range": [0.0, top], "edges": edges, "counts": counts, "values": len(values)}


def _path_key(path: str) -> str:
    """The path an input or a record's source names, compared whatever cwd wrote it."""
    return os.path.realpath(os.path.abspath(path))


def _path_hash(path: str) -> str:
    """What the report shows of a path: a SHA-256 prefix, never the path."""
    return hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def _reconcile_inputs(
    inputs: list[str], out_dir: Path, records: list[DocumentRecord]
) -> dict[str, Any]:
    """Every input matched to the manifest's records by source path: exactly one each.

    A purged record has no source left (``chart2fhir purge`` empties it); it accounts for
    one input of its content (the input's doc_id, from its bytes) that no record names.
    """
    found = discover(inputs, exclude=out_dir)
    by_key: dict[str, list[int]] = {}
    for i, path in enumerate(found):
        by_key.setdefault(_path_key(path), []).append(i)
    named: dict[str, list[int]] = {}
    purged: list[int] = []
    for j, r in enumerate(records):
        if not r.source and r.purged_at is not None:
            purged.append(j)
        else:
            named.setdefault(_path_key(r.source) if r.source else "", []).append(j)
    accounted: list[int] = []
    missing: list[int] = []
    duplicated: list[dict[str, Any]] = []
    for key, indices in by_key.items():
        matched = named.get(key, [])
        if len(matched) > len(indices):
            duplicated.extend(
                {
                    "index": i,
                    "path_sha256": _path_hash(key),
                    "records": len(matched),
                    "doc_ids": sorted({records[j].doc_id for j in matched}),
                }
                for i in indices
            )
        else:
            accounted.extend(indices[: len(matched)])
            missing.extend(indices[len(matched) :])
    if purged and missing:
        missing = _match_purged(missing, found, records, purged, accounted)
    extra = [
        {"record": j, "doc_id": records[j].doc_id, "source_sha256": _path_hash(key)}
        for key, js in named.items()
        if key not in by_key
        for j in js
    ]
    extra += [
        {"record": j, "doc_id": records[j].doc_id, "source_sha256": None, "purged": True}
        for j in purged
    ]
    return {
        "inputs": len(found),
        "accounted": len(accounted),
        "missing": [
            {"index": i, "path_sha256": _path_hash(_path_key(found[i]))} for i in sorted(missing)
        ],
        "duplicated": sorted(duplicated, key=lambda d: d["index"]),
        "extra_records": sorted(extra, key=lambda e: e["record"]),
    }


def _match_purged(
    missing: list[int],
    found: list[str],
    records: list[DocumentRecord],
    purged: list[int],
    accounted: list[int],
) -> list[int]:
    """Match unnamed inputs to purged records by content; the inputs still missing.

    A matched record is taken out of ``purged`` and the input added to ``accounted``.
    """
    left: list[int] = []
    for i in missing:
        try:
            doc_id = doc_id_for(hashlib.sha256(Path(found[i]).read_bytes()).hexdigest())
        except OSError:
            left.append(i)
            continue
        j = next((j for j in purged if records[j].doc_id == doc_id), None)
        if j is None:
            left.append(i)
        else:
            purged.remove(j)
            accounted.append(i)
    return left


def _consistency(out_dir: Path, records: list[DocumentRecord]) -> dict[str, Any]:
    """Every record checked against OUTDIR, and every document folder against the records.

    A done or review record has its folder and bundle.json (unless purged); a failed one
    has its code and no bundle.json (unless a reviewer rejected it, E504).
    """
    found: list[dict[str, str]] = []
    for r in records:
        folder = out_dir / r.doc_id
        code = _code_of(r.error)[0]
        if r.status in ("done", "review"):
            if r.purged_at is None and not folder.is_dir():
                found.append({"doc_id": r.doc_id, "reason": f"{r.status}-without-folder"})
            elif r.purged_at is None and not (folder / "bundle.json").exists():
                found.append({"doc_id": r.doc_id, "reason": f"{r.status}-without-bundle"})
            if r.status == "review" and code == "no-code":
                found.append({"doc_id": r.doc_id, "reason": "review-without-reason"})
        else:
            if code == "no-code":
                found.append({"doc_id": r.doc_id, "reason": "failed-without-code"})
            if code != _REJECTED and (folder / "bundle.json").exists():
                found.append({"doc_id": r.doc_id, "reason": "failed-with-bundle"})
    known = {r.doc_id for r in records}
    for folder, reason in (
        (out_dir, "folder-without-record"),
        (out_dir / layout.DEID_DIR, "deid-folder-without-record"),
    ):
        if folder.is_dir():
            found.extend(
                {"doc_id": p.name, "reason": reason}
                for p in sorted(folder.iterdir())
                if p.is_dir() and _DOC_FOLDER.match(p.name) and p.name not in known
            )
    unique = list({(f["doc_id"], f["reason"]): f for f in found}.values())  # twins: once
    return {
        "records": len(records),
        "inconsistent": len(unique),
        "by_reason": dict(sorted(Counter(f["reason"] for f in unique).items())),
        "inconsistencies": unique,
    }


def _blocking(report: dict[str, Any]) -> list[str]:
    """The ``BLOCKING`` reasons that hold for ``report``, in the table's order."""
    docs, review, phi = report["documents"], report["review_backlog"], report["phi_verification"]
    load, inputs = report["fhir_load"], report["reconciliation"]["inputs"]
    holds = {
        "no-documents": docs["in"]["records"] == 0,
        "inputs-missing": bool(inputs and inputs["missing"]),
        "inputs-duplicated": bool(inputs and inputs["duplicated"]),
        "records-extra": bool(inputs and inputs["extra_records"]),
        "records-inconsistent": report["reconciliation"]["records"]["inconsistent"] > 0,
        "documents-failed": docs["by_status"]["failed"] > 0,
        "documents-in-review": review["documents_in_review"] > 0,
        "review-items-open": bool(review["open_items"]),
        "phi-verification-failed": bool(phi["verification_failed"]),
        "phi-report-missing": bool(phi["missing"]),
        "load-failed": load["status"] != "not loaded yet"
        and (load["status"] != "loaded" or bool(load["failed"])),
        "load-held": any(s["code"] == "E810" for s in load.get("skipped", ())),
        "documents-not-loaded": bool(load.get("never_loaded")),
    }
    return [reason for reason in BLOCKING if holds[reason]]


def _version() -> str:
    try:
        return metadata.version("chart2fhir")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #000; max-width: 60em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #000; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #555; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
td.n { text-align: right; } td.ids { font-family: monospace; font-size: 0.85em; }
.banner { border: 4px solid #000; padding: 0.6em 1em; font-size: 1.4em; font-weight: bold; }
.accepted { background: #d8f0d8; } .rejected { background: #f6d5d5; }
figure { margin: 1em 0; page-break-inside: avoid; } figcaption { font-style: italic; }
svg { max-width: 100%; height: auto; }
section { page-break-inside: avoid; }
@media print { body { margin: 0; } .banner { background: none; } }
"""


def render_html(report: dict[str, Any]) -> str:
    """The report as one self-contained HTML page; every value escaped."""
    b = report["batch"]
    accepted = report["accepted"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>chart2fhir acceptance report {_e(b['id'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>chart2fhir batch acceptance report</h1>",
        _table(
            ["batch", "generated (UTC)", "chart2fhir", "sealing", "manifest sealed"],
            [
                [
                    b["id"],
                    b["generated_at"],
                    b["chart2fhir_version"],
                    b["sealing"],
                    b["manifest_sealed"],
                ]
            ],
        ),
        f'<div class="banner {"accepted" if accepted else "rejected"}">'
        f"{'ACCEPTED' if accepted else 'NOT ACCEPTED'}</div>",
    ]
    if report["blocking"]:
        parts.append(
            _table(
                ["blocking", "why"],
                [[reason, BLOCKING.get(reason, "")] for reason in report["blocking"]],
            )
        )
    parts += _documents_html(report["documents"])
    parts += _codes_html("Failures by error code", report["failures"])
    parts += _codes_html("Review reasons by code", report["review_reasons"])
    parts += _review_html(report["review_backlog"])
    parts += _phi_html(report["phi_verification"])
    parts += _load_html(report["fhir_load"])
    parts += _confidence_html(report["confidence"])
    parts += _reconciliation_html(report["reconciliation"])
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _e(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


def _ids(ids: Iterable[Any]) -> str:
    return " ".join(str(i) for i in ids) or "-"


def _table(head: list[str], rows: list[list[Any]], *, ids: int | None = None) -> str:
    """A table; the column ``ids`` (index) holds doc_ids, numbers are right-aligned."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    if not rows:
        out.append(f'<tr><td colspan="{len(head)}">none</td></tr>')
    for row in rows:
        out.append("<tr>")
        for k, cell in enumerate(row):
            cls = (
                ' class="ids"'
                if k == ids
                else (
                    ' class="n"'
                    if isinstance(cell, int | float) and not isinstance(cell, bool)
                    else ""
                )
            )
            out.append(f"<td{cls}>{_e(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _documents_html(docs: dict[str, Any]) -> list[str]:
    rows = [
        [s, docs["by_status"][s], docs["doc_ids_by_status"][s], docs["pages_by_status"][s]]
        for s in STATUSES
    ]
    rows.append(["total", docs["in"]["records"], docs["in"]["doc_ids"], docs["pages"]])
    chart = _svg(
        "Pages by document status",
        [
            _Panel(
                "pages by status",
                list(STATUSES),
                [docs["pages_by_status"][s] for s in STATUSES],
                "status",
                "pages",
            )
        ],
    )
    return [
        "<section><h2>Documents</h2>",
        _table(["status", "records (inputs)", "doc_ids", "pages"], rows),
        f"<p>Purged (identified artifacts deleted): {_e(docs['purged'])}</p>",
        f"<figure>{chart}<figcaption>Figure 1. Pages by document status.</figcaption></figure>",
        "</section>",
    ]


def _codes_html(title: str, codes: dict[str, Any]) -> list[str]:
    rows = [[code, e["message"], e["count"], _ids(e["doc_ids"])] for code, e in codes.items()]
    return [
        f"<section><h2>{_e(title)}</h2>",
        _table(["code", "message", "records", "doc_ids"], rows, ids=3),
        "</section>",
    ]


def _review_html(review: dict[str, Any]) -> list[str]:
    parts = [
        "<section><h2>Review backlog</h2>",
        f"<p>State database: {_e(review['state_database'])}. Documents in review in the "
        f"manifest: {_e(review['documents_in_review'])} "
        f'(<span class="ids">{_e(_ids(review["doc_ids_in_review"]))}</span>).</p>',
    ]
    if review["items_by_state"] is not None:
        parts.append(
            _table(
                ["items", *review["items_by_state"]],
                [["by state", *review["items_by_state"].values()]],
            )
        )
        kinds = sorted(set(review["items_by_kind"]) | set(review["open_by_kind"]))
        parts.append(
            _table(
                ["kind", "items", "open"],
                [
                    [k, review["items_by_kind"].get(k, 0), review["open_by_kind"].get(k, 0)]
                    for k in kinds
                ],
            )
        )
        parts.append(
            _table(["reason", "open items"], [[k, v] for k, v in review["open_by_reason"].items()])
        )
        parts.append(
            _table(
                ["doc_id", "open items"],
                [[k, v] for k, v in review["open_by_document"].items()],
                ids=0,
            )
        )
    parts.append("</section>")
    return parts


def _phi_html(phi: dict[str, Any]) -> list[str]:
    return [
        "<section><h2>PHI verification (safe_harbor.json)</h2>",
        _table(
            [
                "documents",
                *(f"re-read {k}" for k in phi["results"]),
                "checks passed",
                "checks not passed",
                "PHI spans",
                "redaction unverified (E502)",
            ],
            [
                [
                    phi["documents"],
                    *phi["results"].values(),
                    phi["checks_passed"]["true"],
                    phi["checks_passed"]["false"],
                    phi["phi_spans"],
                    phi["redaction_unverified"],
                ]
            ],
        ),
        _table(
            ["which", "doc_ids"],
            [
                ["re-read failed", _ids(phi["verification_failed"])],
                ["checks not passed", _ids(phi["checks_failed"])],
                ["no safe_harbor.json", _ids(phi["missing"])],
                ["redaction unverified (E502)", _ids(phi["redaction_unverified_doc_ids"])],
            ],
            ids=1,
        ),
        _table(["label", "spans"], [[k, v] for k, v in phi["labels"].items()]),
        "</section>",
    ]


def _load_html(load: dict[str, Any]) -> list[str]:
    parts = ["<section><h2>FHIR load (load.json)</h2>"]
    if load["status"] != "loaded":
        parts += [f"<p>{_e(load['status'])}.</p>", "</section>"]
        return parts
    parts += [
        f"<p>Bundle loaded: {_e(load['bundle'])}.</p>",
        _table(list(load["totals"]), [list(load["totals"].values())]),
        _table(list(load["by_status"]), [list(load["by_status"].values())]),
        _table(
            ["doc_id", "status", "code"],
            [[f["doc_id"], "failed", f["code"]] for f in load["failed"]]
            + [[s["doc_id"], "skipped", s["code"]] for s in load["skipped"]],
            ids=0,
        ),
        f'<p>With a bundle but never loaded: <span class="ids">'
        f"{_e(_ids(load['never_loaded']))}</span></p>",
        "</section>",
    ]
    return parts


def _confidence_html(conf: dict[str, Any]) -> list[str]:
    ext, ocr = conf["extraction"], conf["ocr_pages"]
    chart = _svg(
        "Confidence histograms",
        [
            _Panel(
                "extraction item confidence",
                _bin_labels(ext["edges"]),
                ext["counts"],
                "confidence (0-1)",
                "items",
            ),
            _Panel(
                "OCR page confidence",
                _bin_labels(ocr["edges"]),
                ocr["counts"],
                "confidence (0-100)",
                "pages",
            ),
        ],
    )
    return [
        "<section><h2>Confidence</h2>",
        f"<p>Extracted items: {_e(ext['values'])} from {_e(ext['documents'])} documents; "
        f"OCR pages: {_e(ocr['values'])} from {_e(ocr['documents'])} documents "
        f"({_e(ocr['pages_unread'])} pages not read). Documents without outputs "
        f"(failed or purged): {_e(conf['documents_skipped'])}.</p>",
        f"<figure>{chart}<figcaption>Figure 2. Confidence histograms: extracted items "
        "(left), OCR pages (right).</figcaption></figure>",
        "</section>",
    ]


def _bin_labels(edges: list[float]) -> list[str]:
    return [f"{_num(a)}-{_num(b)}" for a, b in zip(edges, edges[1:], strict=False)]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) >= 1 else f"{x:g}"


def _reconciliation_html(rec: dict[str, Any]) -> list[str]:
    parts = ["<section><h2>Reconciliation</h2>"]
    inputs = rec["inputs"]
    if inputs is None:
        parts.append("<p>Inputs: not given (records checked against OUTDIR only).</p>")
    else:
        parts += [
            _table(
                ["inputs", "accounted exactly once", "missing", "duplicated", "extra records"],
                [
                    [
                        inputs["inputs"],
                        inputs["accounted"],
                        len(inputs["missing"]),
                        len(inputs["duplicated"]),
                        len(inputs["extra_records"]),
                    ]
                ],
            ),
            _table(
                ["input", "path sha256", "problem", "records", "doc_ids"],
                [[m["index"], m["path_sha256"], "missing", 0, "-"] for m in inputs["missing"]]
                + [
                    [d["index"], d["path_sha256"], "duplicated", d["records"], _ids(d["doc_ids"])]
                    for d in inputs["duplicated"]
                ],
                ids=4,
            ),
            _table(
                ["record", "doc_id", "source sha256", "problem"],
                [
                    [
                        x["record"],
                        x["doc_id"],
                        x["source_sha256"],
                        "purged, unmatched" if x.get("purged") else "not an input",
                    ]
                    for x in inputs["extra_records"]
                ],
                ids=1,
            ),
        ]
    records = rec["records"]
    parts += [
        f"<p>Records checked against OUTDIR: {_e(records['records'])}; inconsistent: "
        f"{_e(records['inconsistent'])}.</p>",
        _table(
            ["doc_id", "reason", "meaning"],
            [
                [i["doc_id"], i["reason"], INCONSISTENCIES.get(i["reason"], "")]
                for i in records["inconsistencies"]
            ],
            ids=0,
        ),
        "</section>",
    ]
    return parts


class _Panel:
    """One bar chart of a figure: a label and a count per bar."""

    def __init__(
        self, title: str, labels: list[str], counts: list[int], x_label: str, y_label: str
    ) -> None:
        self.title, self.labels, self.counts = title, labels, counts
        self.x_label, self.y_label = x_label, y_label


_PW, _PH = 460, 300  # one panel, in SVG units
_ML, _MR, _MT, _MB = 56, 12, 34, 66  # margins: room for the axes' ticks and labels


def _svg(title: str, panels: list[_Panel]) -> str:
    """An inline SVG with the panels side by side: axes, ticks, labels, a count on each bar.

    Each bar is a ``rect`` of class ``bar`` carrying ``data-label`` and ``data-count``.
    """
    width = _PW * len(panels)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_e(title)}" '
        f'width="{width}" height="{_PH}" viewBox="0 0 {width} {_PH}" '
        'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
        f"<title>{_e(title)}</title>",
    ]
    for k, panel in enumerate(panels):
        out.append(f'<g class="panel" transform="translate({k * _PW},0)">')
        out.extend(_panel(panel))
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _panel(p: _Panel) -> list[str]:
    x0, y0 = _ML, _PH - _MB  # the origin
    plot_w, plot_h = _PW - _ML - _MR, _PH - _MT - _MB
    ticks = _ticks(max(p.counts, default=0))
    top = ticks[-1]
    out = [
        f'<text x="{_PW / 2:.1f}" y="18" text-anchor="middle" font-weight="bold">'
        f"{_e(p.title)}</text>",
        f'<line x1="{x0}" y1="{y0}" x2="{x0 + plot_w}" y2="{y0}" stroke="#000"/>',
        f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{_MT}" stroke="#000"/>',
    ]
    for t in ticks:
        y = y0 - plot_h * t / top
        out.append(f'<line x1="{x0 - 4}" y1="{y:.1f}" x2="{x0}" y2="{y:.1f}" stroke="#000"/>')
        out.append(f'<text x="{x0 - 7}" y="{y + 4:.1f}" text-anchor="end">{_e(t)}</text>')
    slot = plot_w / max(len(p.counts), 1)
    # Labels too wide for their bar are all turned, so ten of them fit under the axis.
    turned = max((len(label) for label in p.labels), default=0) * 6.5 > slot
    for i, (label, count) in enumerate(zip(p.labels, p.counts, strict=True)):
        h = plot_h * count / top
        x = x0 + i * slot + slot * 0.1
        cx = x0 + (i + 0.5) * slot
        out.append(
            f'<rect class="bar" data-label="{_e(label)}" data-count="{count}" x="{x:.1f}" '
            f'y="{y0 - h:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" fill="#888" '
            f'stroke="#000"><title>{_e(label)}: {count}</title></rect>'
        )
        out.append(
            f'<text class="count" x="{cx:.1f}" y="{y0 - h - 4:.1f}" text-anchor="middle">'
            f"{count}</text>"
        )
        turn = f' transform="rotate(-40 {cx:.1f} {y0 + 14})"' if turned else ""
        anchor = "end" if turn else "middle"
        out.append(
            f'<text class="label" x="{cx:.1f}" y="{y0 + 14}" text-anchor="{anchor}"{turn}>'
            f"{_e(label)}</text>"
        )
    out.append(
        f'<text x="{x0 + plot_w / 2:.1f}" y="{_PH - 8}" text-anchor="middle">{_e(p.x_label)}</text>'
    )
    out.append(
        f'<text x="14" y="{_MT + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_MT + plot_h / 2:.1f})">{_e(p.y_label)}</text>'
    )
    return out


def _ticks(top: int) -> list[int]:
    """Round tick values from 0 to at least ``top`` (about five), integers only."""
    raw = max(top, 1) / 5
    mag = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    last = max(math.ceil(max(top, 1) / step) * step, step)
    return list(range(0, last + 1, step))
