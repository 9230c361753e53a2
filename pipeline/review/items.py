"""What goes to review, read from a batch's OUTDIR into the state database's items.

A document in ``review`` (manifest.json) gives an item for each thing a person must settle,
by the reasons the pipeline recorded:

- ``value``: an extracted value below ``extract.min_confidence`` (E403), accept/correct/reject;
- ``page``: a page OCR read with low confidence, a fax, or a page it could not read (E304,
  E3xx): accept the reading, or reject it (the values read on it leave the bundle);
- ``phi``: a PHI detection scoring within ``review.phi_margin`` of its threshold: accept
  (it is PHI, stays painted) or reject (not PHI: unpainted);
- ``redaction``: re-reading redacted.pdf found PHI or could not read a page (E502): a
  reviewer checks the painted pages, adding or removing boxes, then accepts;
- ``identity``: an identity conflict (E405/E406): accept releases the hold on load/export;
- ``document``: any other reason (no MRN, undated values, no text): accept or reject.

Risk orders the queue (1 first): what could leak PHI or merge two patients ranks above a
doubtful value. Syncing is idempotent: an item is keyed by (batch, document, kind, ref) and
a decided one is never reopened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update

from pipeline import errors, layout
from pipeline.batch import MANIFEST, read_manifest
from pipeline.deid.boxes import redaction_boxes
from pipeline.revise import describe, read, read_ocr
from pipeline.schema import ITEM_FIELDS, OcrDocument, OcrPage, PhiReport, Span
from pipeline.settings import Settings
from pipeline.state.models import Batch, Item
from pipeline.state.store import _insert, batches
from pipeline.vault import Vault

KINDS = ("value", "page", "phi", "redaction", "identity", "document")
_PAGE_CODES = ("E301", "E302", "E304", "E305")
_IDENTITY_CODES = (errors.PatientIdentityConflict.code, errors.PossibleDuplicateChart.code)
_HANDLED = (
    *_PAGE_CODES,
    *_IDENTITY_CODES,
    errors.LowConfidenceValue.code,
    errors.RedactionUnverified.code,
)
_LABELS = {
    "observations": None,  # the observation's own display
    "medications": "Medication",
    "conditions": "Problem",
    "allergies": "Allergy",
}


@dataclass(frozen=True)
class NewItem:
    """An item found in a document, before it is stored."""

    kind: str
    ref: str
    reason: str
    label: str
    risk: float
    original: dict[str, Any]
    page: int | None = None
    box: tuple[int, int, int, int] | None = None


def sync(engine: Engine, settings: Settings, *, force: bool = False) -> int:
    """Read every batch whose manifest changed since last time; returns items added."""
    added = 0
    for bid, out_dir in batches(engine):
        try:
            mtime = (out_dir / MANIFEST).stat().st_mtime_ns
        except OSError:
            continue
        with engine.connect() as c:
            seen = c.execute(select(Batch.manifest_mtime_ns).where(Batch.id == bid)).scalar()
        if seen == mtime and not force:
            continue
        for record in read_manifest(out_dir, Vault.from_settings(settings.vault)):
            if record.status == "review" and record.purged_at is None:
                found = document_items(out_dir, record.doc_id, record.reasons, settings)
                added += _store(engine, bid, record.doc_id, found)
        with engine.begin() as c:
            c.execute(update(Batch).where(Batch.id == bid).values(manifest_mtime_ns=mtime))
    return added


def document_items(
    out_dir: Path, doc_id: str, reasons: tuple[str, ...], settings: Settings
) -> list[NewItem]:
    """The items of one document in review (see the module docstring)."""
    doc_dir = out_dir / doc_id
    codes = [r[:4] for r in reasons]
    vault = Vault.from_settings(settings.vault)
    try:
        reading = read(doc_dir, vault)
        ocr = read_ocr(doc_dir, vault)
    except (OSError, ValueError):
        # Written before extraction.json existed: nothing to review item by item.
        return [_document_item(code) for code in codes]
    found: list[NewItem] = []
    min_conf = settings.extract.min_confidence
    for field in ITEM_FIELDS:
        for i, item in enumerate(getattr(reading.extraction, field)):
            if item.confidence >= min_conf:
                continue
            evidence = item.evidence
            b = evidence.box if evidence else None
            found.append(
                NewItem(
                    kind="value",
                    ref=f"{field}/{i}",
                    reason=errors.LowConfidenceValue.code,
                    label=_LABELS[field] or item.display,  # type: ignore[union-attr]
                    risk=_value_risk(item.confidence, min_conf, evidence),
                    original={"field": field, "text": describe(item)},
                    page=evidence.page if evidence else None,
                    box=(b.x0, b.y0, b.x1, b.y1) if b else None,
                )
            )
    if any(c in _PAGE_CODES for c in codes):
        found.extend(_page_items(ocr.pages, settings))
    found.extend(_phi_items(ocr, doc_dir, settings))
    if errors.RedactionUnverified.code in codes:
        found.append(
            NewItem(
                kind="redaction",
                ref="redaction",
                reason=errors.RedactionUnverified.code,
                label="Redaction",
                risk=1.0,
                original={"text": "Re-reading redacted.pdf did not confirm it free of PHI."},
            )
        )
    for code in dict.fromkeys(codes):
        if code in _IDENTITY_CODES:
            found.append(
                NewItem(
                    kind="identity",
                    ref=f"identity/{code}",
                    reason=code,
                    label="Patient identity",
                    risk=0.95,
                    original={"patient": reading.extraction.patient.model_dump(mode="json")},
                )
            )
        elif code not in _HANDLED:
            found.append(_document_item(code))
    return found


def counts(engine: Engine, **where: str) -> dict[str, int]:
    """Items by state, for the queue's filters (``batch_id``, ``doc_id``, ``kind``)."""
    query = select(Item.state, func.count()).group_by(Item.state)
    for key, value in where.items():
        if value:
            query = query.where(getattr(Item, key) == value)
    with engine.connect() as c:
        return {state: int(n) for state, n in c.execute(query)}


def _value_risk(confidence: float, min_conf: float, evidence: Any) -> float:
    """0.3-0.9: lower extraction confidence, then lower OCR confidence of its words, first."""
    ocr = evidence.ocr_confidence / 100 if evidence is not None else 0.5
    return round(0.3 + 0.4 * (1 - confidence / min_conf) + 0.2 * (1 - ocr), 3)


def _document_item(code: str) -> NewItem:
    return NewItem(
        kind="document",
        ref=f"document/{code}",
        reason=code,
        label="Document",
        risk=0.5,
        original={"text": errors.message_of(code)},
    )


def _page_items(pages: tuple[OcrPage, ...], settings: Settings) -> list[NewItem]:
    from pipeline.ocr.page import unreliable

    found = []
    for p in pages:
        if not (p.error or unreliable(p, settings.ocr)):
            continue
        reason = p.error[:4] if p.error else errors.LowOcrConfidence.code
        found.append(
            NewItem(
                kind="page",
                ref=f"page/{p.index}",
                reason=reason,
                label=f"Page {p.index + 1}",
                risk=0.8 if p.error else round(0.4 + 0.4 * (1 - p.conf / 100), 3),
                original={"text": "fax" if p.speckled else f"OCR confidence {p.conf:.0f}"},
                page=p.index,
            )
        )
    return found


def _phi_items(ocr: OcrDocument, doc_dir: Path, settings: Settings) -> list[NewItem]:
    """PHI detections within ``phi_margin`` above their label's threshold."""
    try:
        deid = layout.output(doc_dir.parent, doc_dir.name, "deid.json")
        spans = json.loads(deid.read_text(encoding="utf-8"))["spans"]
    except (OSError, ValueError, KeyError):
        return []
    cfg, margin = settings.deid, settings.review.phi_margin
    text = ocr.text
    found = []
    for s in spans:
        threshold = cfg.thresholds.get(s["label"], cfg.score_threshold)
        if s["score"] >= threshold + margin:
            continue
        span = Span(start=s["start"], end=s["end"], label=s["label"], score=s["score"])
        boxes = redaction_boxes(ocr, PhiReport(spans=(span,)), pad=0).get(s["page"], [])
        box = None
        if boxes:
            u = boxes[0]
            for b in boxes[1:]:
                u = u.union(b)
            box = (u.x0, u.y0, u.x1, u.y1)
        found.append(
            NewItem(
                kind="phi",
                ref=f"phi/{s['start']}-{s['end']}",
                reason=errors.PhiNearThreshold.code,
                label=s["label"],
                risk=round(0.7 + 0.2 * (1 - (s["score"] - threshold) / margin), 3),
                original={"text": text[s["start"] : s["end"]], "score": s["score"]},
                page=s["page"],
                box=box,
            )
        )
    return found


def _store(engine: Engine, bid: str, doc_id: str, found: list[NewItem]) -> int:
    if not found:
        return 0
    rows = [
        dict(
            batch_id=bid,
            doc_id=doc_id,
            kind=n.kind,
            ref=n.ref,
            reason=n.reason,
            label=n.label[:100],
            page=n.page,
            box=",".join(map(str, n.box)) if n.box else None,
            risk=n.risk,
            state="open",
            original=json.dumps(n.original),
        )
        for n in found
    ]
    with engine.begin() as c:
        result = c.execute(
            _insert(engine)(Item)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["batch_id", "doc_id", "kind", "ref"])
        )
    return int(result.rowcount or 0)
